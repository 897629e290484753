"""Who may do what on a project (what they may see is `Project.objects.visible_to`)."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role

OPENERS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
MANAGERS = OPENERS  # checklist, schedule, blockers, suspend / withdraw / reopen
CONTRIBUTORS = OPENERS | {Role.PROPERTY}  # comments and documents
CONTRACTOR_DOCUMENTS = frozenset({"construction_photo", "construction_notification", "acceptance_report"})
CONFIGURERS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})


def can_open(user) -> bool:
    return has_role(user, OPENERS)


def can_manage(user) -> bool:
    return has_role(user, MANAGERS)


def can_comment(user) -> bool:
    return has_role(user, CONTRIBUTORS | {Role.CONTRACTOR})


def can_add_document(user, kind: str) -> bool:
    if has_role(user, CONTRIBUTORS):
        return True
    return has_role(user, {Role.CONTRACTOR}) and kind in CONTRACTOR_DOCUMENTS


def can_configure(user) -> bool:
    return has_role(user, CONFIGURERS)
