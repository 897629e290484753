from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    """Running a district without a programmer: divisions, staff accounts and their delegated administration."""

    name = "jiati.administration"
    label = "administration"
    verbose_name = _("Administration")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from jiati.administration.middleware import remember_at_sign_in

        user_logged_in.connect(remember_at_sign_in, dispatch_uid="jiati_administration_sign_in")
