"""The organisation entry of the top bar (staff only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.web.navigation import is_staff_member


def nav_items(*, user) -> list[dict]:
    if not is_staff_member(user):
        return []
    return [{"label": _("Organisation"), "url_name": "organisation:region-list", "icon": "diagram-3", "order": 30}]
