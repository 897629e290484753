from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "jiati.consent"
    label = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        """Register the vote and notice guards with the projects app (it never imports this one), and the wording of
        a closed vote's figures in timeline entries."""
        # Only once every app is loaded: these modules import models.
        from jiati.consent import selectors  # noqa: F401  (registers how a closed vote's figures are worded when read)
        from jiati.consent.guards import guard_notice, guard_vote
        from jiati.projects.models import Stage
        from jiati.projects.stages import register_exit_guard

        register_exit_guard(Stage.VOTE, guard_vote)
        register_exit_guard(Stage.PUBLIC_NOTICE, guard_notice)
