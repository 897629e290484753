"""Template helpers for subsidies: yuan to the fen, and the calculation in plain words."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jiati.subsidies import rules

register = template.Library()


@register.filter
def yuan(value) -> str:
    """{{ amount|yuan }} → ¥1,234,567.89 (exact; "—" for nothing)."""
    if value in (None, ""):
        return "—"
    return rules.yuan(Decimal(value))


@register.filter
def calculation_line(line: dict) -> str:
    return rules.line_text(line)


@register.filter
def unmet_condition(item: dict) -> str:
    return rules.unmet_text(item)
