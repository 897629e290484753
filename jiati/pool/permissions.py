"""Who may do what in the pool (what they may see is each model's `visible_to`).

- Community, subdistrict and district staff assess feasibility, run surveys and record mobility needs; the property
  office also records survey answers (its staff know the doors).
- The district office sets the pool's settings and the yearly targets.
- Clusters are managed by those who manage projects (`projects.permissions.can_manage`).
"""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role

ASSESSORS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
SURVEYORS = ASSESSORS | {Role.PROPERTY}
PLANNERS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
READERS = frozenset(
    {
        Role.COMMUNITY,
        Role.SUBDISTRICT,
        Role.DISTRICT_OFFICE,
        Role.DISTRICT_FINANCE,
        Role.PROPERTY,
        Role.PLATFORM_ADMIN,
    }
)


def can_read(user) -> bool:
    return has_role(user, READERS)


def can_assess(user) -> bool:
    return has_role(user, ASSESSORS)


def can_survey(user) -> bool:
    return has_role(user, SURVEYORS)


def can_plan(user) -> bool:
    return has_role(user, PLANNERS)


def can_manage_clusters(user) -> bool:
    from jiati.projects.permissions import can_manage

    return can_manage(user)
