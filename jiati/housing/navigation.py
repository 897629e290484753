"""The housing entries of the top bar: estates, stairwells and owners for staff; the import for those who may."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.accounts.permissions import can_import_housing


def nav_items(*, user) -> list[dict]:
    items = []
    if user.is_staff_member:
        items += [
            {"label": _("Estates"), "url_name": "housing:estate-list", "icon": "buildings", "order": 40},
            {"label": _("Stairwells"), "url_name": "housing:stairwell-list", "icon": "bricks", "order": 50},
            {"label": _("Owners"), "url_name": "housing:owner-list", "icon": "people", "order": 60},
        ]
    if can_import_housing(user):
        items.append({"label": _("Import"), "url_name": "housing:import", "icon": "upload", "order": 100})
    return items
