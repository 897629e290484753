from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiati.administration.permissions import can_administer

LABEL = _("Administration")


def nav_items(*, user) -> list[dict]:
    if not can_administer(user):
        return []
    return [{"label": LABEL, "url_name": "administration:account-list", "icon": "person-gear", "order": 90}]
