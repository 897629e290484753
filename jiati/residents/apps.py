from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """Who a resident is: one-time codes sent by SMS and the resident's signed-in session.

    A low layer (above housing and notifications) that the portal and every app with resident pages use."""

    name = "jiati.residents"
    label = "residents"
    verbose_name = _("Residents")
