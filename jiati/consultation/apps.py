from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "jiati.consultation"
    label = "consultation"
    verbose_name = _("Consultation")

    def ready(self) -> None:
        # Only once every app is loaded: these modules import models.
        from jiati.consultation.selectors import guard_meeting_held
        from jiati.projects.models import Stage
        from jiati.projects.stages import register_exit_guard

        # 一梯一会: a project leaves the consultation stage only after its consultation meeting was held.
        register_exit_guard(Stage.CONSULTATION, guard_meeting_held)
