"""Writes on the organisation: workstations and property offices (with their windows), service-group members (who
answers for what) and each group's WeCom robot."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, audit_updated, snapshot
from jiati.core.errors import refuse
from jiati.organisation.models import (
    GroupMembership,
    PropertyOffice,
    Region,
    RegionLevel,
    ServiceGroup,
    ServiceWindow,
    WindowKind,
    Workstation,
    mask_webhook,
)


@transaction.atomic
def membership_set(*, actor, group: ServiceGroup, user, role: str, duties: str = "") -> GroupMembership:
    """Add a staff member of the actor's area to a group, or change their role and duties."""
    if not can_edit_organisation(actor) or not ServiceGroup.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    if not staff_visible_to(user=actor).filter(pk=user.pk).exists():
        raise refuse(_("Choose a staff member of your area."), code="not_in_area", field="user")
    membership, created = GroupMembership.objects.select_for_update().get_or_create(
        group=group, user=user, defaults={"role": role, "duties": duties}
    )
    before = None if created else [membership.role, membership.duties]
    membership.role, membership.duties = role, duties
    membership.save()
    audit_record(
        actor=actor, instance=group, action=AuditAction.UPDATE, changes={f"member {user}": [before, [role, duties]]}
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, group: ServiceGroup, user) -> None:
    if not can_edit_organisation(actor) or not ServiceGroup.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    deleted, _rows = GroupMembership.objects.filter(group=group, user=user).delete()
    if deleted:
        audit_record(actor=actor, instance=group, action=AuditAction.UPDATE, changes={f"member {user}": ["", None]})


@transaction.atomic
def service_group_robot_set(*, actor, group: ServiceGroup, url: str) -> ServiceGroup:
    """Set (or clear, with "") the WeCom group robot that the group members' notices go to."""
    if not can_edit_organisation(actor) or not ServiceGroup.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    url = url.strip()
    if url and not url.startswith("https://"):
        raise refuse(_("A robot address starts with https://."), code="webhook_not_https", field="wecom_webhook_url")
    group = ServiceGroup.objects.select_for_update().get(pk=group.pk)
    before = group.wecom_webhook_url
    if url == before:
        return group
    group.wecom_webhook_url = url
    group.full_clean()
    group.save(update_fields=["wecom_webhook_url"])
    audit_record(
        actor=actor,
        instance=group,
        action=AuditAction.UPDATE,
        changes={"wecom_webhook_url": [mask_webhook(before), mask_webhook(url)]},
    )
    return group


def _may_edit_in(actor, community: Region) -> bool:
    """`actor=None` is the server's operator (management commands of the first start)."""
    if actor is None:
        return True
    return can_edit_organisation(actor) and Region.objects.visible_to(actor).filter(pk=community.pk).exists()


def _community_check(community: Region) -> None:
    if community.level != RegionLevel.COMMUNITY or community.is_retired:
        raise refuse(_("Choose a community that is in use."), code="not_a_community", field="community")


@transaction.atomic
def workstation_save(*, actor, community: Region, name: str, address: str = "", phone: str = "") -> Workstation:
    """Create or update a community's workstation (one per community), with its service window."""
    _community_check(community)
    if not _may_edit_in(actor, community):
        raise PermissionDenied
    station = Workstation.objects.select_for_update().filter(community=community).first()
    before = snapshot(station) if station else None
    station = station or Workstation(community=community)
    station.name, station.address, station.phone = name, address, phone
    station.full_clean()
    station.save()
    if before is None:
        audit_created(actor=actor, instance=station)
    else:
        audit_updated(actor=actor, instance=station, before=before)
    if not station.windows.exists():
        window = ServiceWindow.objects.create(
            name=name, kind=WindowKind.WORKSTATION, workstation=station, community=community, address=address,
            phone=phone,
        )  # fmt: skip
        audit_created(actor=actor, instance=window)
    return station


@transaction.atomic
def property_office_save(
    *,
    actor,
    code: str,
    name: str,
    community: Region,
    company_name: str = "",
    address: str = "",
    phone: str = "",
    with_window: bool = False,
) -> PropertyOffice:
    """Create or update a property office (by its code); `with_window` opens a service window there."""
    _community_check(community)
    if not _may_edit_in(actor, community):
        raise PermissionDenied
    office = PropertyOffice.objects.select_for_update().filter(code=code).first()
    if office is not None and not _may_edit_in(actor, office.community):
        raise PermissionDenied
    before = snapshot(office) if office else None
    office = office or PropertyOffice(code=code)
    office.name, office.community, office.company_name = name, community, company_name
    office.address, office.phone = address, phone
    office.full_clean()
    office.save()
    if before is None:
        audit_created(actor=actor, instance=office)
    else:
        audit_updated(actor=actor, instance=office, before=before)
    if with_window and not office.windows.exists():
        window = ServiceWindow.objects.create(
            name=name, kind=WindowKind.PROPERTY_OFFICE, property_office=office, community=community, address=address,
            phone=phone,
        )  # fmt: skip
        audit_created(actor=actor, instance=window)
    return office
