"""Writes on the organisation: workstations and property offices (with their windows), service-group members (who
answers for what) and each group's WeCom robot."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiati.accounts.models import Role
from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, audit_updated, snapshot
from jiati.core.errors import Refusals, get_visible_or_404, refuse
from jiati.core.personal_data import phone_or_refuse
from jiati.organisation.models import (
    GroupLevel,
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
    station.name, station.address = name, address
    with Refusals() as checked:  # the phone with the model's own checks
        station.phone = phone = checked(phone_or_refuse, phone)
        checked(station.full_clean, exclude=["phone"])
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
    must_be_new: bool = False,
) -> PropertyOffice:
    """Create or update a property office (by its code); `with_window` opens a service window there.
    `must_be_new`: the page that creates one refuses a code already taken rather than changing that office."""
    _community_check(community)
    if not _may_edit_in(actor, community):
        raise PermissionDenied
    office = PropertyOffice.objects.select_for_update().filter(code=code).first()
    if office is not None and must_be_new:
        raise refuse(_("A property office with this code exists already."), code="duplicate_code", field="code")
    if office is not None and not _may_edit_in(actor, office.community):
        raise PermissionDenied
    before = snapshot(office) if office else None
    office = office or PropertyOffice(code=code)
    office.name, office.community, office.company_name = name, community, company_name
    office.address = address
    with Refusals() as checked:  # the phone with the model's own checks
        office.phone = phone = checked(phone_or_refuse, phone)
        checked(office.full_clean, exclude=["phone"])
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


# The region a group of each level answers for.
GROUP_REGION_LEVEL = {
    GroupLevel.DISTRICT_OFFICE: RegionLevel.DISTRICT,
    GroupLevel.SUBDISTRICT_GROUP: RegionLevel.SUBDISTRICT,
    GroupLevel.COMMUNITY_GROUP: RegionLevel.COMMUNITY,
    GroupLevel.PROPERTY_GROUP: RegionLevel.COMMUNITY,
}


def group_levels_for(actor) -> list[str]:
    """The group levels `actor` may create and change (delegated administration: a subdistrict group keeps its own
    tier and those below it, a district office every tier of its district, the platform administrator all)."""
    if not can_edit_organisation(actor):
        return []
    if actor.role == Role.SUBDISTRICT:
        return [GroupLevel.SUBDISTRICT_GROUP, GroupLevel.COMMUNITY_GROUP, GroupLevel.PROPERTY_GROUP]
    return list(GroupLevel.values)


@transaction.atomic
def service_group_save(
    *, actor, group: ServiceGroup | None = None, name: str, level: str, region: Region, property_office=None
) -> ServiceGroup:
    """Create a service group, or change one's name, tier and area, inside the actor's reach; all refusals at once."""
    allowed = group_levels_for(actor)
    if not allowed:
        raise PermissionDenied
    if group is not None:
        group = get_visible_or_404(ServiceGroup.objects.visible_to(actor).select_for_update(), pk=group.pk)
        if group.level not in allowed:
            raise PermissionDenied
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    errors = {}
    if level not in allowed:
        errors["level"] = ValidationError(_("Your role may not keep a group of this tier."), code="tier_not_yours")
    elif region.is_retired or region.level != GROUP_REGION_LEVEL[level]:
        errors["region"] = ValidationError(
            _("A group of this tier answers for a %(level)s that is in use.")
            % {"level": str(RegionLevel(GROUP_REGION_LEVEL[level]).label).lower()},
            code="region_not_of_tier",
        )
    if level == GroupLevel.PROPERTY_GROUP:
        if property_office is None:
            errors["property_office"] = ValidationError(_("Choose the property office of this group."), code="required")
        elif property_office.community_id != region.pk:
            errors["property_office"] = ValidationError(
                _("Choose a property office in this community."), code="office_not_in_community"
            )
    elif property_office is not None:
        errors["property_office"] = ValidationError(
            _("Only a property service group belongs to a property office."), code="office_not_for_tier"
        )
    if errors:
        raise ValidationError(errors)
    before = snapshot(group) if group is not None else None
    group = group or ServiceGroup()
    group.name, group.level, group.region, group.property_office = name.strip(), level, region, property_office
    group.full_clean(exclude=["wecom_webhook_url"])
    group.save()
    if before is None:
        audit_created(actor=actor, instance=group)
    else:
        audit_updated(actor=actor, instance=group, before=before)
    return group
