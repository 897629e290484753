"""Who may do what in consultation (what they may see is each model's `visible_to`)."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role, sees_personal_data
from jiati.accounts.scoping import is_staff

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


def sees_invitees(user, meeting) -> bool:
    """Invited owners' and other residents' names are shown in full only to the staff running the meeting:
    its organiser, organisers of the unit hosting it, the estate's property office, and staff invited to it."""
    if is_platform_admin(user):
        return True
    if not is_staff(user):
        return False
    if meeting.organiser_id == user.pk:
        return True
    if user.region_id and user.region_id == meeting.region_id and can_organise_meetings(user):
        return True
    if user.role == Role.PROPERTY and user.property_office_id and user.property_office_id == meeting.property_office_id:
        return True
    return meeting.invitees.filter(user=user).exists()


def sees_booker(user, booking) -> bool:
    """A booker's name, like their phone number: in full for the front-line roles that receive residents
    (`accounts.permissions.PERSONAL_DATA_ROLES["phone"]`), and for the resident who booked."""
    if user.is_authenticated and user.owner_id and user.owner_id == booking.owner_id:
        return True
    return sees_personal_data(user, "phone")
