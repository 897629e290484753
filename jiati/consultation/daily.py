"""The daily sweep (`manage.py run_daily`): escalate overdue petitions, remind handlers, residents and
owners of resolutions and follow-ups. Every step is idempotent: running it twice a day sends nothing twice."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from jiati.consultation.models import ConsultationRecord
from jiati.consultation.services import meetings, petitions, windows
from jiati.core.stored_text import Message, label
from jiati.notifications.services import notify


def follow_ups_remind(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    sent = 0
    rows = (
        ConsultationRecord.objects.follow_up_open()
        .filter(follow_up_due__lte=today + dt.timedelta(days=1))
        .select_related("follow_up_by")
    )
    for record in rows:
        overdue = record.follow_up_due < today
        sent += len(
            notify(
                recipients=[record.follow_up_by],
                kind="consultation",
                title=Message(
                    gettext_noop("Follow-up overdue since %(date)s")
                    if overdue
                    else gettext_noop("Follow-up due on %(date)s"),
                    date=record.follow_up_due,
                ),
                body=label(record, "topic"),
                url=reverse("consultation:record-detail", args=[record.pk]),
                dedupe_key=f"consultation-{record.pk}-{'overdue' if overdue else 'due'}-{record.follow_up_due}",
            )
        )
    return sent


def run_daily(today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {
        "petitions_escalated": petitions.petitions_escalate_overdue(today=today),
        "petition_reminders": petitions.petitions_remind(today=today),
        "booking_reminders": windows.bookings_remind(today=today),
        "resolution_reminders": meetings.actions_remind(today=today),
        "follow_up_reminders": follow_ups_remind(today=today),
    }
