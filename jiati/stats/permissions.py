"""Who may read the statistics: staff of a region (their area's figures) and platform administrators (all).

A property office sees a few estates, not whole communities, so the per-community summaries cannot serve it:
its staff use the project lists instead."""

from __future__ import annotations

from jiati.accounts.models import REGION_ROLES
from jiati.accounts.scoping import is_active_staff, sees_everything


def can_read(user) -> bool:
    if not is_active_staff(user):
        return False
    return sees_everything(user) or bool(user.role in REGION_ROLES and user.region_id)
