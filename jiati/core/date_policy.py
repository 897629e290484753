"""One rule for dates people type: each kind of date has a sane window, and a date outside it is refused.

Why: a schedule target of 9999-12-31 was accepted (and planned backwards, working day by working day); a year
typed as 0206 or 2260 passes every other check. The form and serializer bases (`core.forms`, `core.serializers`)
give every date and datetime input the window of its kind, read from its name; services that take a date from
elsewhere (a command, an import) call `check_date`.

- a **plan** (a target, a due date, a deadline, a start or end, an expiry): up to ten years ahead;
- anything else, a **record** of what happened (paid, received, inspected, built): up to a year ahead.
Both start in 1900: old policies, contracts and plans stay on record (a past target is the service's refusal).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from jiati.core.formatting import format_date

PLAN, RECORD = "plan", "record"
PLAN_WORDS = ("due", "target", "deadline", "planned", "until", "expires", "starts", "ends", "closes", "start", "end")
PLAN_NAMES = frozenset({"first_day", "last_day", "effective_from", "effective_to", "next_inspection_due"})
FIRST = dt.date(1900, 1, 1)


def kind_of(field_name: str) -> str:
    words = field_name.split("_")
    return PLAN if field_name in PLAN_NAMES or any(w in PLAN_WORDS for w in words) else RECORD


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def window(kind: str, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return FIRST, _years_from(today, 10 if kind == PLAN else 1)


@deconstructible
class DateWindowValidator:
    """Refuses a date (or a datetime's local date) outside the window of its kind."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value) -> None:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if not isinstance(value, dt.date):
            return
        low, high = window(self.kind)
        if not low <= value <= high:
            raise ValidationError(
                _("Give a date from %(low)s to %(high)s."),
                code="date_out_of_range",
                params={"low": format_date(low), "high": format_date(high)},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DateWindowValidator) and other.kind == self.kind


def validator_for(field_name: str) -> DateWindowValidator:
    return DateWindowValidator(kind_of(field_name))


def check_date(value, *, field: str) -> None:
    """For a service: the same rule, the refusal naming `field`."""
    try:
        validator_for(field)(value)
    except ValidationError as exc:
        raise ValidationError({field: [exc]}) from None
