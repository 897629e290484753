from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiati.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from jiati.core import choice_labels

        # Every model class exists by now: `get_FOO_display` translates only the label it shows.
        choice_labels.install()
