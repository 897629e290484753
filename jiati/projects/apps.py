from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "jiati.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # Only once every app is loaded: these modules import models.
        from jiati.projects.stages import register_builtin_guards

        register_builtin_guards()
