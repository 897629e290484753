"""One way to show money, areas, shares, dates and times to a person, across pages, PDFs, exports and messages.

Everything a person reads goes through these functions (in templates through the `formats` tag library):
times in the district's time zone (`settings.TIME_ZONE`), dates as ISO (2026-12-04 reads the same in Chinese
and English, and `<input type="date">` accepts nothing else), money as ¥580,000.00, areas as 11,957.02 m²,
percentages rounded half-up on every side of a comparison, and the fractions the law uses (2/3, 3/4) shown as
such — never a raw ratio of two sums such as 64281/86944.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.core.money import yuan

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
CENT = Decimal("0.01")
# Fractions written in the law and in rule sets (1/2, 2/3, 3/4); a ratio of two counts or sums (11/12) is not.
LEGAL_DENOMINATOR_LIMIT = 4


def local_datetime(value: dt.datetime) -> dt.datetime:
    """An aware datetime in the district's time zone (naive values are taken as already local)."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_datetime(value: dt.datetime | None) -> str:
    """2026-12-04 18:00, in the district's time zone."""
    if value is None:
        return ""
    return local_datetime(value).strftime(DATETIME_FORMAT)


def format_date(value: dt.date | dt.datetime | None) -> str:
    """2026-12-04; a datetime gives the district's calendar day, not UTC's."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_datetime(value).date()
    return value.strftime(DATE_FORMAT)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value: Any, places: int = 2) -> str:
    """12,345.60: grouped by thousands, `places` decimals, rounded half-up (as people and the law round)."""
    number = _decimal(value)
    if number is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def format_money(value: Any) -> str:
    """¥580,000.00 (a negative amount keeps its sign in front: -¥3,000.00)."""
    number = _decimal(value)
    if number is None:
        return ""
    return yuan(number)  # one implementation of the money format (core.money)


def format_area(value: Any) -> str:
    """11,957.02 m²."""
    text = format_number(value)
    return f"{text} m²" if text else ""


def format_percent(value: Any, places: int = 1) -> str:
    """66.7%: a ratio (Fraction, Decimal or float between 0 and 1) as a percentage, rounded half-up."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{format_number(number * 100, places)}%"


def is_legal_fraction(value: Any) -> bool:
    """A fraction the law or a rule set would write (2/3, 3/4, 1/2), not a ratio of two measured sums."""
    return isinstance(value, Fraction) and 0 < value.denominator <= LEGAL_DENOMINATOR_LIMIT


def format_share(value: Any, places: int = 1) -> str:
    """A share people compare: "2/3 (66.7%)" for a fraction the law uses, else "73.9%" — never "64281/86944"."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = Fraction(value)
        except (ValueError, ZeroDivisionError):
            return value
    percent = format_percent(value, places)
    if is_legal_fraction(value) and value.denominator > 1:
        return f"{value.numerator}/{value.denominator} ({percent})"
    return percent


def format_compared_shares(value: Any, threshold: Any) -> tuple[str, str]:
    """Both sides of "reached ≥ required", rounded the same way. Where one decimal would make two different
    shares read the same (66.6…% failing against 2/3), more decimals are shown, so the page never shows a
    failing test whose two figures look equal (or a passing one whose figure looks smaller)."""
    if value is None:
        return "—", format_share(threshold)
    places = 1
    while places < 6 and value != threshold and format_percent(value, places) == format_percent(threshold, places):
        places += 1
    return format_share(value, places), format_share(threshold, places)


def display(value: Any) -> str:
    """Any value in a list cell, a PDF table or a message, formatted the one way the product shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Fraction):
        return format_share(value)
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)
