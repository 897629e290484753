"""The pool's entry in the main navigation (hook: `nav_items(*, user)`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.pool import permissions


def nav_items(*, user) -> list[dict]:
    if not permissions.can_read(user):
        return []
    return [{"label": _("Retrofit pool"), "url_name": "pool:list", "icon": "grid-3x3-gap", "order": 45}]
