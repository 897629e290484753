"""Writes on elevators in service: the record made when a project enters service, maintenance visits,
periodic inspections, fault reports from the car, alerts and escalation, running costs and their payments.

Every write checks who may do it, validates (one ValidationError naming each field), locks the row it
changes, is audited and tells the people concerned.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.models import Role, User
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record, diff, save_if_changed, snapshot
from jiati.consent.sharing import ShareInputError, Unit, share_costs
from jiati.core.errors import Refusals, refuse
from jiati.core.personal_data import mask_phone, validate_phone
from jiati.core.ratelimit import limit_hit
from jiati.core.site import absolute_url
from jiati.core.stored_text import Choice, Message
from jiati.core.uploads import check_upload
from jiati.elevators import permissions
from jiati.elevators.models import (
    OPEN_FAULT_STATUSES,
    Elevator,
    ElevatorStatus,
    FaultEvent,
    FaultKind,
    FaultReport,
    FaultStatus,
    Inspection,
    InspectionResult,
    MaintenanceVisit,
    RunningCost,
    RunningCostPayment,
    RunningCostShare,
    ShareMethod,
)
from jiati.housing.models import Dwelling
from jiati.notifications.channels import get_sms_sender
from jiati.notifications.services import notify

logger = logging.getLogger("jiati.elevators")

VISIT_FIELDS = ("elevator", "maintainer", "visited_on", "items", "days_late")
EQUIPMENT_CODE_RE = re.compile(r"^\d{20}$")
ELEVATOR_FIELDS = (
    "equipment_code",
    "registration_number",
    "registered_on",
    "maker",
    "model_name",
    "rated_load_kg",
    "speed",
    "stops",
    "installer",
    "maintainer",
    "contract_start",
    "contract_end",
    "contract_fee",
    "fee_payer",
    "free_maintenance_until",
    "takeover_maintainer",
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _staff_of(elevator: Elevator, *roles: str):
    """Active staff of these roles whose region contains the elevator's community."""
    path = elevator.community.path
    users = User.objects.filter(role__in=roles, is_active=True, region__isnull=False).select_related("region")
    return [u for u in users if path.startswith(u.region.path)]


def _maintainer_staff(elevator: Elevator):
    if not elevator.maintainer_id:
        return []
    return list(User.objects.filter(company_id=elevator.maintainer_id, is_active=True))


def elevator_url(elevator: Elevator) -> str:
    return reverse("elevators:detail", args=[elevator.pk])


# --- the record -----------------------------------------------------------------------------------------


@transaction.atomic
def elevator_create_for_project(*, project, actor) -> Elevator:
    """The project entered service: its elevator gets a record (once), with what the project knows, and the first
    periodic inspection falls due a year later. The registration details are completed on the elevator's page."""
    existing = Elevator.objects.filter(project=project).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    elevator = Elevator.objects.create(
        project=project,
        stairwell_id=project.stairwell_id,
        estate_id=project.estate_id,
        community_id=project.community_id,
        maker_id=project.brand_id,
        installer_id=project.contractor_id,
        maintainer_id=project.maintainer_id,
        stops=project.stairwell.storeys,
        in_service_since=today,
        next_inspection_due=today.replace(year=today.year + 1)
        if not (today.month == 2 and today.day == 29)
        else today + dt.timedelta(days=365),
    )
    Inspection.objects.create(elevator=elevator, due_on=elevator.next_inspection_due)
    audit_record(actor=actor, instance=elevator, action=AuditAction.CREATE, changes=diff({}, snapshot(elevator)))
    if elevator.maintainer_id:
        notify(
            recipients=_maintainer_staff(elevator),
            kind="elevator_in_service",
            title=Message(gettext_noop("A new elevator in your care: %(place)s"), place=elevator.place),
            url=elevator_url(elevator),
            dedupe_key=f"elevator-new-{elevator.pk}",
        )
    return elevator


def _validate_elevator(values: dict) -> dict:
    errors: dict[str, list] = {}
    code = (values.get("equipment_code") or "").replace(" ", "")
    if code and not EQUIPMENT_CODE_RE.match(code):
        errors["equipment_code"] = [
            ValidationError(
                _("The equipment code has 20 digits (“%(value)s” has %(count)s characters)."),
                code="equipment_code",
                params={"value": code, "count": len(code)},
            )
        ]
    values["equipment_code"] = code
    start, end = values.get("contract_start"), values.get("contract_end")
    if start and end and end < start:
        errors["contract_end"] = [
            ValidationError(_("The contract cannot end before it starts."), code="contract_dates")
        ]
    for name in ("maker", "installer", "maintainer", "takeover_maintainer"):
        company = values.get(name)
        if company is None:
            continue
        wanted = {"maker": "is_manufacturer", "installer": "is_contractor"}.get(name, "is_maintainer")
        if not getattr(company, wanted):
            errors[name] = [
                ValidationError(
                    _("“%(company)s” is not registered as this kind of company."),
                    code="wrong_kind",
                    params={"company": company.name},
                )
            ]
    fee = values.get("contract_fee")
    if fee is not None and fee < 0:
        errors["contract_fee"] = [ValidationError(_("The fee cannot be negative."), code="negative")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def elevator_update(*, actor, elevator: Elevator, **values) -> Elevator:
    """Registration, technical data, maintainer and contract, kept by the staff of the elevator's area."""
    _require(permissions.can_edit(actor, elevator))
    unknown = set(values) - set(ELEVATOR_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields {unknown}")
    elevator = Elevator.objects.select_for_update().get(pk=elevator.pk)
    values = _validate_elevator(values)
    if values.get("equipment_code") and (
        Elevator.objects.filter(equipment_code=values["equipment_code"]).exclude(pk=elevator.pk).exists()
    ):
        raise refuse(
            _("Another elevator already has this equipment code."), code="duplicate_code", field="equipment_code"
        )
    before = snapshot(elevator)
    for name, value in values.items():
        setattr(elevator, name, value)
    save_if_changed(actor=actor, instance=elevator, before=before)
    return elevator


@transaction.atomic
def elevator_retire(*, actor, elevator: Elevator, reason: str) -> Elevator:
    """Take an elevator out of service: its QR code stops accepting reports."""
    _require(permissions.can_edit(actor, elevator))
    if not (reason or "").strip():
        raise refuse(_("Give a reason."), code="reason_required", field="reason")
    elevator = Elevator.objects.select_for_update().get(pk=elevator.pk)
    elevator.status = ElevatorStatus.RETIRED
    elevator.save(update_fields=["status"])
    audit_record(
        actor=actor, instance=elevator, action=AuditAction.UPDATE, changes={"status": ["in_service", "retired"]},
        message=reason,
    )  # fmt: skip
    return elevator


# --- maintenance and inspections ------------------------------------------------------------------------


def maintenance_interval() -> int:
    return int(settings.JIATI_MAINTENANCE_INTERVAL_DAYS)


@transaction.atomic
def visit_record(*, actor, elevator: Elevator, visited_on: dt.date | None, items: str, photo=None) -> MaintenanceVisit:
    """The maintainer records a visit on site. Not in the future; lateness against the interval in force."""
    _require(permissions.can_record_visit(actor, elevator))
    elevator = Elevator.objects.select_for_update().get(pk=elevator.pk)
    today = timezone.localdate()
    with Refusals() as checked:  # every wrong field at once
        if visited_on is None:
            checked.add(refuse(_("Give the date of the visit."), code="required", field="visited_on"))
        elif visited_on > today:
            checked.add(
                refuse(
                    _("The visit cannot be in the future (%(date)s is after today)."),
                    code="future_date",
                    params={"date": visited_on.isoformat()},
                    field="visited_on",
                )
            )
        elif visited_on < elevator.in_service_since:
            checked.add(
                refuse(_("The elevator was not in service yet on that day."), code="before_service", field="visited_on")
            )
        if not (items or "").strip():
            checked.add(refuse(_("Say what was done."), code="required", field="items"))
        if photo is not None:
            checked(check_upload, photo, field="photo", allowed=(".jpg", ".jpeg", ".png"), max_bytes=8 * 1024 * 1024)
    previous = elevator.visits.filter(visited_on__lte=visited_on).order_by("-visited_on").first()
    since = previous.visited_on if previous else elevator.in_service_since
    visit = MaintenanceVisit(
        elevator=elevator,
        maintainer_id=elevator.maintainer_id or actor.company_id,
        visited_on=visited_on,
        items=items.strip(),
        days_late=max(0, (visited_on - since).days - maintenance_interval()),
        recorded_by=actor,
    )
    if photo is not None:
        visit.photo.save(photo.name, photo, save=False)
    visit.save()
    if elevator.last_visit_on is None or visited_on > elevator.last_visit_on:
        elevator.last_visit_on = visited_on
        elevator.save(update_fields=["last_visit_on"])
    audit_record(
        actor=actor, instance=visit, action=AuditAction.CREATE, changes=diff({}, snapshot(visit, VISIT_FIELDS))
    )
    return visit


@transaction.atomic
def inspection_record(
    *, actor, inspection: Inspection, inspected_on: dt.date | None, result: str, defects: str = "", body: str = ""
) -> Inspection:
    """Record the result of a periodic inspection; a pass schedules the next one a year after it."""
    _require(permissions.can_edit(actor, inspection.elevator))
    inspection = Inspection.objects.select_for_update().select_related("elevator").get(pk=inspection.pk)
    errors: dict[str, list] = {}
    if inspected_on is None:
        errors["inspected_on"] = [ValidationError(_("Give the date of the inspection."), code="required")]
    elif inspected_on > timezone.localdate():
        errors["inspected_on"] = [ValidationError(_("The inspection cannot be in the future."), code="future_date")]
    if result not in (InspectionResult.PASSED, InspectionResult.PASSED_AFTER_RECTIFICATION, InspectionResult.FAILED):
        errors["result"] = [ValidationError(_("Choose the result."), code="required")]
    if result != InspectionResult.PASSED and not (defects or "").strip():
        errors["defects"] = [ValidationError(_("List the defects found."), code="required")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(inspection)
    inspection.inspected_on, inspection.result = inspected_on, result
    inspection.defects, inspection.body, inspection.recorded_by = defects.strip(), body.strip(), actor
    inspection.save()
    audit_record(
        actor=actor, instance=inspection, action=AuditAction.UPDATE, changes=diff(before, snapshot(inspection))
    )
    elevator = inspection.elevator
    if result == InspectionResult.FAILED:
        next_due = inspected_on + dt.timedelta(days=30)  # a re-inspection after the defects are rectified
    else:
        next_due = inspected_on + dt.timedelta(days=365)
    Inspection.objects.create(elevator=elevator, due_on=next_due)
    elevator.next_inspection_due = next_due
    elevator.save(update_fields=["next_inspection_due"])
    return inspection


# --- alerts ----------------------------------------------------------------------------------------------


def alert_filters(today: dt.date | None = None) -> dict[str, Q]:
    """The three conditions that need someone's attention, as filters on elevators in service."""
    today = today or timezone.localdate()
    visit_due_before = today - dt.timedelta(days=maintenance_interval())
    in_service = Q(status=ElevatorStatus.IN_SERVICE)
    return {
        "visit_overdue": in_service
        & (
            Q(last_visit_on__lt=visit_due_before) | Q(last_visit_on__isnull=True, in_service_since__lt=visit_due_before)
        ),
        "inspection_due": in_service
        & Q(next_inspection_due__lte=today + dt.timedelta(days=settings.JIATI_INSPECTION_WARNING_DAYS)),
        "contract_expired": in_service & Q(contract_end__lt=today),
    }


ALERT_TITLES = {
    "visit_overdue": lambda e: (
        _("Maintenance visit overdue: %(place)s (last %(date)s)")
        % {"place": e.place, "date": e.last_visit_on.isoformat() if e.last_visit_on else "—"}
    ),
    "inspection_due": lambda e: (
        _("Periodic inspection due on %(date)s: %(place)s")
        % {"place": e.place, "date": e.next_inspection_due.isoformat()}
    ),
    "contract_expired": lambda e: (
        _("Maintenance contract expired on %(date)s: %(place)s")
        % {"place": e.place, "date": e.contract_end.isoformat()}
    ),
}


def alerts_notify(*, today: dt.date | None = None) -> int:
    """The daily sweep: tell the maintainer, the community and the district about each alert (once per alert
    and date it refers to)."""
    today = today or timezone.localdate()
    sent = 0
    for key, condition in alert_filters(today).items():
        for elevator in Elevator.objects.filter(condition).select_related("estate", "stairwell__building", "community"):
            marker = {
                "visit_overdue": elevator.last_visit_on,
                "inspection_due": elevator.next_inspection_due,
                "contract_expired": elevator.contract_end,
            }[key]
            recipients = [
                *_maintainer_staff(elevator),
                *_staff_of(elevator, Role.COMMUNITY, Role.DISTRICT_OFFICE),
            ]
            sent += len(
                notify(
                    recipients=recipients,
                    kind=f"elevator_{key}",
                    title=ALERT_TITLES[key](elevator),
                    url=elevator_url(elevator),
                    dedupe_key=f"elevator-{elevator.pk}-{key}-{marker}",
                )
            )
    return sent


# --- fault reports ------------------------------------------------------------------------------------------


def _rate_limit(key: str, limit: int, *, field: str, message) -> None:
    """Count in the shared cache for an hour; refuse beyond `limit` (the counter lives in core.ratelimit)."""
    limit_hit(key, limit, field=field, message=message)


def fault_rate_check(*, phone: str, address: str | None) -> None:
    """Refuse a flood of reports from one phone or one network address (per hour)."""
    _rate_limit(
        f"fault-phone-{phone}",
        settings.JIATI_FAULT_REPORTS_PER_PHONE_HOUR,
        field="phone",
        message=_("Too many reports from this phone in the last hour. If someone is trapped, call the numbers above."),
    )
    if address:
        _rate_limit(
            f"fault-address-{address}",
            settings.JIATI_FAULT_REPORTS_PER_ADDRESS_HOUR,
            field="phone",
            message=_(
                "Too many reports from this network in the last hour. If someone is trapped, call the numbers above."
            ),
        )


def fault_validate(*, elevator: Elevator | None, kind: str, phone: str, description: str = "") -> dict:
    """Check a report before a code is sent: a live elevator, a known kind, a valid phone."""
    errors: dict[str, list] = {}
    if elevator is None or elevator.status != ElevatorStatus.IN_SERVICE:
        raise refuse(_("This QR code is unknown or no longer in use."), code="unknown_qr")
    if kind not in FaultKind.values:
        errors["kind"] = [ValidationError(_("Choose what is wrong."), code="required")]
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = [exc]
    if len(description or "") > 1000:
        errors["description"] = [ValidationError(_("Keep the details under 1,000 characters."), code="too_long")]
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "phone": phone, "description": (description or "").strip()}


def _fault_event(report: FaultReport, *, status: str = "", message: str = "", actor=None) -> None:
    FaultEvent.objects.create(report=report, status=status, message=message[:255], actor=actor)


def fault_url(report: FaultReport) -> str:
    return reverse("elevators:fault-detail", args=[report.pk])


@transaction.atomic
def fault_report(*, elevator: Elevator, kind: str, phone: str, description: str = "", actor=None) -> FaultReport:
    """Record a fault (the phone already confirmed by a one-time code, or a staff member reporting) and tell the
    maintainer at once through every notification channel; someone trapped also alerts the community."""
    values = fault_validate(elevator=elevator, kind=kind, phone=phone, description=description)
    report = FaultReport.objects.create(
        elevator=elevator,
        maintainer_id=elevator.maintainer_id,
        urgent=values["kind"] == FaultKind.TRAPPED,
        **values,
    )
    _fault_event(report, status=FaultStatus.REPORTED, message=report.get_kind_display(), actor=actor)
    audit_record(
        actor=actor,
        instance=report,
        action=AuditAction.CREATE,
        changes={"kind": [None, report.kind], "phone": [None, mask_phone(report.phone)]},
    )
    title = Message(
        gettext_noop("URGENT — someone trapped: %(place)s")
        if report.urgent
        else gettext_noop("Fault reported: %(what)s, %(place)s"),
        place=elevator.place,
        what=Choice.of(report, "kind"),
    )
    recipients = _maintainer_staff(elevator)
    if report.urgent:
        recipients += _staff_of(elevator, Role.COMMUNITY)
    transaction.on_commit(lambda: _tell_reporter(report))
    notify(
        recipients=recipients,
        kind="fault_urgent" if report.urgent else "fault_reported",
        title=title,
        body=report.description,
        url=fault_url(report),
        dedupe_key=f"fault-{report.pk}",
    )
    return report


def _tell_reporter(report: FaultReport) -> None:
    """A text message to the reporter with the link to follow the report (after the commit; a gateway failure
    must not lose the report)."""
    link = absolute_url(reverse("elevators:follow", args=[report.follow_token]))
    try:
        get_sms_sender().send(
            phone=report.phone,
            text=_("Your elevator fault report was received. Follow it here: %(link)s") % {"link": link},
        )
    except Exception:  # the report stands; the page already showed the link
        logger.warning("could not text the follow-up link of fault report %s", report.pk)


def _lock_report(report: FaultReport) -> FaultReport:
    return FaultReport.objects.select_for_update().select_related("elevator").get(pk=report.pk)


@transaction.atomic
def fault_acknowledge(*, actor, report: FaultReport) -> FaultReport:
    _require(permissions.can_handle_fault(actor, report))
    report = _lock_report(report)
    if report.status != FaultStatus.REPORTED:
        raise refuse(_("This report has already been acknowledged."), code="fault_state")
    report.status, report.acknowledged_at = FaultStatus.ACKNOWLEDGED, timezone.now()
    report.save(update_fields=["status", "acknowledged_at"])
    _fault_event(report, status=report.status, actor=actor)
    audit_record(
        actor=actor, instance=report, action=AuditAction.UPDATE, changes={"status": ["reported", "acknowledged"]}
    )
    return report


@transaction.atomic
def fault_arrive(*, actor, report: FaultReport) -> FaultReport:
    _require(permissions.can_handle_fault(actor, report))
    report = _lock_report(report)
    if report.status not in (FaultStatus.REPORTED, FaultStatus.ACKNOWLEDGED):
        raise refuse(_("Arrival is already recorded."), code="fault_state")
    now = timezone.now()
    before = report.status
    report.acknowledged_at = report.acknowledged_at or now
    report.status, report.arrived_at = FaultStatus.ARRIVED, now
    report.save(update_fields=["status", "acknowledged_at", "arrived_at"])
    _fault_event(report, status=report.status, actor=actor)
    audit_record(actor=actor, instance=report, action=AuditAction.UPDATE, changes={"status": [before, "arrived"]})
    return report


@transaction.atomic
def fault_close(*, actor, report: FaultReport, cause: str, repair: str) -> FaultReport:
    _require(permissions.can_handle_fault(actor, report))
    report = _lock_report(report)
    errors: dict[str, list] = {}
    if report.status != FaultStatus.ARRIVED:
        raise refuse(_("Record the arrival on site before closing."), code="fault_state")
    if not (cause or "").strip():
        errors["cause"] = [ValidationError(_("Give the cause."), code="required")]
    if not (repair or "").strip():
        errors["repair"] = [ValidationError(_("Say what was repaired."), code="required")]
    if errors:
        raise ValidationError(errors)
    report.status, report.closed_at = FaultStatus.CLOSED, timezone.now()
    report.cause, report.repair = cause.strip(), repair.strip()
    report.save(update_fields=["status", "closed_at", "cause", "repair"])
    _fault_event(report, status=report.status, message=report.cause, actor=actor)
    audit_record(actor=actor, instance=report, action=AuditAction.UPDATE, changes={"status": ["arrived", "closed"]})
    return report


@transaction.atomic
def fault_rate(*, report: FaultReport, rating, comment: str = "") -> FaultReport:
    """The reporter rates the repair, once, after it is closed (through the follow-up link)."""
    report = _lock_report(report)
    if report.status != FaultStatus.CLOSED:
        raise refuse(_("The repair can be rated once the report is closed."), code="fault_state")
    if report.rating is not None:
        raise refuse(_("This repair has already been rated."), code="already_rated")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise refuse(_("Choose from 1 to 5 stars."), code="rating_range", field="rating")
    report.rating, report.rating_comment = rating, (comment or "").strip()[:255]
    report.save(update_fields=["rating", "rating_comment"])
    _fault_event(report, message=_("Rated %(stars)s/5") % {"stars": rating})
    audit_record(actor=None, instance=report, action=AuditAction.UPDATE, changes={"rating": [None, rating]})
    return report


def arrival_limit_minutes(report: FaultReport) -> int:
    return settings.JIATI_FAULT_ARRIVAL_MINUTES_TRAPPED if report.urgent else settings.JIATI_FAULT_ARRIVAL_MINUTES


def fault_timing(report: FaultReport) -> dict:
    """Minutes to arrive and hours to repair, against the limits in force."""
    arrival = report.minutes_to(report.arrived_at)
    repair = report.minutes_to(report.closed_at)
    return {
        "arrival_minutes": arrival,
        "arrival_limit": arrival_limit_minutes(report),
        "arrival_late": arrival is not None and arrival > arrival_limit_minutes(report),
        "repair_minutes": repair,
        "repair_limit_hours": settings.JIATI_FAULT_REPAIR_HOURS,
        "repair_late": repair is not None and repair > settings.JIATI_FAULT_REPAIR_HOURS * 60,
    }


def faults_escalate(*, now: dt.datetime | None = None) -> int:
    """Reports still unacknowledged after the limits go to the community, then to the district. Run every few
    minutes (`manage.py elevators_sweep`) and by the daily sweep."""
    now = now or timezone.now()
    steps = (
        (1, settings.JIATI_FAULT_ESCALATE_COMMUNITY_MINUTES, (Role.COMMUNITY,)),
        (2, settings.JIATI_FAULT_ESCALATE_DISTRICT_MINUTES, (Role.DISTRICT_OFFICE,)),
    )
    escalated = 0
    for level, minutes, roles in steps:
        due = FaultReport.objects.filter(
            status=FaultStatus.REPORTED, escalation__lt=level, reported_at__lte=now - dt.timedelta(minutes=minutes)
        )
        for report_id in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                report = (
                    FaultReport.objects.select_for_update()
                    .select_related("elevator__community", "elevator__estate", "elevator__stairwell__building")
                    .get(pk=report_id)
                )
                if report.status != FaultStatus.REPORTED or report.escalation >= level:
                    continue
                report.escalation = level
                report.save(update_fields=["escalation"])
                _fault_event(
                    report,
                    message=_("Not acknowledged after %(minutes)s minutes: escalated") % {"minutes": minutes},
                )
                notify(
                    recipients=_staff_of(report.elevator, *roles),
                    kind="fault_escalated",
                    title=Message(
                        gettext_noop("Fault not acknowledged for %(minutes)s minutes: %(place)s"),
                        minutes=minutes,
                        place=report.elevator.place,
                    ),
                    url=fault_url(report),
                    dedupe_key=f"fault-{report.pk}-escalated-{level}",
                )
                escalated += 1
    return escalated


# --- running costs ---------------------------------------------------------------------------------------


COST_ITEMS = ("maintenance", "electricity", "inspection", "repairs", "insurance")


@transaction.atomic
def running_cost_share(
    *, actor, elevator: Elevator, year: int, method: str, parameters: dict | None = None, **items
) -> RunningCost:
    """Record a year's running costs and split them among the stairwell's dwellings, exact to the fen."""
    _require(permissions.can_keep_costs(actor, elevator))
    errors: dict[str, list] = {}
    amounts = {}
    for name in COST_ITEMS:
        raw = items.get(name) or 0
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors[name] = [
                ValidationError(_("“%(value)s” is not an amount."), code="not_a_number", params={"value": raw})
            ]
            continue
        if value < 0 or value != value.quantize(Decimal("0.01")):
            errors[name] = [ValidationError(_("Give an amount in yuan, at least 0, to the fen."), code="amount")]
        amounts[name] = value
    if method not in ShareMethod.values:
        errors["method"] = [ValidationError(_("Choose a sharing method."), code="required")]
    if RunningCost.objects.filter(elevator=elevator, year=year).exists():
        errors["year"] = [
            ValidationError(
                _("The running costs of %(year)s are already shared."), code="duplicate", params={"year": year}
            )
        ]
    total = sum(amounts.values(), Decimal(0))
    if not errors and total <= 0:
        errors["maintenance"] = [ValidationError(_("The year's costs add up to nothing."), code="zero_total")]
    if errors:
        raise ValidationError(errors)
    dwellings = list(Dwelling.objects.filter(stairwell_id=elevator.stairwell_id).order_by("floor", "room"))
    units = [Unit(dwelling_id=d.pk, floor=d.floor, room=d.room, area=d.exclusive_area) for d in dwellings]
    try:
        sharing = share_costs(units=units, total_cost=total, method=method, parameters=parameters or {})
    except ShareInputError as exc:
        raise refuse(exc.message, code="sharing", field="parameters" if exc.field != "method" else "method") from None
    cost = RunningCost.objects.create(
        elevator=elevator,
        year=year,
        total=total,
        method=method,
        parameters=parameters or {},
        created_by=actor,
        **amounts,
    )
    RunningCostShare.objects.bulk_create(
        [
            RunningCostShare(
                cost=cost, dwelling_id=line.unit.dwelling_id, weight_text=line.weight_text[:80], amount=line.share
            )
            for line in sharing.lines
        ]
    )
    audit_record(actor=actor, instance=cost, action=AuditAction.CREATE, changes=diff({}, snapshot(cost)))
    return cost


@transaction.atomic
def running_cost_payment(
    *, actor, share: RunningCostShare, amount, paid_on: dt.date | None, note: str = ""
) -> RunningCostPayment:
    """Record a payment towards a share; never above what is still owed."""
    _require(permissions.can_keep_costs(actor, share.cost.elevator))
    share = RunningCostShare.objects.select_for_update().select_related("dwelling").get(pk=share.pk)
    errors: dict[str, list] = {}
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        errors["amount"] = [ValidationError(_("Give an amount in yuan, more than 0, to the fen."), code="amount")]
    elif value > share.outstanding:
        errors["amount"] = [
            ValidationError(
                _("%(amount)s is more than the %(owed)s still owed by %(room)s."),
                code="above_share",
                params={"amount": value, "owed": share.outstanding, "room": share.dwelling.room},
            )
        ]
    if paid_on is None:
        errors["paid_on"] = [ValidationError(_("Give the date of payment."), code="required")]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [ValidationError(_("The payment cannot be in the future."), code="future_date")]
    if errors:
        raise ValidationError(errors)
    payment = RunningCostPayment.objects.create(
        share=share, amount=value, paid_on=paid_on, note=note.strip(), recorded_by=actor
    )
    share.paid += value
    share.save(update_fields=["paid"])
    audit_record(actor=actor, instance=payment, action=AuditAction.CREATE, changes=diff({}, snapshot(payment)))
    return payment


def open_faults(elevator: Elevator):
    return elevator.faults.filter(status__in=OPEN_FAULT_STATUSES)
