"""Navigation entries (hook `nav_items`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import COMPANY_ROLES, STAFF_ROLES
from jiati.supervision import permissions


def nav_items(*, user) -> list[dict]:
    items = []
    if user.is_authenticated and (user.role in STAFF_ROLES or user.role in COMPANY_ROLES or user.is_superuser):
        items.append({"label": _("My tasks"), "url_name": "supervision:my-tasks", "icon": "list-check", "order": 5})
    if permissions.can_check(user):
        items.append(
            {"label": _("Site checks"), "url_name": "supervision:home", "icon": "clipboard-check", "order": 45}
        )
    elif user.is_authenticated and user.role == "contractor":
        items.append(
            {"label": _("Rectifications"), "url_name": "supervision:rectification-list", "icon": "tools", "order": 45}
        )
    return items
