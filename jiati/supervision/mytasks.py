"""My tasks (hook `user_tasks`): the site checks due today on the sites I answer for, the rectifications
waiting for my re-check, the weekly-review decisions and dispatch instructions I own; for a construction
company's staff, the rectifications sent to their company."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.models import Role
from jiati.supervision import permissions, selectors
from jiati.supervision.models import DecisionStatus, Rectification, RectificationStatus, ReviewDecision

LIMIT = 50


def user_tasks(*, user) -> list[dict]:
    today = timezone.localdate()
    tasks: list[dict] = []
    if user.role == Role.CONTRACTOR:
        for r in (
            Rectification.objects.visible_to(user)
            .filter(status=RectificationStatus.OPEN)
            .select_related("project")[:LIMIT]
        ):
            tasks.append(
                {
                    "kind": _("Rectification"),
                    "title": f"{r.project.code} · {r.description}",
                    "due": r.due_date,
                    "url": reverse("supervision:rectification-detail", args=[r.pk]),
                    "overdue": r.due_date < today,
                    "order": 30,
                }
            )
        return tasks
    if permissions.can_check(user):
        for row in selectors.sites_today(user=user, today=today, mine=True):
            if row["due"]:
                project = row["project"]
                tasks.append(
                    {
                        "kind": _("Site check"),
                        "title": f"{project.code} · {project.estate.name} {project.stairwell.building.number}"
                        f"{project.stairwell.number}",
                        "due": today,
                        "url": reverse("supervision:check-new", args=[project.pk]),
                        "overdue": False,
                        "order": 30,
                    }
                )
        rechecks = (
            Rectification.objects.visible_to(user)
            .filter(status=RectificationStatus.ANSWERED)
            .filter(site_check__inspector=user)
            .select_related("project")[:LIMIT]
        )
        for r in rechecks:
            tasks.append(
                {
                    "kind": _("Re-check"),
                    "title": f"{r.project.code} · {r.description}",
                    "due": r.due_date,
                    "url": reverse("supervision:rectification-detail", args=[r.pk]),
                    "overdue": r.due_date < today,
                    "order": 30,
                }
            )
    for d in ReviewDecision.objects.filter(owner=user, status=DecisionStatus.OPEN).select_related("review__region")[
        :LIMIT
    ]:
        tasks.append(
            {
                "kind": _("Weekly review decision"),
                "title": d.description,
                "due": d.due_date,
                "url": reverse("supervision:review-detail", args=[d.review_id]),
                "overdue": d.due_date < today,
                "order": 40,
            }
        )
    if user.role == Role.SUBDISTRICT and user.region_id:
        from jiati.supervision.models import DispatchInstruction

        for i in DispatchInstruction.objects.filter(subdistrict_id=user.region_id, status=DecisionStatus.OPEN)[:LIMIT]:
            tasks.append(
                {
                    "kind": _("Dispatch instruction"),
                    "title": i.text[:120],
                    "due": i.due_date,
                    "url": reverse("supervision:dispatch-detail", args=[i.dispatch_id]),
                    "overdue": i.due_date < today,
                    "order": 40,
                }
            )
    return tasks
