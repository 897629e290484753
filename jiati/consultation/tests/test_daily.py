"""The daily sweep: one call does every consultation job, and a second call the same day does nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiati.consultation.daily import run_daily
from jiati.consultation.models import Petition


def test_run_daily_reports_counts_and_is_idempotent(world, scene):
    Petition.objects.filter(pk=scene["petition"].pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    scene["action"].__class__.objects.filter(pk=scene["action"].pk).update(due_date=timezone.localdate())
    first = run_daily()
    assert set(first) == {
        "petitions_escalated",
        "petition_reminders",
        "booking_reminders",
        "resolution_reminders",
        "follow_up_reminders",
    }
    assert all(isinstance(v, int) for v in first.values())
    assert first["petitions_escalated"] == 1 and first["resolution_reminders"] == 1
    second = run_daily()
    assert second == dict.fromkeys(first, 0)
