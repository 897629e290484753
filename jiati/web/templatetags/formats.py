"""{% load formats %}: the product's one formatting of money, areas, shares, dates and times (core.formatting)."""

from __future__ import annotations

from django import template

from jiati.core import formatting

register = template.Library()


@register.filter
def money(value) -> str:
    """{{ scheme.total_cost|money }} → ¥580,000.00."""
    return formatting.format_money(value)


@register.filter
def area(value) -> str:
    """{{ voter.area|area }} → 11,957.02 m²."""
    return formatting.format_area(value)


@register.filter
def number(value, places: int = 2) -> str:
    """{{ weight|number:4 }} → 1.2500, grouped and rounded half-up."""
    return formatting.format_number(value, int(places))


@register.filter
def percent(value, places: int = 1) -> str:
    """{{ ratio|percent }} → 66.7% (a ratio between 0 and 1)."""
    return formatting.format_percent(value, int(places))


@register.filter
def share(value) -> str:
    """{{ fraction|share }} → 2/3 (66.7%), or 73.9% for a ratio of two sums."""
    return formatting.format_share(value)


@register.filter
def day(value) -> str:
    """{{ when|day }} → 2026-12-04 (the district's calendar day)."""
    return formatting.format_date(value)


@register.filter
def moment(value) -> str:
    """{{ when|moment }} → 2026-12-04 18:00 in the district's time zone."""
    return formatting.format_datetime(value)


@register.filter
def shown(value) -> str:
    """{{ value|shown }}: any value the way the product shows it (formatting.display)."""
    return formatting.display(value)
