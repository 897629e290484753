"""Who may do what in consultation (what they may see is each model's `visible_to`)."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role

FRONT_LINE = frozenset({Role.COMMUNITY, Role.PROPERTY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
ORGANISERS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
HANDLERS = ORGANISERS
# An extension of a petition's deadline is approved one level up (信访工作条例 Art. 36: "经批准").
EXTENDERS = frozenset({Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
CONFIGURERS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
WRITERS = CONFIGURERS


def can_manage_windows(user) -> bool:
    """Windows (details, staff on duty), their slots and the bookings in them."""
    return has_role(user, FRONT_LINE)


def can_record_consultations(user) -> bool:
    return has_role(user, FRONT_LINE)


def can_organise_meetings(user) -> bool:
    return has_role(user, ORGANISERS)


def can_take_petitions(user) -> bool:
    return has_role(user, FRONT_LINE)


def can_handle_petitions(user) -> bool:
    return has_role(user, HANDLERS)


def can_note_petitions(user) -> bool:
    return has_role(user, FRONT_LINE)


def can_extend_petitions(user) -> bool:
    return has_role(user, EXTENDERS)


def can_configure(user) -> bool:
    return has_role(user, CONFIGURERS)


def can_write_articles(user) -> bool:
    return has_role(user, WRITERS)


def is_platform_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.PLATFORM_ADMIN))


def sees_petitioner(user, petition) -> bool:
    """A petitioner's contact details are shown in full only to the staff handling the petition."""
    if is_platform_admin(user):
        return True
    if not user.is_authenticated:
        return False
    if petition.handler_id == user.pk:
        return True
    return bool(petition.group_id and petition.group.memberships.filter(user=user).exists())


def sees_visitor(user, record) -> bool:
    """A visitor's contact details: the staff who took the consultation and who follows it up."""
    if is_platform_admin(user):
        return True
    return bool(user.is_authenticated and user.pk in (record.recorded_by_id, record.follow_up_by_id))
