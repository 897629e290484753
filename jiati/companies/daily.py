"""The daily sweep: reminders before licences expire; last month's scores once the month is over."""

from __future__ import annotations

import datetime as dt


def run_daily() -> dict[str, int]:
    from django.utils import timezone

    from jiati.companies import ranking
    from jiati.companies.models import CompanyScore, ScoreScheme
    from jiati.companies.services import licence_reminders_send

    counts = {"licence_reminders": licence_reminders_send()}
    last_month = ranking.period_start(ranking.period_start(timezone.localdate()) - dt.timedelta(days=1))
    scored = 0
    if (
        ScoreScheme.objects.filter(valid_from__lte=last_month).exists()
        and not CompanyScore.objects.filter(period=last_month).exists()
    ):
        scored = len(ranking.scores_compute(period=last_month))
    counts["scores_computed"] = scored
    return counts
