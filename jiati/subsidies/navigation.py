"""The subsidies entry of the top bar (staff only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.web.navigation import is_staff_member


def nav_items(*, user) -> list[dict]:
    if not is_staff_member(user):
        return []
    return [{"label": _("Subsidies"), "url_name": "subsidies:home", "icon": "cash-coin", "order": 80}]
