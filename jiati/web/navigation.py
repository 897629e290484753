"""Navigation hook: `<app>/navigation.py: nav_items(*, user) -> list[dict]`.

Each dict is {"label": lazy-translated str, "url_name": "app:name", "icon": bootstrap-icon name, "order": int},
and an app returns only the entries the user may open. `context_processors.navigation` collects them (sorted by
"order") for the top bar. The web layer's own entry is the start page.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import COMPANY_ROLES, Role


def is_staff_member(user) -> bool:
    """Office staff (district, subdistrict, community, property office, administrator): not a company, not a
    resident. The entries most apps show only to them."""
    return user.is_authenticated and user.role not in COMPANY_ROLES | {Role.RESIDENT}


def nav_items(*, user) -> list[dict]:
    if not is_staff_member(user):
        return []
    return [{"label": _("Home"), "url_name": "core:home", "icon": "house", "order": 10}]
