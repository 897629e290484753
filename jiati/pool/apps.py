from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "jiati.pool"
    label = "pool"
    verbose_name = _("Retrofit pool")

    def ready(self) -> None:
        from jiati.pool import signals

        signals.connect()
