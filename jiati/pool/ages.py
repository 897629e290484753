"""Ages from resident ID numbers, for the priority score only: a share of owners aged 70 or more, never a list.

An 18-character number carries the birth date as YYYYMMDD at positions 7–14. The legacy 15-digit form (issued
until 1999, still found in old registers) carries it as YYMMDD at positions 7–12, all in the 1900s. Jiati's
own forms accept only the 18-character form (`core.personal_data.validate_resident_id`); imported or older
records may hold the legacy one, so the derivation reads both.
"""

from __future__ import annotations

import datetime as dt

from jiati.core.personal_data import normalise_id_number

ELDERLY_AGE = 70


def birth_date_from_id(value: str | None) -> dt.date | None:
    """The birth date an ID number carries, or None when it carries none (an organisation's code, a typo)."""
    number = normalise_id_number(value or "")
    if len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
        year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    elif len(number) == 15 and number.isdigit():
        year, month, day = 1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day` (someone born on 29 February turns a year older on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def elderly_count(id_numbers, *, on: dt.date) -> tuple[int, int]:
    """(owners aged 70 or more, owners whose age is known) among these ID numbers."""
    elderly = known = 0
    for number in id_numbers:
        birth = birth_date_from_id(number)
        if birth is None or birth > on:
            continue
        known += 1
        if age_on(birth, on) >= ELDERLY_AGE:
            elderly += 1
    return elderly, known


def turns_elderly_on(birth: dt.date) -> dt.date:
    """The day someone born on `birth` turns 70 (born on 29 February: 1 March when that year has no 29th)."""
    try:
        return birth.replace(year=birth.year + ELDERLY_AGE)
    except ValueError:
        return dt.date(birth.year + ELDERLY_AGE, 3, 1)


def next_elderly_day(id_numbers, *, on: dt.date) -> dt.date | None:
    """The next day after `on` on which one of these owners turns 70 (the elderly share changes by itself)."""
    days = []
    for number in id_numbers:
        birth = birth_date_from_id(number)
        if birth is None:
            continue
        day = turns_elderly_on(birth)
        if day > on:
            days.append(day)
    return min(days, default=None)
