from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web layer, above accounts and audit: scoped lists, columns, filters, exports, pagination, the
    navigation (collected from each app's `navigation.py`), the `jiati` template tags and the audit log page."""

    name = "jiati.web"
    label = "web"
    verbose_name = _("Web")
