"""Reads on projects."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.projects.models import Project, ScheduleState, Stage, Status, stage_index


def this_year() -> int:
    return timezone.localdate().year


def schedule_state_label(state: str) -> str:
    return dict(ScheduleState.choices).get(state, "")


def stage_track(project: Project) -> list[dict]:
    """The stages with done / current / to come, for the progress strip."""
    current = stage_index(project.stage)
    return [
        {"value": s.value, "label": s.label, "done": i < current, "current": i == current} for i, s in enumerate(Stage)
    ]


def stage_counts(*, user) -> list[dict]:
    """How many live projects of the user's area are in each stage (one grouped query)."""
    rows = dict(
        Project.objects.visible_to(user)
        .exclude(status=Status.WITHDRAWN)
        .values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    return [{"value": s.value, "label": s.label, "count": rows.get(s.value, 0)} for s in Stage]


def area_projects_summary(*, user) -> dict:
    """Counts for the area's projects in one query: under way, in service, overdue, blocked."""
    from django.db.models import Q

    today = timezone.localdate()
    active = Q(status=Status.ACTIVE) & ~Q(stage=Stage.IN_SERVICE)
    return Project.objects.visible_to(user).aggregate(
        live=Count("id", filter=active),
        in_service=Count("id", filter=Q(stage=Stage.IN_SERVICE)),
        overdue=Count("id", filter=active & Q(stage_due__lt=today)),
        blocked=Count("id", filter=active & Q(open_blockers__gt=0)),
    )


def my_projects_summary(*, user) -> dict:
    """Counts for the start page: mine, overdue, blocked."""
    mine = Project.objects.visible_to(user).filter(responsible=user, status=Status.ACTIVE)
    return {
        "mine": mine.count(),
        "overdue": mine.in_schedule_state(ScheduleState.OVERDUE).count(),
        "blocked": mine.filter(open_blockers__gt=0).count(),
        "title": _("My projects"),
    }
