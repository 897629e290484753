"""Evidence for company scores (hook `company_score_events`): construction stages run past their plan.

"schedule_overrun" counts, against the construction team (quality control), the days a construction stage
(foundation, shaft, installation, finishing) ran past its due date in the current plan while the project was
in that stage — the day it was left counts, today does not (it is not over). One event per stage and period,
valued in days, dated on the last such day, so the days of a long overrun fall in the months they passed in.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.projects.models import CONSTRUCTION_STAGES, EventKind, Milestone, ProjectEvent

AREA = "quality_control"


def score_event_kinds() -> list[dict]:
    return [{"kind": "schedule_overrun", "label": _("Construction stage past its plan"), "unit": _("per day")}]


def company_score_events(*, start: dt.datetime, end: dt.datetime, company_ids=None) -> list[dict]:
    zone = timezone.get_default_timezone()
    first, after = start.astimezone(zone).date(), end.astimezone(zone).date()
    today = timezone.localdate()
    milestones = Milestone.objects.filter(
        plan__is_current=True,
        stage__in=CONSTRUCTION_STAGES,
        due_date__lt=after,
        plan__project__contractor__isnull=False,
    ).select_related("plan__project")
    if company_ids is not None:
        milestones = milestones.filter(plan__project__contractor_id__in=list(company_ids))
    milestones = list(milestones.order_by("pk"))
    entered: dict[tuple[int, str], dt.date] = {}
    left: dict[tuple[int, str], dt.date] = {}
    for project_id, from_stage, to_stage, at in (
        ProjectEvent.objects.filter(project_id__in={m.plan.project_id for m in milestones}, kind=EventKind.STAGE)
        .order_by("at", "pk")
        .values_list("project_id", "from_stage", "to_stage", "at")
    ):
        day = at.astimezone(zone).date()
        entered[(project_id, to_stage)] = day
        left[(project_id, from_stage)] = day
    events = []
    for milestone in milestones:
        key = (milestone.plan.project_id, milestone.stage)
        if key not in entered:
            continue  # never in this stage: its delay is not the construction team's
        stop = left[key] + dt.timedelta(days=1) if left.get(key, dt.date.min) >= entered[key] else today
        # Overdue days in this period: after the due date, from entering the stage, up to leaving it.
        since = max(first, milestone.due_date + dt.timedelta(days=1), entered[key])
        until = min(after, stop)
        if since < until:
            events.append(
                {
                    "company_id": milestone.plan.project.contractor_id,
                    "area": AREA,
                    "kind": "schedule_overrun",
                    "value": (until - since).days,
                    "source": f"projects.Milestone:{milestone.pk}",
                    "occurred_at": dt.datetime.combine(until - dt.timedelta(days=1), dt.time(12), tzinfo=zone),
                }
            )
    return events
