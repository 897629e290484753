"""The companies entry of the top bar (staff only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def nav_items(*, user) -> list[dict]:
    if not user.is_staff_member:
        return []
    return [{"label": _("Companies"), "url_name": "companies:list", "icon": "briefcase", "order": 90}]
