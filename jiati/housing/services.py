"""Writes on the housing stock. Pages, the API, imports and the demo all go through here.

Each service checks the actor may edit the housing stock, locks the rows it changes inside the actor's scope
(`jiati.core.services.lock_visible`: another area's row answers like a missing one), validates (field rules,
then the cross-object rules a database constraint cannot express, such as "a stairwell has no more floors than
its building" — plain functions below, which the importer applies to its rows too), saves inside a transaction
and writes an audit entry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jiati.accounts.permissions import can_edit_housing, sees_personal_data
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, save_if_changed, snapshot
from jiati.core.errors import refuse
from jiati.core.personal_data import (
    mask_id_number,
    normalise_id_number,
    phone_or_refuse,
    validate_credit_code,
    validate_resident_id,
)
from jiati.core.ratelimit import limit_hit
from jiati.core.services import lock_visible, require
from jiati.housing.models import Building, Dwelling, Estate, Owner, OwnerKind, Ownership, Stairwell
from jiati.organisation.models import PropertyOffice, Region

ESTATE_FIELDS = ("code", "name", "address", "community", "property_office", "year_built", "responsible_staff")
BUILDING_FIELDS = ("number", "storeys", "year_built", "structure", "responsible_person")
STAIRWELL_FIELDS = ("number", "storeys", "has_elevator")
DWELLING_FIELDS = ("floor", "room", "area_register", "area_survey", "area_contract")
OWNER_FIELDS = ("kind", "name", "id_number", "phone")


def _apply(instance, fields: tuple[str, ...], data: dict[str, Any]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


# --- owners -----------------------------------------------------------------


def owner_identity_clean(*, kind: str, id_number: str) -> str:
    """Validate an owner's identity number by kind: resident ID for a person, credit code otherwise."""
    number = normalise_id_number(id_number)
    if not number:
        raise refuse(_("An ID number is required."), code="required", field="id_number")
    try:
        return validate_resident_id(number) if kind == OwnerKind.PERSON else validate_credit_code(number)
    except Exception as exc:
        raise refuse(
            exc.messages[0] if hasattr(exc, "messages") else str(exc), code="invalid_id_number", field="id_number"
        ) from exc


def phone_clean(phone: str) -> str:
    return phone_or_refuse(phone, field="phone")


@transaction.atomic
def owner_create(*, actor, kind: str, name: str, id_number: str, phone: str = "") -> Owner:
    require(can_edit_housing(actor))
    owner = Owner(
        kind=kind,
        name=name.strip(),
        id_number=owner_identity_clean(kind=kind, id_number=id_number),
        phone=phone_clean(phone),
    )
    owner.full_clean()
    owner.save()
    audit_created(actor=actor, instance=owner)
    return owner


# A person at a community window looks up a few owners an hour; a script guessing numbers needs thousands.
ID_SEARCHES_PER_HOUR = 30


def owner_id_search(*, actor, id_number: str) -> str:
    """Allow one search of owners by ID number, or refuse it; returns the number as stored.

    Only a role that sees ID numbers in full may search by one: to anyone else the exact match would confirm a
    guessed number one bit at a time (a full number in minutes). Throttled per person in the shared cache and
    each search audited, so guessing is slow and seen.
    """
    if actor is None or not sees_personal_data(actor, "id_number"):
        raise ValidationError(
            _("Your role sees ID numbers masked, so it may not search by one."), code="id_search_not_allowed"
        )
    limit_hit(
        f"owner-id-search:{actor.pk}",
        ID_SEARCHES_PER_HOUR,
        field=None,
        message=_("Too many searches by ID number in an hour; try again later."),
    )
    number = normalise_id_number(id_number)
    audit_record(
        actor=actor,
        instance=actor,
        action=AuditAction.EVENT,
        changes={"owner_search_id_number": mask_id_number(number)},
        message="owner search by ID number",
    )
    return number


@transaction.atomic
def owner_update(*, actor, owner: Owner, **data) -> Owner:
    require(can_edit_housing(actor))
    owner = lock_visible(Owner, user=actor, pks=owner.pk)
    before = snapshot(owner)
    _apply(owner, OWNER_FIELDS, data)
    owner.id_number = owner_identity_clean(kind=owner.kind, id_number=owner.id_number)
    owner.phone = phone_clean(owner.phone)
    owner.full_clean()
    save_if_changed(actor=actor, instance=owner, before=before)
    return owner


@transaction.atomic
def ownership_add(*, actor, owner: Owner, dwelling: Dwelling, is_primary: bool = False, since=None) -> Ownership:
    require(can_edit_housing(actor))
    dwelling = lock_visible(Dwelling, user=actor, pks=dwelling.pk)  # one writer per dwelling: one primary owner
    if Ownership.objects.filter(owner=owner, dwelling=dwelling).exists():
        raise refuse(_("This owner already holds this dwelling."), code="duplicate", field="owner")
    if is_primary:
        Ownership.objects.filter(dwelling=dwelling, is_primary=True).update(is_primary=False)
    elif not Ownership.objects.filter(dwelling=dwelling).exists():
        is_primary = True
    ownership = Ownership.objects.create(owner=owner, dwelling=dwelling, is_primary=is_primary, since=since)
    audit_created(actor=actor, instance=ownership)
    return ownership


# --- estates, buildings, stairwells, dwellings ------------------------------


@transaction.atomic
def estate_create(*, actor, **data) -> Estate:
    require(can_edit_housing(actor))
    estate = Estate()
    _apply(estate, ESTATE_FIELDS, data)
    _estate_units_check(estate, actor)
    _estate_check(estate)
    estate.save()
    audit_created(actor=actor, instance=estate)
    return estate


@transaction.atomic
def estate_update(*, actor, estate: Estate, **data) -> Estate:
    require(can_edit_housing(actor))
    estate = lock_visible(Estate, user=actor, pks=estate.pk)
    before = snapshot(estate)
    old_community_id = estate.community_id
    _apply(estate, ESTATE_FIELDS, data)
    _estate_units_check(estate, actor)
    _estate_check(estate)
    save_if_changed(actor=actor, instance=estate, before=before)
    if estate.community_id != old_community_id:
        estate_community_copy(estate=estate)
    return estate


def estate_community_copy(*, estate: Estate) -> None:
    """The community is copied down the tree for scoping; keep the copies true when an estate moves."""
    for model in (Building, Stairwell, Dwelling):
        model.objects.filter(estate=estate).update(community_id=estate.community_id)
    Ownership.objects.filter(dwelling__estate=estate).update(community_id=estate.community_id)


def estate_office_check(*, office_subdistrict_id: int | None, community_subdistrict_id: int | None) -> None:
    """A property office may serve several estates, but within one subdistrict."""
    if office_subdistrict_id != community_subdistrict_id:
        raise refuse(
            _("The property office is in another subdistrict."), code="office_elsewhere", field="property_office"
        )


def _estate_units_check(estate: Estate, actor) -> None:
    """The community and the property office an estate is put under must be the actor's to see."""
    if estate.community_id and not Region.objects.visible_to(actor).filter(pk=estate.community_id).exists():
        raise PermissionDenied
    if (
        estate.property_office_id
        and not PropertyOffice.objects.visible_to(actor).filter(pk=estate.property_office_id).exists()
    ):
        raise PermissionDenied


def _estate_check(estate: Estate) -> None:
    estate.full_clean()
    if estate.community.level != "community":
        raise refuse(_("An estate belongs to a community."), code="not_a_community", field="community")
    if estate.property_office_id:
        estate_office_check(
            office_subdistrict_id=estate.property_office.community.parent_id,
            community_subdistrict_id=estate.community.parent_id,
        )


@transaction.atomic
def building_create(*, actor, estate: Estate, **data) -> Building:
    require(can_edit_housing(actor))
    estate = lock_visible(Estate, user=actor, pks=estate.pk)
    building = Building(estate=estate, community_id=estate.community_id)
    _apply(building, BUILDING_FIELDS, data)
    building.full_clean()
    building.save()
    audit_created(actor=actor, instance=building)
    return building


@transaction.atomic
def building_update(*, actor, building: Building, **data) -> Building:
    require(can_edit_housing(actor))
    building = lock_visible(Building, user=actor, pks=building.pk)
    before = snapshot(building)
    _apply(building, BUILDING_FIELDS, data)
    building.full_clean()
    building_storeys_check(storeys=building.storeys, highest=building.stairwells.aggregate(m=Max("storeys"))["m"])
    save_if_changed(actor=actor, instance=building, before=before)
    return building


def building_storeys_check(*, storeys: int, highest: int | None) -> None:
    """A building is at least as tall as its tallest stairwell."""
    if highest and storeys < highest:
        raise refuse(
            _("The building cannot have fewer storeys (%(storeys)s) than its tallest stairwell (%(highest)s)."),
            code="storeys_below_stairwell",
            field="storeys",
            params={"storeys": storeys, "highest": highest},
        )


def stairwell_floors_check(*, storeys: int, top: int | None) -> None:
    """A stairwell keeps every floor that has a dwelling."""
    if top and storeys < top:
        raise refuse(
            _("There are dwellings on floor %(top)s; the stairwell cannot have fewer floors."),
            code="storeys_below_dwelling",
            field="storeys",
            params={"top": top},
        )


def stairwell_storeys_check(*, storeys: int, building_storeys: int) -> None:
    if storeys > building_storeys:
        raise refuse(
            _("The stairwell has %(storeys)s floors but its building only %(building)s."),
            code="storeys_above_building",
            field="storeys",
            params={"storeys": storeys, "building": building_storeys},
        )


@transaction.atomic
def stairwell_create(*, actor, building: Building, **data) -> Stairwell:
    require(can_edit_housing(actor))
    building = lock_visible(Building, user=actor, pks=building.pk)
    stairwell = Stairwell(building=building, estate_id=building.estate_id, community_id=building.community_id)
    _apply(stairwell, STAIRWELL_FIELDS, data)
    stairwell.full_clean()
    stairwell_storeys_check(storeys=stairwell.storeys, building_storeys=building.storeys)
    stairwell.save()
    audit_created(actor=actor, instance=stairwell)
    return stairwell


@transaction.atomic
def stairwell_update(*, actor, stairwell: Stairwell, **data) -> Stairwell:
    require(can_edit_housing(actor))
    stairwell = lock_visible(Stairwell.objects.select_related("building"), user=actor, pks=stairwell.pk)
    before = snapshot(stairwell)
    _apply(stairwell, STAIRWELL_FIELDS, data)
    stairwell.full_clean()
    stairwell_storeys_check(storeys=stairwell.storeys, building_storeys=stairwell.building.storeys)
    stairwell_floors_check(storeys=stairwell.storeys, top=stairwell.dwellings.aggregate(m=Max("floor"))["m"])
    save_if_changed(actor=actor, instance=stairwell, before=before)
    return stairwell


def dwelling_area_clean(*, register: Decimal | None, survey: Decimal | None, contract: Decimal | None):
    """The counted area and its source; every given area must be positive and one must be given."""
    for field, value in (("area_register", register), ("area_survey", survey), ("area_contract", contract)):
        if value is not None and value <= 0:
            raise refuse(_("An area must be greater than zero."), code="area_not_positive", field=field)
    area, source = Dwelling.effective_area(register, survey, contract)
    if area is None:
        raise refuse(
            _("Give at least one area: registered, surveyed or contract."), code="area_missing", field="area_register"
        )
    return area, source


def dwelling_floor_check(*, floor: int, stairwell_storeys: int) -> None:
    if floor < 1 or floor > stairwell_storeys:
        raise refuse(
            _("Floor %(floor)s does not exist in a stairwell of %(storeys)s floors."),
            code="floor_out_of_range",
            field="floor",
            params={"floor": floor, "storeys": stairwell_storeys},
        )


@transaction.atomic
def dwelling_create(*, actor, stairwell: Stairwell, **data) -> Dwelling:
    require(can_edit_housing(actor))
    stairwell = lock_visible(Stairwell, user=actor, pks=stairwell.pk)
    dwelling = Dwelling(
        stairwell=stairwell,
        building_id=stairwell.building_id,
        estate_id=stairwell.estate_id,
        community_id=stairwell.community_id,
    )
    _apply(dwelling, DWELLING_FIELDS, data)
    _dwelling_check(dwelling, stairwell)
    dwelling.save()
    audit_created(actor=actor, instance=dwelling)
    return dwelling


@transaction.atomic
def dwelling_update(*, actor, dwelling: Dwelling, **data) -> Dwelling:
    require(can_edit_housing(actor))
    dwelling = lock_visible(Dwelling.objects.select_related("stairwell"), user=actor, pks=dwelling.pk)
    before = snapshot(dwelling)
    _apply(dwelling, DWELLING_FIELDS, data)
    _dwelling_check(dwelling, dwelling.stairwell)
    save_if_changed(actor=actor, instance=dwelling, before=before)
    return dwelling


def _dwelling_check(dwelling: Dwelling, stairwell: Stairwell) -> None:
    dwelling.exclusive_area, dwelling.area_source = dwelling_area_clean(
        register=dwelling.area_register, survey=dwelling.area_survey, contract=dwelling.area_contract
    )
    dwelling_floor_check(floor=dwelling.floor, stairwell_storeys=stairwell.storeys)
    dwelling.full_clean()
