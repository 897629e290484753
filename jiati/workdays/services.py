"""Working-day arithmetic. Weekdays are working days unless the calendar says otherwise, and so are
weekend days the calendar marks as working (调休). All functions are pure given the calendar."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db import transaction

from jiati.audit.services import audit_created, save_if_changed, snapshot
from jiati.workdays.models import CalendarDay


class Calendar:
    """A snapshot of the exceptions, so one computation does one query."""

    def __init__(self, exceptions: dict[dt.date, bool] | None = None):
        self.exceptions = (
            exceptions if exceptions is not None else dict(CalendarDay.objects.values_list("date", "is_working_day"))
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (negative: before). 0 gives `start` itself."""
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        day = start
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if end is before start)."""
        if end < start:
            return -self.between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + dt.timedelta(days=n)))

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the last working day before it (for deadlines: on or before)."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day


def calendar() -> Calendar:
    return Calendar()


def add_working_days(start: dt.date, days: int) -> dt.date:
    return Calendar().add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return Calendar().between(start, end)


@transaction.atomic
def calendar_day_set(*, actor, date: dt.date, is_working_day: bool, name: str = "") -> CalendarDay:

    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        day = CalendarDay.objects.create(date=date, is_working_day=is_working_day, name=name)
        audit_created(actor=actor, instance=day)
        return day
    before = snapshot(day)
    day.is_working_day, day.name = is_working_day, name
    save_if_changed(actor=actor, instance=day, before=before)
    return day


@lru_cache(maxsize=1)
def demo_calendar_2026() -> list[tuple[dt.date, bool, str]]:
    """A 2026 holiday calendar for the demo. Check it against the State Council's notice before real use."""
    d = dt.date
    days = []

    def off(start, end, name):
        day = start
        while day <= end:
            days.append((day, False, name))
            day += dt.timedelta(days=1)

    off(d(2026, 1, 1), d(2026, 1, 3), "元旦")
    off(d(2026, 2, 15), d(2026, 2, 23), "春节")
    off(d(2026, 4, 4), d(2026, 4, 6), "清明节")
    off(d(2026, 5, 1), d(2026, 5, 5), "劳动节")
    off(d(2026, 6, 19), d(2026, 6, 21), "端午节")
    off(d(2026, 9, 25), d(2026, 9, 27), "中秋节")
    off(d(2026, 10, 1), d(2026, 10, 7), "国庆节")
    for adjusted, name in (
        (d(2026, 1, 4), "元旦调休"),
        (d(2026, 2, 14), "春节调休"),
        (d(2026, 2, 28), "春节调休"),
        (d(2026, 5, 9), "劳动节调休"),
        (d(2026, 9, 20), "国庆节调休"),
        (d(2026, 10, 10), "国庆节调休"),
    ):
        days.append((adjusted, True, name))
    return days
