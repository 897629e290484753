"""Working-day arithmetic with holidays and adjusted working days (调休)."""

import datetime as dt

import pytest

from jiati.workdays.models import CalendarDay
from jiati.workdays.services import Calendar, add_working_days, working_days_between

D = dt.date


def test_plain_weeks_skip_weekends():
    cal = Calendar({})
    assert cal.add(D(2026, 11, 27), 1) == D(2026, 11, 30)  # Friday + 1 → Monday
    assert cal.add(D(2026, 11, 30), -1) == D(2026, 11, 27)
    assert cal.add(D(2026, 11, 25), 0) == D(2026, 11, 25)
    assert cal.add(D(2026, 11, 23), 10) == D(2026, 12, 7)
    assert cal.between(D(2026, 11, 23), D(2026, 12, 7)) == 10
    assert cal.between(D(2026, 12, 7), D(2026, 11, 23)) == -10


def test_holidays_are_skipped_and_adjusted_weekends_count():
    cal = Calendar(
        {
            D(2026, 10, 1): False,
            D(2026, 10, 2): False,
            D(2026, 10, 5): False,
            D(2026, 10, 6): False,
            D(2026, 10, 7): False,
            D(2026, 10, 10): True,
        }
    )
    # Wednesday 30 Sep + 1 working day jumps the National Day week to Thursday 8 Oct.
    assert cal.add(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # Saturday 10 Oct is an adjusted working day.
    assert cal.add(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert cal.is_working_day(D(2026, 10, 10))
    assert not cal.is_working_day(D(2026, 10, 1))
    assert cal.between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10 (adjusted) and 12


@pytest.mark.django_db
def test_module_functions_read_the_calendar_table():
    CalendarDay.objects.create(date=D(2026, 12, 1), is_working_day=False, name="测试假日")
    assert add_working_days(D(2026, 11, 30), 1) == D(2026, 12, 2)
    assert working_days_between(D(2026, 11, 30), D(2026, 12, 2)) == 1


def test_previous_and_next_working_day_around_holidays_and_adjusted_days():
    cal = Calendar({**{D(2026, 10, day): False for day in range(1, 8)}, D(2026, 10, 10): True})
    assert cal.previous_working_day(D(2026, 10, 14)) == D(2026, 10, 14)  # a working Wednesday: itself
    assert cal.previous_working_day(D(2026, 10, 4)) == D(2026, 9, 30)  # inside the holiday: the day before it
    assert cal.next_working_day(D(2026, 10, 4)) == D(2026, 10, 8)  # … and the first day after it
    assert cal.previous_working_day(D(2026, 10, 11)) == D(2026, 10, 10)  # the adjusted Saturday counts
    assert cal.previous_working_day(D(2026, 11, 29)) == D(2026, 11, 27)  # Sunday → Friday
