"""My tasks (hook `user_tasks`): for a maintainer's staff, the open faults on its elevators, the maintenance
visits due within three days or overdue and the inspections due; for community and district staff, the
unacknowledged faults escalated to their level and the elevators in their area with an inspection overdue."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiati.accounts.models import Role
from jiati.elevators.models import OPEN_FAULT_STATUSES, Elevator, ElevatorStatus, FaultReport, FaultStatus
from jiati.elevators.permissions import can_edit
from jiati.elevators.services import alert_filters, maintenance_interval

LIMIT = 50
SOON = dt.timedelta(days=3)
ESCALATED_TO = {Role.COMMUNITY: 1, Role.SUBDISTRICT: 1, Role.DISTRICT_OFFICE: 2}


def _place(elevator) -> str:
    return f"{elevator.estate.name} {elevator.stairwell.building.number}{elevator.stairwell.number}"


def _fault_task(report, today) -> dict:
    return {
        "kind": _("Fault report"),
        "title": f"{_place(report.elevator)} · {report.get_kind_display()} · {report.get_status_display()}",
        "due": timezone.localtime(report.reported_at).date(),
        "url": reverse("elevators:fault-detail", args=[report.pk]),
        "overdue": report.urgent or report.status == FaultStatus.REPORTED,
        "order": 10,
    }


def user_tasks(*, user) -> list[dict]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    faults = FaultReport.objects.visible_to(user).filter(status__in=OPEN_FAULT_STATUSES)
    faults = faults.select_related("elevator__estate", "elevator__stairwell__building").order_by("reported_at")
    elevators = Elevator.objects.visible_to(user).filter(status=ElevatorStatus.IN_SERVICE)
    elevators = elevators.select_related("estate", "stairwell__building")
    tasks: list[dict] = []
    if user.role == Role.MAINTAINER:
        tasks += [_fault_task(report, today) for report in faults[:LIMIT]]
        interval = dt.timedelta(days=maintenance_interval())
        visit_soon = today + SOON - interval
        for elevator in elevators.filter(last_visit_on__lte=visit_soon).order_by("last_visit_on")[:LIMIT]:
            due = elevator.last_visit_on + interval
            tasks.append(
                {
                    "kind": pgettext("my tasks", "Maintenance visit"),
                    "title": _place(elevator),
                    "due": due,
                    "url": reverse("elevators:visit", args=[elevator.pk]),
                    "overdue": due < today,
                    "order": 40,
                }
            )
        for elevator in elevators.filter(last_visit_on__isnull=True, in_service_since__lte=visit_soon)[:LIMIT]:
            due = elevator.in_service_since + interval
            tasks.append(
                {
                    "kind": pgettext("my tasks", "Maintenance visit"),
                    "title": _place(elevator),
                    "due": due,
                    "url": reverse("elevators:visit", args=[elevator.pk]),
                    "overdue": due < today,
                    "order": 40,
                }
            )
    elif user.role in ESCALATED_TO:
        escalated = faults.filter(status=FaultStatus.REPORTED, escalation__gte=ESCALATED_TO[user.role])
        tasks += [_fault_task(report, today) for report in escalated[:LIMIT]]
    else:
        return []
    inspections = elevators.filter(alert_filters(today)["inspection_due"])
    if user.role != Role.MAINTAINER:
        inspections = inspections.filter(next_inspection_due__lt=today)
    for elevator in inspections.order_by("next_inspection_due")[:LIMIT]:
        tasks.append(
            {
                "kind": _("Periodic inspection"),
                "title": _place(elevator),
                "due": elevator.next_inspection_due,
                # The elevator's page at its inspections (the form there, unfolded, for those who record them):
                # elevators:inspection only takes the form's POST.
                "url": reverse("elevators:detail", args=[elevator.pk])
                + ("#record-inspection" if can_edit(user, elevator) else "#inspections"),
                "overdue": elevator.next_inspection_due < today,
                "order": 40,
            }
        )
    return tasks
