"""My tasks (hook `user_tasks`): the subsidy files waiting for my review (or payment), those waiting
longest first."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.subsidies.selectors import waiting_for

LIMIT = 50


def user_tasks(*, user) -> list[dict]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    tasks = []
    files = waiting_for(user=user).select_related("project__estate").order_by("deadline", "status_since", "id")
    for a in files[:LIMIT]:
        tasks.append(
            {
                "kind": _("Subsidy file"),
                "title": _("%(code)s %(estate)s: %(status)s")
                % {"code": a.project.code, "estate": a.project.estate.name, "status": a.get_status_display()},
                "due": a.deadline,
                "url": reverse("subsidies:application-detail", args=[a.pk]),
                "overdue": bool(a.deadline and a.deadline < today),
                "order": 25,
            }
        )
    return tasks
