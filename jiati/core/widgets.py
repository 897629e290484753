"""Form widgets every app shares, so a date or time is written the one way the browser's picker reads.

`<input type="date">` accepts only ISO dates (2026-12-04) and `datetime-local` only 2026-12-04T18:00. Django's
plain DateInput writes the active language's format (2026/12/04 in Chinese), which the browser silently drops:
the pre-filled default vanishes and a required field stops the user with the browser's own message.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone


class DateInput(forms.DateInput):
    """A date picker, always written as ISO."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A date-and-time picker, always ISO and in the district's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return super().format_value(value)


class MonthInput(forms.DateInput):
    """A month picker (`<input type="month">`), always written as ISO year-month (2026-12)."""

    input_type = "month"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format="%Y-%m")
