"""The reverse schedule (倒排工期): milestones planned backwards from a target date in working days.

Each stage from the current one to the last gets a planned start and a due date;
the current stage's due date (and the day it turns "at risk") is copied onto the
project row so lists filter on-track / at-risk / overdue in SQL.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.core.date_policy import check_date
from jiati.core.errors import refuse
from jiati.core.formatting import format_date
from jiati.core.prepared import PreparedQuery
from jiati.core.services import lock_visible, require
from jiati.core.stored_text import Choice, Message
from jiati.notifications.services import notify
from jiati.projects import permissions
from jiati.projects.common import project_event_add
from jiati.projects.models import (
    STAGE_ORDER,
    EventKind,
    Milestone,
    Project,
    SchedulePlan,
    Stage,
    StageDuration,
    Status,
    stage_index,
)
from jiati.projects.selectors import event_summary
from jiati.workdays.services import Calendar

# Working days each stage is planned to take unless the district office sets otherwise.
DEFAULT_DURATIONS: dict[str, int] = {
    Stage.INTENTION: 20,
    Stage.ORGANISED: 15,
    Stage.CONSULTATION: 20,
    Stage.VOTE: 20,
    Stage.PUBLIC_NOTICE: 10,
    Stage.DESIGN: 30,
    Stage.APPROVALS: 20,
    Stage.CONSTRUCTION_NOTICE: 5,
    Stage.FOUNDATION: 10,
    Stage.SHAFT: 15,
    Stage.INSTALLATION: 15,
    Stage.FINISHING: 5,
    Stage.INSPECTION: 10,
    Stage.REGISTRATION: 10,
    Stage.SUBSIDY: 20,
}
# A stage turns "at risk" this many working days before it is due.
AT_RISK_WORKING_DAYS = 3


def stage_durations() -> dict[str, int]:
    durations = dict(DEFAULT_DURATIONS)
    durations.update(dict(StageDuration.objects.values_list("stage", "working_days")))
    return durations


def reverse_plan(
    *, current_stage: str, target: dt.date, durations: dict[str, int], calendar: Calendar
) -> list[tuple[str, dt.date, dt.date]]:
    """(stage, planned start, due) for the current stage and every later one but the last, planned backwards
    from `target` — the day the elevator should enter service.

    The last milestone falls on the last working day on or before the target (a target on a weekend or a
    holiday moves earlier, never later); each stage starts its planned working days before it is due, and
    the stage before it is due that same day.
    """
    stages = STAGE_ORDER[stage_index(current_stage) : -1]  # in_service has no milestone of its own
    plan: list[tuple[str, dt.date, dt.date]] = []
    due = calendar.previous_working_day(target)
    for stage in reversed(stages):
        start = calendar.add(due, -durations.get(stage, 0))
        plan.append((stage, start, due))
        due = start
    return list(reversed(plan))


def earliest_target(current_stage: str, *, today: dt.date, durations: dict[str, int], calendar: Calendar) -> dt.date:
    """The earliest target date whose reverse plan gives the current stage a deadline today or later."""
    due = today
    for stage in STAGE_ORDER[stage_index(current_stage) + 1 : -1]:
        due = calendar.add(due, durations.get(stage, 0))
    target = max(due, today + dt.timedelta(days=1))

    def works(day: dt.date) -> bool:
        rows = reverse_plan(current_stage=current_stage, target=day, durations=durations, calendar=calendar)
        return not rows or rows[0][2] >= today

    # The forward estimate is right but for weekends and holidays at either end: settle it within a few days.
    for _step in range(370):
        if works(target):
            break
        target += dt.timedelta(days=1)
    while target - dt.timedelta(days=1) > today and works(target - dt.timedelta(days=1)):
        target -= dt.timedelta(days=1)
    return target


@transaction.atomic
def plan_make(*, project: Project, actor, target_date: dt.date, reason: str = "") -> SchedulePlan:
    """Plan (or re-plan) the project backwards from a target date; earlier plans stay as history."""

    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    today = timezone.localdate()
    check_date(target_date, field="target_date")
    if target_date <= today:
        raise refuse(_("The target date must be in the future."), code="past_date", field="target_date")
    if project.stage == Stage.IN_SERVICE:
        raise refuse(_("The elevator is already in service."), code="in_service", field="target_date")
    calendar = Calendar()
    if calendar.previous_working_day(target_date) < today:
        raise refuse(
            _("There is no working day between today and the target date."), code="no_working_day", field="target_date"
        )
    durations = stage_durations()
    rows = reverse_plan(current_stage=project.stage, target=target_date, durations=durations, calendar=calendar)
    if rows and rows[0][2] < today:
        # The plan would make the project overdue the moment it is saved: say so, and what would work.
        raise refuse(
            _(
                "With this target the current stage (%(stage)s) would have been due on %(due)s, which has passed. "
                "The earliest target that leaves every stage's deadline ahead is %(earliest)s."
            )
            % {
                "stage": project.get_stage_display(),
                "due": format_date(rows[0][2]),
                "earliest": format_date(
                    earliest_target(project.stage, today=today, durations=durations, calendar=calendar)
                ),
            },
            code="deadline_in_past",
            field="target_date",
        )
    previous = project.plans.filter(is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    version = (previous.version if previous else 0) + 1
    plan = SchedulePlan.objects.create(
        project=project, version=version, target_date=target_date, reason=reason[:255], created_by=actor
    )
    Milestone.objects.bulk_create(
        Milestone(plan=plan, stage=s, planned_start=start, due_date=due) for s, start, due in rows
    )
    old_target = project.target_date
    project.target_date = target_date
    project.save(update_fields=["target_date", "updated_at"])
    refresh_stage_dates(project, calendar=calendar)
    squeezed = rows[0][1] < today if rows else False
    message = Message(gettext_noop("Plan v%(version)s: in service by %(date)s"), version=version, date=target_date)
    if squeezed:
        message = Message(
            gettext_noop(
                "Plan v%(version)s: in service by %(date)s (shorter than the standard durations: the current stage "
                "should have started on %(start)s)"
            ),
            version=version,
            date=target_date,
            start=rows[0][1],
        )
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.PLANNED,
        message=message,
        data={"version": version, "target": target_date.isoformat(), "reason": reason},
    )
    audit_record(
        actor=actor,
        instance=project,
        action=AuditAction.UPDATE,
        changes={"target_date": [old_target.isoformat() if old_target else None, target_date.isoformat()]},
        message=reason,
    )
    return plan


def refresh_stage_dates(project: Project, *, calendar: Calendar | None = None) -> None:
    """Copy the current stage's due date (and at-risk date) from the current plan onto the project row."""
    milestone = (
        Milestone.objects.filter(plan__project=project, plan__is_current=True, stage=project.stage).first()
        if project.stage != Stage.IN_SERVICE
        else None
    )
    if milestone is None:
        due = at_risk = None
    else:
        calendar = calendar or Calendar()
        due = milestone.due_date
        at_risk = min(due, max(milestone.planned_start, calendar.add(due, -AT_RISK_WORKING_DAYS)))
    project.stage_due, project.stage_at_risk_from = due, at_risk
    Project.objects.filter(pk=project.pk).update(stage_due=due, stage_at_risk_from=at_risk)


# The current plan's milestones, compiled once per process (`core.prepared`): read on every view of a project's page
# (issue 18). The key is an integer parameter.
_CURRENT_MILESTONES = PreparedQuery(
    Milestone,
    lambda pk: Milestone.objects.filter(plan__project_id=pk, plan__is_current=True),
    kinds=(int,),
    server_prepared=True,
)


def plan_vs_actual(project: Project) -> list[dict]:
    """Each stage with its planned dates (current plan) and when it actually started and ended."""

    milestones = {m.stage: m for m in _CURRENT_MILESTONES.fetch(project.pk)}
    summary = event_summary(project)
    entered, left = summary.entered, summary.left
    today = timezone.localdate()
    rows = []
    for stage in Stage:
        milestone = milestones.get(stage.value)
        started = entered.get(stage.value)
        finished = left.get(stage.value)
        late = bool(
            milestone
            and (
                (finished and timezone.localtime(finished).date() > milestone.due_date)
                or (not finished and started and today > milestone.due_date)
            )
        )
        rows.append(
            {
                "stage": stage.value,
                "label": stage.label,
                "planned_start": getattr(milestone, "planned_start", None),
                "due": getattr(milestone, "due_date", None),
                "started": started,
                "finished": finished,
                "current": stage.value == project.stage,
                "late": late,
            }
        )
    return rows


def overdue_sweep() -> int:
    """Tell the responsible person once per stage when a project goes overdue. Returns how many were told."""

    today = timezone.localdate()
    told = 0
    overdue = (
        Project.objects.filter(status=Status.ACTIVE, stage_due__lt=today, responsible__isnull=False)
        .exclude(stage=Stage.IN_SERVICE)
        .select_related("responsible", "estate")
    )
    for project in overdue.iterator(chunk_size=1000):
        told += len(
            notify(
                recipients=[project.responsible],
                kind="overdue",
                title=Message(
                    gettext_noop("%(code)s is overdue in “%(stage)s” (due %(due)s)"),
                    code=project.code,
                    stage=Choice.of(project, "stage"),
                    due=project.stage_due,
                ),
                body=project.estate.name,
                url=reverse("projects:detail", args=[project.pk]),
                dedupe_key=f"overdue:{project.pk}:{project.stage}:{project.stage_due}",
            )
        )
    return told


@transaction.atomic
def stage_durations_set(*, actor, durations: dict[str, int]) -> None:
    """The district office's planned working days per stage (applies to plans made from now on)."""

    if not permissions.can_configure(actor):
        raise PermissionDenied
    current = stage_durations()
    for stage, days in durations.items():
        if stage not in DEFAULT_DURATIONS:
            continue
        if days < 0:
            raise refuse(_("A duration cannot be negative."), code="negative", field=stage)
        if current.get(stage) != days:
            row, _created = StageDuration.objects.update_or_create(stage=stage, defaults={"working_days": days})
            audit_record(
                actor=actor,
                instance=row,
                action=AuditAction.UPDATE,
                changes={"working_days": [current.get(stage), days]},
            )
