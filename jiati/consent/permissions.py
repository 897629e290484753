"""Who may do what about owner consent (what they may see is each model's `visible_to`)."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role
from jiati.accounts.scoping import is_active_staff

ORGANISERS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
# Paper ballots and objections are also taken at the property office's service window.
WINDOW_STAFF = ORGANISERS | {Role.PROPERTY}
RULE_EDITORS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})


def can_run_votes(user) -> bool:
    """Open, close and cancel votes."""
    return has_role(user, ORGANISERS)


def can_record_ballots(user) -> bool:
    return has_role(user, WINDOW_STAFF)


def can_post_notices(user) -> bool:
    return has_role(user, ORGANISERS)


def can_record_objections(user) -> bool:
    return has_role(user, WINDOW_STAFF)


def can_handle_objections(user) -> bool:
    """Answer, escalate (negotiation → mediation → court) and close objections."""
    return has_role(user, ORGANISERS)


def can_share_costs(user) -> bool:
    return has_role(user, ORGANISERS)


def can_tally(user) -> bool:
    return is_active_staff(user)


def can_edit_rules(user) -> bool:
    return has_role(user, RULE_EDITORS)
