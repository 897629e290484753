"""Assigning estates to staff (分片包干) and buildings to a named person (专人包栋): one by one, or from a table."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.administration.models import BuildingAssignment, EstateAssignment
from jiati.administration.tables import Column, read_table
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.core.errors import refuse
from jiati.housing.models import Building, Estate


def _check(actor, queryset, obj, person) -> None:
    """`actor=None` is the server's operator (commands); otherwise the object and the person must be in its area."""
    if actor is None:
        if not (person.is_active and person.is_staff_member):
            raise refuse(_("Choose an active staff member."), code="not_staff", field="person")
        return
    if not can_edit_organisation(actor) or not queryset.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied
    if not staff_visible_to(user=actor).filter(pk=person.pk).exists():
        raise refuse(_("Choose a staff member of your area."), code="not_in_area", field="person")


@transaction.atomic
def estate_assign(*, actor, estate: Estate, person) -> EstateAssignment:
    _check(actor, Estate.objects, estate, person)
    current = EstateAssignment.objects.select_for_update().filter(estate=estate).first()
    before = current.person_id if current else None
    assignment, _created = EstateAssignment.objects.update_or_create(estate=estate, defaults={"person": person})
    if before != person.pk:
        audit_record(
            actor=actor, instance=estate, action=AuditAction.UPDATE, changes={"answers_for_it": [before, person.pk]}
        )
    return assignment


@transaction.atomic
def building_assign(*, actor, building: Building, person) -> BuildingAssignment:
    _check(actor, Building.objects, building, person)
    current = BuildingAssignment.objects.select_for_update().filter(building=building).first()
    before = current.person_id if current else None
    assignment, _created = BuildingAssignment.objects.update_or_create(building=building, defaults={"person": person})
    if before != person.pk:
        audit_record(
            actor=actor, instance=building, action=AuditAction.UPDATE, changes={"answers_for_it": [before, person.pk]}
        )
    return assignment


def estates_unanswered(*, user):
    """Estates in the user's area that no one answers for."""
    return Estate.objects.visible_to(user).filter(assignment__isnull=True).select_related("community").order_by("code")


def buildings_unanswered(*, user):
    """Buildings in the user's area with no named person."""
    return (
        Building.objects.visible_to(user)
        .filter(assignment__isnull=True)
        .select_related("estate")
        .order_by("estate__code", "number")
    )


COLUMNS = [
    Column("estate_code", "小区编码", gettext_lazy("Estate code")),
    Column("building", "楼栋号", gettext_lazy("Building number"), required=False),
    Column("person", "负责人", gettext_lazy("Person (phone or login)")),
]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class AssignmentImportResult:
    dry_run: bool
    rows: int = 0
    estates: int = 0
    buildings: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors


def assignments_import(*, actor, path: str, name: str, dry_run: bool) -> AssignmentImportResult:
    """Rows of estate (and building) → person; all or nothing."""
    from jiati.accounts.models import User

    records = read_table(path, name, COLUMNS)
    result = AssignmentImportResult(dry_run=dry_run, rows=len(records))
    labels = {c.key: str(c.en) for c in COLUMNS}
    estates = {e.code: e for e in Estate.objects.filter(code__in={v["estate_code"] for _n, v in records})}
    with transaction.atomic():
        for number, values in records:
            estate = estates.get(values["estate_code"])
            if estate is None:
                result.errors.append(RowError(number, labels["estate_code"], _("No estate has this code.")))
                continue
            key = values["person"].strip()
            person = (
                User.objects.filter(Q(phone=key) | Q(username__iexact=key), is_active=True).first() if key else None
            )
            if person is None:
                result.errors.append(RowError(number, labels["person"], _("No active login has this phone or login.")))
                continue
            try:
                with transaction.atomic():
                    if values.get("building"):
                        building = Building.objects.filter(estate=estate, number=values["building"]).first()
                        if building is None:
                            raise ValidationError({"building": [_("The estate has no building of this number.")]})
                        building_assign(actor=actor, building=building, person=person)
                        result.buildings += 1
                    else:
                        estate_assign(actor=actor, estate=estate, person=person)
                        result.estates += 1
            except PermissionDenied:
                result.errors.append(RowError(number, labels["estate_code"], _("This estate is outside your area.")))
            except ValidationError as exc:
                for key_, messages in exc.message_dict.items():
                    for message in messages:
                        result.errors.append(RowError(number, labels.get(key_, key_), message))
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result
