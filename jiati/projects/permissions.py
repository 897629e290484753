"""Who may do what on a project (what they may see is `Project.objects.visible_to`, and of a project's documents,
blockers and timeline the `visible_to` of those models).

- Staff of the area manage projects (checklist, schedule, blockers, status); the property office comments and adds
  documents.
- Contractors see the projects their company builds and may only report construction progress (move a
  construction stage on, `stages.MOVERS`) and upload site photos while it is being built.
- Maintainers see the elevators in service their company maintains, read-only (there are no maintenance records
  in Jiati yet).
- Residents see the projects of their stairwells, read-only, without the staff's internals.
"""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role

OPENERS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
MANAGERS = OPENERS  # checklist, schedule, blockers, suspend / withdraw / reopen
CONTRIBUTORS = OPENERS | {Role.PROPERTY}  # comments and documents
CONTRACTOR_UPLOADS = frozenset({"construction_photo"})
CONFIGURERS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})


def can_open(user) -> bool:
    return has_role(user, OPENERS)


def can_manage(user) -> bool:
    return has_role(user, MANAGERS)


def is_contributor(user) -> bool:
    """Staff who add to any project they see: comments and documents of every kind."""
    return has_role(user, CONTRIBUTORS)


def can_comment(user) -> bool:
    return is_contributor(user)


def is_assigned_contractor(user, project) -> bool:
    """A construction team's member, on a project their company is assigned to build."""
    return bool(
        has_role(user, {Role.CONTRACTOR})
        and user.company_id
        and project is not None
        and project.contractor_id == user.company_id
    )


def can_add_document(user, kind: str, *, project) -> bool:
    """Staff contributors add any document; the assigned construction team only site photos."""
    if is_contributor(user):
        return True
    return kind in CONTRACTOR_UPLOADS and is_assigned_contractor(user, project)


def document_kinds_to_add(user, project) -> frozenset[str] | None:
    """The kinds the user may upload to this project (None: every kind), for the upload form."""
    if is_contributor(user):
        return None
    return CONTRACTOR_UPLOADS if is_assigned_contractor(user, project) else frozenset()


def can_configure(user) -> bool:
    return has_role(user, CONFIGURERS)
