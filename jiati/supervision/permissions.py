"""Who may do what in supervision (what they may see is each model's `visible_to`)."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role

# Field staff who walk sites: the community workstations, property offices, subdistrict groups, district office.
CHECKERS = frozenset({Role.COMMUNITY, Role.PROPERTY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
# Those who hold the weekly review of a subdistrict (the subdistrict group; the district office may sit in).
REVIEWERS = frozenset({Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
# Those who run the monthly dispatch of the district.
DISPATCHERS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
# Those who see the supervisor's lists (sites not checked today, rectifications overdue).
SUPERVISORS = frozenset({Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN, Role.COMMUNITY})


def can_check(user) -> bool:
    return has_role(user, CHECKERS)


def can_answer(user, rectification) -> bool:
    """The construction company the rectification was sent to answers it."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.CONTRACTOR
        and user.company_id
        and user.company_id == rectification.company_id
    )


def can_review(user) -> bool:
    return has_role(user, REVIEWERS)


def can_dispatch(user) -> bool:
    return has_role(user, DISPATCHERS)


def can_supervise(user) -> bool:
    return has_role(user, SUPERVISORS)
