"""My tasks (hook `user_tasks`): overdue and at-risk milestones of the projects I answer for, and the open
blockers I follow up or that hold my projects back."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.projects.models import Blocker, BlockerStatus, Project, ScheduleState, Status, sees_project_internals

LIMIT = 50


def user_tasks(*, user) -> list[dict]:
    if not sees_project_internals(user):
        return []
    today = timezone.localdate()
    tasks = []
    mine = Project.objects.visible_to(user).filter(responsible=user, status=Status.ACTIVE)
    for state, overdue in ((ScheduleState.OVERDUE, True), (ScheduleState.AT_RISK, False)):
        for p in mine.in_schedule_state(state).select_related("estate").order_by("stage_due")[:LIMIT]:
            tasks.append(
                {
                    "kind": _("Milestone"),
                    "title": _("%(code)s %(estate)s: “%(stage)s” due")
                    % {"code": p.code, "estate": p.estate.name, "stage": p.get_stage_display()},
                    "due": p.stage_due,
                    "url": reverse("projects:detail", args=[p.pk]),
                    "overdue": overdue,
                    "order": 10,
                }
            )
    blockers = (
        Blocker.objects.visible_to(user)
        .filter(status=BlockerStatus.OPEN)
        .filter(Q(assignee=user) | Q(project__responsible=user))
        .select_related("project")
        .order_by("due_date")[:LIMIT]
    )
    for b in blockers:
        tasks.append(
            {
                "kind": _("Blocker"),
                "title": f"{b.project.code} · {b.description}",
                "due": b.due_date,
                "url": reverse("projects:detail", args=[b.project_id]),
                "overdue": b.due_date < today,
                "order": 10,
            }
        )
    return tasks
