from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "jiati.subsidies"
    label = "subsidies"
    verbose_name = _("Subsidies")

    def ready(self) -> None:
        # Only once every app is loaded: these modules import models.
        from jiati.projects.models import Stage
        from jiati.projects.stages import register_exit_guard, register_on_enter
        from jiati.subsidies.selectors import guard_subsidy_settled
        from jiati.subsidies.services import on_enter_subsidy

        # A project that passed inspection and registration gets its subsidy file drafted…
        register_on_enter(Stage.SUBSIDY, on_enter_subsidy)
        # …and leaves the subsidy stage only once it is paid in full or recorded as not eligible.
        register_exit_guard(Stage.SUBSIDY, guard_subsidy_settled)
