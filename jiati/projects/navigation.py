"""The projects entry of the top bar: staff, construction teams and maintainers all have a project list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def nav_items(*, user) -> list[dict]:
    return [{"label": _("Projects"), "url_name": "projects:list", "icon": "building-up", "order": 20}]
