"""Petition deadline arithmetic: pure functions of a date, the settings and the working-day calendar.

By default (信访工作条例, 2022): the decision on acceptance is due 15 days after receipt, the
resolution 60 days after acceptance, and one extension adds at most 30 days. "Days" are calendar
days unless the district office switches to working days. A deadline falling on day N means the
answer is on time through the end of day N; the petition is overdue from day N + 1.

One extension per petition, ever: reopening an answered petition gives it a new resolution deadline but
not a second extension. Escalation gives the next level a fresh deadline counted from the day of the
escalation — `escalation_resolve_days` (default 30) to resolve an accepted petition, `accept_days` to decide
on acceptance — or keeps the current deadline if that is later; the handling history records both.
"""

from __future__ import annotations

import datetime as dt

from jiati.consultation.models import PetitionSettings
from jiati.workdays.services import Calendar


def add_days(start: dt.date, days: int, *, settings: PetitionSettings, calendar=None) -> dt.date:
    if settings.working_days:
        return (calendar or Calendar()).add(start, days)
    return start + dt.timedelta(days=days)


def acceptance_due(received_on: dt.date, *, settings: PetitionSettings, calendar=None) -> dt.date:
    return add_days(received_on, settings.accept_days, settings=settings, calendar=calendar)


def resolution_due(accepted_on: dt.date, *, settings: PetitionSettings, calendar=None) -> dt.date:
    return add_days(accepted_on, settings.resolve_days, settings=settings, calendar=calendar)


def extended_due(resolve_due: dt.date, days: int, *, settings: PetitionSettings, calendar=None) -> dt.date:
    return add_days(resolve_due, days, settings=settings, calendar=calendar)


def escalated_due(
    escalated_on: dt.date, current: dt.date | None, *, accepted: bool, settings: PetitionSettings, calendar=None
) -> dt.date:
    """The deadline the next level gets: a fresh one from the escalation day, never earlier than the current one."""
    days = settings.escalation_resolve_days if accepted else settings.accept_days
    fresh = add_days(escalated_on, days, settings=settings, calendar=calendar)
    return max(fresh, current) if current is not None else fresh


def reminder_from(due: dt.date, *, settings: PetitionSettings) -> dt.date:
    """The first day the handler is reminded of a deadline (calendar days before it)."""
    return due - dt.timedelta(days=settings.remind_days_before)


def may_escalate_again(last_escalated_on: dt.date | None, today: dt.date, *, settings: PetitionSettings) -> bool:
    """An escalated petition gives its new level `escalate_after_days` before it moves up again."""
    return last_escalated_on is None or (today - last_escalated_on).days >= settings.escalate_after_days
