from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import Role


def nav_items(*, user) -> list[dict]:
    if not user.is_authenticated or user.role == Role.RESIDENT:
        return []
    return [{"label": _("Elevators"), "url_name": "elevators:list", "icon": "arrow-down-up", "order": 55}]
