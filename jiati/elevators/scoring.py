"""Evidence for company scores (hook `company_score_events`): the after-sales record of elevators in service.

Against the maintainer (operation and maintenance):
- "maintenance_late": a visit recorded later than the interval allows (value 1, on the day of the visit);
- "maintenance_missed": each further interval that passed with no visit at all (value 1, on the day it passed);
- "fault": a fault reported on an elevator it maintains, valued 1 ÷ the elevator-years it maintained in the
  period, so that the values add up to its faults per elevator-year;
- "arrival_late" / "repair_late": hours beyond the arrival limit (30 minutes when someone is trapped) / the
  repair limit;
- "rating_shortfall": stars short of 5 in a resident's rating of a repair;
- "inspection_not_passed" / "inspection_defect": a periodic inspection not passed first time / each defect
  it found (one a line).
Against the installer and the maker (quality control): the same two for the elevator's first inspection.

The maintainer of a fault is the one recorded on the report; of a visit, the one who made it; elevator-years
and missed visits count the elevators' current maintainer (a takeover starts a fresh record).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

AREA = "operation_maintenance"
QUALITY = "quality_control"
NOON = dt.time(12)


def score_event_kinds() -> list[dict]:
    """The kinds of evidence this app gives, for the scheme page (what a deduction is per unit of)."""
    return [
        {"kind": "maintenance_late", "label": _("Maintenance visit late"), "unit": _("per visit")},
        {"kind": "maintenance_missed", "label": _("Maintenance visit missed"), "unit": _("per visit")},
        {"kind": "fault", "label": _("Fault frequency"), "unit": _("per fault per elevator-year")},
        {"kind": "arrival_late", "label": _("Late arrival at a fault"), "unit": _("per hour late")},
        {"kind": "repair_late", "label": _("Late repair of a fault"), "unit": _("per hour late")},
        {"kind": "rating_shortfall", "label": _("Residents' rating of a repair"), "unit": _("per star short of 5")},
        {"kind": "inspection_not_passed", "label": _("Inspection not passed first time"), "unit": _("per inspection")},
        {"kind": "inspection_defect", "label": _("Defect found in an inspection"), "unit": _("per defect")},
    ]


def _hours(minutes: float) -> Decimal:
    return (Decimal(str(minutes)) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _at(day: dt.date, zone) -> dt.datetime:
    return dt.datetime.combine(day, NOON, tzinfo=zone)


def _elevator_years(elevators, first: dt.date, after: dt.date) -> dict[int, Decimal]:
    """{maintainer id: elevator-years in service in [first, after)} from the elevators' service dates."""
    days: dict[int, int] = {}
    for elevator in elevators:
        since = max(first, elevator.in_service_since)
        if since < after:
            days[elevator.maintainer_id] = days.get(elevator.maintainer_id, 0) + (after - since).days
    return {company_id: Decimal(n) / Decimal(365) for company_id, n in days.items()}


def _missed_visits(elevators, first: dt.date, after: dt.date, today: dt.date, zone) -> list[dict]:
    """Each due date past the first with still no visit: visit, then due + interval, + 2×interval… Dated on
    the due date; counted only once that day is over, so a period scored later gives the same number."""
    from django.db.models import Max

    from jiati.elevators.models import MaintenanceVisit

    interval = int(settings.JIATI_MAINTENANCE_INTERVAL_DAYS)
    ids = [e.pk for e in elevators]
    before = dict(
        MaintenanceVisit.objects.filter(elevator_id__in=ids, visited_on__lt=first)
        .values("elevator_id")
        .annotate(last=Max("visited_on"))
        .values_list("elevator_id", "last")
    )
    during: dict[int, list[dt.date]] = {}
    for elevator_id, day in (
        MaintenanceVisit.objects.filter(elevator_id__in=ids, visited_on__gte=first)
        .order_by("visited_on")
        .values_list("elevator_id", "visited_on")
    ):
        during.setdefault(elevator_id, []).append(day)
    limit = min(after, today)  # a due date counts once it is over
    events = []
    for elevator in elevators:
        anchor = before.get(elevator.pk) or elevator.in_service_since
        visits = [d for d in during.get(elevator.pk, []) if d >= anchor]
        for following in [*visits, None]:
            due = anchor + dt.timedelta(days=2 * interval)
            while due < limit and (following is None or due < following):
                if due >= first:
                    events.append(
                        {
                            "company_id": elevator.maintainer_id,
                            "area": AREA,
                            "kind": "maintenance_missed",
                            "value": 1,
                            "source": f"elevators.Elevator:{elevator.pk}@{due.isoformat()}",
                            "occurred_at": _at(due, zone),
                        }
                    )
                due += dt.timedelta(days=interval)
            if following is None or following >= limit:
                break
            anchor = following
    return events


def _inspection_events(inspections, zone) -> list[dict]:
    from jiati.elevators.models import Inspection, InspectionResult

    events = []
    first_ids = {}
    elevator_ids = {i.elevator_id for i in inspections}
    for inspection in Inspection.objects.filter(elevator_id__in=elevator_ids, inspected_on__isnull=False).order_by(
        "inspected_on", "pk"
    ):
        first_ids.setdefault(inspection.elevator_id, inspection.pk)
    for inspection in inspections:
        elevator = inspection.elevator
        not_passed = inspection.result != InspectionResult.PASSED
        defects = sum(1 for line in inspection.defects.splitlines() if line.strip())
        who = [(elevator.maintainer_id, AREA)]
        if first_ids.get(elevator.pk) == inspection.pk:
            who += [(elevator.installer_id, QUALITY), (elevator.maker_id, QUALITY)]
        for company_id, area in dict.fromkeys(w for w in who if w[0]):
            base = {
                "company_id": company_id,
                "area": area,
                "source": f"elevators.Inspection:{inspection.pk}",
                "occurred_at": _at(inspection.inspected_on, zone),
            }
            if not_passed:
                events.append(base | {"kind": "inspection_not_passed", "value": 1})
            if defects:
                events.append(base | {"kind": "inspection_defect", "value": defects})
    return events


def company_score_events(*, start, end, company_ids=None) -> list[dict]:
    from django.db.models import Q
    from django.utils import timezone

    from jiati.elevators.models import Elevator, ElevatorStatus, FaultReport, Inspection, MaintenanceVisit

    zone = timezone.get_default_timezone()
    first, after = start.astimezone(zone).date(), end.astimezone(zone).date()
    events = []
    visits = MaintenanceVisit.objects.filter(days_late__gt=0, visited_on__gte=first, visited_on__lt=after)
    faults = FaultReport.objects.filter(reported_at__gte=start, reported_at__lt=end, maintainer__isnull=False)
    fleet = Elevator.objects.filter(maintainer__isnull=False, in_service_since__lt=after).exclude(
        status=ElevatorStatus.RETIRED
    )
    inspections = Inspection.objects.filter(inspected_on__gte=first, inspected_on__lt=after).select_related("elevator")
    if company_ids is not None:
        ids = list(company_ids)
        visits = visits.filter(maintainer_id__in=ids)
        faults = faults.filter(maintainer_id__in=ids)
        fleet = fleet.filter(maintainer_id__in=ids)
        inspections = inspections.filter(
            Q(elevator__maintainer_id__in=ids) | Q(elevator__installer_id__in=ids) | Q(elevator__maker_id__in=ids)
        )
    fleet = list(fleet.only("pk", "maintainer_id", "in_service_since").order_by("pk"))
    for visit in visits.order_by("pk"):
        events.append(
            {
                "company_id": visit.maintainer_id,
                "area": AREA,
                "kind": "maintenance_late",
                "value": 1,
                "source": f"elevators.MaintenanceVisit:{visit.pk}",
                "occurred_at": _at(visit.visited_on, zone),
            }
        )
    events += _missed_visits(fleet, first, after, timezone.localdate(), zone)
    years = _elevator_years(fleet, first, after)
    for report in faults.select_related("elevator").order_by("pk"):
        source = f"elevators.FaultReport:{report.pk}"
        base = {"company_id": report.maintainer_id, "area": AREA, "source": source}
        # At least the days of this elevator (a report on an elevator since handed over still counts).
        elevator_years = years.get(report.maintainer_id) or Decimal(
            max(1, (after - max(first, report.elevator.in_service_since)).days)
        ) / Decimal(365)
        frequency = (1 / elevator_years).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        events.append(base | {"kind": "fault", "value": frequency, "occurred_at": report.reported_at})
        limit = settings.JIATI_FAULT_ARRIVAL_MINUTES_TRAPPED if report.urgent else settings.JIATI_FAULT_ARRIVAL_MINUTES
        if report.arrived_at is not None:
            late = (report.arrived_at - report.reported_at).total_seconds() / 60 - limit
            if late > 0:
                events.append(base | {"kind": "arrival_late", "value": _hours(late), "occurred_at": report.arrived_at})
        if report.closed_at is not None:
            late = (report.closed_at - report.reported_at).total_seconds() / 60 - settings.JIATI_FAULT_REPAIR_HOURS * 60
            if late > 0:
                events.append(base | {"kind": "repair_late", "value": _hours(late), "occurred_at": report.closed_at})
            if report.rating is not None and report.rating < 5:
                events.append(
                    base | {"kind": "rating_shortfall", "value": 5 - report.rating, "occurred_at": report.closed_at}
                )
    events += _inspection_events(list(inspections.order_by("pk")), zone)
    return events
