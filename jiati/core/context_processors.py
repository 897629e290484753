"""The navigation each role sees (pages still check permissions themselves)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import COMPANY_ROLES, Role
from jiati.accounts.permissions import can_import_housing

# (label, url name, icon, roles or None for every staff role, or a permission check)
NAV = [
    (_("Home"), "core:home", "house", None),
    (_("Projects"), "projects:list", "building-up", "staff+company"),
    (_("Organisation"), "organisation:region-list", "diagram-3", None),
    (_("Estates"), "housing:estate-list", "buildings", None),
    (_("Stairwells"), "housing:stairwell-list", "bricks", None),
    (_("Owners"), "housing:owner-list", "people", None),
    (_("Consultation"), "consultation:home", "chat-dots", None),
    (_("Subsidies"), "subsidies:home", "cash-coin", None),
    (_("Site checks"), "supervision:home", "clipboard-check", None),
    (_("Companies"), "companies:list", "briefcase", None),
    (_("Import"), "housing:import", "upload", can_import_housing),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, icon, roles in NAV:
        if roles is None and user.role in COMPANY_ROLES | {Role.RESIDENT}:
            continue
        if callable(roles) and not roles(user):  # a link only to what the user may open
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a section not installed yet is simply not shown
            continue
        items.append({"label": label, "url": url, "icon": icon, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
