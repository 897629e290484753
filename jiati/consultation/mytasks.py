"""My tasks (hook `user_tasks`): the open petitions I handle and the meeting resolutions I own."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.consultation.models import MeetingAction, Petition

LIMIT = 50


def user_tasks(*, user) -> list[dict]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    tasks = []
    for p in Petition.objects.visible_to(user).open().filter(handler=user).order_by("due_date")[:LIMIT]:
        tasks.append(
            {
                "kind": _("Petition"),
                "title": f"{p.reference} · {p.subject}",
                "due": p.due_date,
                "url": reverse("consultation:petition-detail", args=[p.pk]),
                "overdue": p.is_overdue,
                "order": 20,
            }
        )
    for a in MeetingAction.objects.visible_to(user).open().filter(owner=user).order_by("due_date")[:LIMIT]:
        tasks.append(
            {
                "kind": _("Meeting resolution"),
                "title": a.description,
                "due": a.due_date,
                "url": reverse("consultation:meeting-detail", args=[a.meeting_id]),
                "overdue": a.due_date < today,
                "order": 20,
            }
        )
    return tasks
