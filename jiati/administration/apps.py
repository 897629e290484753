from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    """Running a district without a programmer: divisions, staff accounts and their delegated administration."""

    name = "jiati.administration"
    label = "administration"
    verbose_name = _("Administration")
