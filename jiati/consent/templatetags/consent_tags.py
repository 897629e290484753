"""Template helpers for the printed forms, which are Chinese legal documents whatever the UI language."""

from __future__ import annotations

from django import template

register = template.Library()

MEASURE = {"area": "专有面积", "owners": "人数"}
BASIS = {"total": "全体业主", "participating": "参与表决业主", "agreeing": "同意的业主"}


@register.filter
def test_zh(spec) -> str:
    """A rule test in the words of Art. 278, e.g. “参与表决业主的专有面积占全体业主的专有面积”."""
    measure = MEASURE[spec.measure]
    return f"{BASIS[spec.numerator]}的{measure}占{BASIS[spec.denominator]}的{measure}"
