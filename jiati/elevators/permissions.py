"""Who may do what with an elevator in service."""

from __future__ import annotations

from jiati.accounts.models import Role

EDITORS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})


def _sees(user, elevator) -> bool:
    from jiati.elevators.models import Elevator

    return Elevator.objects.visible_to(user).filter(pk=elevator.pk).exists()


def can_edit(user, elevator) -> bool:
    """Registration, contract, inspections: the staff of the elevator's area."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in EDITORS) and _sees(user, elevator))


def can_record_visit(user, elevator) -> bool:
    """Only the elevator's maintainer records maintenance visits."""
    return bool(
        user.is_authenticated
        and user.role == Role.MAINTAINER
        and elevator.maintainer_id
        and user.company_id == elevator.maintainer_id
    )


def can_handle_fault(user, report) -> bool:
    """The maintainer handles faults; the area's staff may record the steps for it (e.g. after a phone call)."""
    return can_record_visit(user, report.elevator) or can_edit(user, report.elevator)


def can_keep_costs(user, elevator) -> bool:
    """The community (and its superiors) or the lead owner of the elevator's project."""
    if can_edit(user, elevator):
        return True
    project = elevator.project
    return bool(
        user.is_authenticated
        and user.role == Role.RESIDENT
        and project is not None
        and project.lead_owner_id
        and user.owner_id == project.lead_owner_id
    )
