from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running Jiati in production: health and readiness for the load balancer, metrics, the worker, backups."""

    name = "jiati.ops"
    label = "ops"
    verbose_name = _("Operations")
