"""The deadline arithmetic of petitions: 15 days to decide, 60 to resolve, one extension ≤ 30 (by default),
calendar days unless working days are chosen."""

from __future__ import annotations

import datetime as dt

import pytest

from jiati.consultation import deadlines
from jiati.consultation.models import PetitionSettings
from jiati.workdays.services import Calendar

D = dt.date


def defaults() -> PetitionSettings:
    return PetitionSettings()


def test_defaults_follow_the_national_rules():
    settings = defaults()
    assert (settings.accept_days, settings.resolve_days, settings.max_extension_days) == (15, 60, 30)
    assert settings.working_days is False


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 3, 2), D(2026, 3, 17)),  # a Monday → 15 calendar days later, a Tuesday
        (D(2026, 2, 20), D(2026, 3, 7)),  # across the month end (February has 28 days in 2026)
        (D(2026, 12, 25), D(2027, 1, 9)),  # across the year end
        (D(2026, 2, 14), D(2026, 3, 1)),  # holidays do not stop calendar days
    ],
)
def test_acceptance_due_in_calendar_days(received, due):
    assert deadlines.acceptance_due(received, settings=defaults()) == due


def test_resolution_and_extension_in_calendar_days():
    settings = defaults()
    accepted = D(2026, 3, 10)
    due = deadlines.resolution_due(accepted, settings=settings)
    assert due == D(2026, 5, 9)
    assert deadlines.extended_due(due, 30, settings=settings) == D(2026, 6, 8)


def test_working_days_skip_weekends_and_holidays_and_count_adjusted_days():
    settings = PetitionSettings(accept_days=15, resolve_days=60, working_days=True)
    # Spring Festival 2026: 15–23 Feb off; 14 Feb (Sat) and 28 Feb (Sat) are adjusted working days.
    calendar = Calendar({**{D(2026, 2, d): False for d in range(15, 24)}, D(2026, 2, 14): True, D(2026, 2, 28): True})
    # From Fri 13 Feb: 14th (adjusted) is day 1; 24–27 Feb days 2–5; 28th (adjusted) day 6; 2–6 Mar days 7–11;
    # 9–12 Mar days 12–15.
    assert deadlines.acceptance_due(D(2026, 2, 13), settings=settings, calendar=calendar) == D(2026, 3, 12)


def test_a_deadline_day_itself_is_still_on_time():
    from jiati.consultation.models import Petition, PetitionStatus

    petition = Petition(status=PetitionStatus.RECEIVED, due_date=D(2026, 3, 17))
    assert petition.days_overdue(today=D(2026, 3, 17)) == 0
    assert petition.days_overdue(today=D(2026, 3, 18)) == 1
    answered = Petition(status=PetitionStatus.REPLIED, due_date=None)
    assert answered.days_overdue(today=D(2030, 1, 1)) == 0


def test_escalation_waits_for_the_new_level():
    settings = defaults()
    assert deadlines.may_escalate_again(None, D(2026, 3, 1), settings=settings)
    assert not deadlines.may_escalate_again(D(2026, 3, 1), D(2026, 3, 7), settings=settings)
    assert deadlines.may_escalate_again(D(2026, 3, 1), D(2026, 3, 8), settings=settings)


def test_reminder_starts_days_before_the_deadline():
    assert deadlines.reminder_from(D(2026, 3, 17), settings=defaults()) == D(2026, 3, 14)
