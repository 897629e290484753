"""Evidence for company scores (hook `company_score_events`): the maintainers' after-sales record.

- "maintenance_late": a visit recorded later than the interval allows (value: 1);
- "fault": a fault reported on an elevator the company maintains (value: 1);
- "arrival_late": hours beyond the arrival limit (30 minutes when someone is trapped);
- "repair_late": hours beyond the repair limit;
- "rating_shortfall": stars short of 5 in a resident's rating of a repair.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

AREA = "operation_maintenance"


def _hours(minutes: float) -> Decimal:
    return (Decimal(str(minutes)) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def company_score_events(*, start, end, company_ids=None) -> list[dict]:
    import datetime as dt

    from django.utils import timezone

    from jiati.elevators.models import FaultReport, MaintenanceVisit

    zone = timezone.get_default_timezone()
    events = []
    visits = MaintenanceVisit.objects.filter(
        days_late__gt=0, visited_on__gte=start.astimezone(zone).date(), visited_on__lt=end.astimezone(zone).date()
    )
    faults = FaultReport.objects.filter(reported_at__gte=start, reported_at__lt=end, maintainer__isnull=False)
    if company_ids is not None:
        visits = visits.filter(maintainer_id__in=company_ids)
        faults = faults.filter(maintainer_id__in=company_ids)
    for visit in visits.order_by("pk"):
        events.append(
            {
                "company_id": visit.maintainer_id,
                "area": AREA,
                "kind": "maintenance_late",
                "value": 1,
                "source": f"elevators.MaintenanceVisit:{visit.pk}",
                "occurred_at": dt.datetime.combine(visit.visited_on, dt.time(12), tzinfo=zone),
            }
        )
    for report in faults.order_by("pk"):
        source = f"elevators.FaultReport:{report.pk}"
        base = {"company_id": report.maintainer_id, "area": AREA, "source": source}
        events.append(base | {"kind": "fault", "value": 1, "occurred_at": report.reported_at})
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
    return events
