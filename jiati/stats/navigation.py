"""The dashboard's entry in the main navigation (hook: `nav_items(*, user)`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.stats import permissions


def nav_items(*, user) -> list[dict]:
    if not permissions.can_read(user):
        return []
    return [{"label": _("Dashboard"), "url_name": "stats:dashboard", "icon": "bar-chart-line", "order": 15}]
