"""Navigation hook: `<app>/navigation.py: nav_items(*, user) -> list[dict]`.

Each dict is {"label": lazy-translated str, "url_name": "app:name", "icon": bootstrap-icon name, "order": int},
and an app returns only the entries the user may open. `context_processors.navigation` collects them (sorted by
"order") for the top bar. Most entries are for office staff only (`User.is_staff_member`: not a company,
not a resident). The web layer's own entry is the start page.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def nav_items(*, user) -> list[dict]:
    if not user.is_staff_member:
        return []
    return [{"label": _("Home"), "url_name": "core:home", "icon": "house", "order": 10}]
