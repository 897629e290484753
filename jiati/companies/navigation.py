"""The companies entry of the top bar (staff only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def nav_items(*, user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = [{"label": _("Red/black list"), "url_name": "companies:lists", "icon": "list-ol", "order": 61}]
    if user.is_staff_member or user.company_id:
        items.insert(0, {"label": _("Companies"), "url_name": "companies:list", "icon": "briefcase", "order": 60})
    return items
