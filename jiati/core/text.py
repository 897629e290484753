"""Small text helpers that follow the active language."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def list_text(items: Iterable) -> str:
    """Items joined the way the language lists them: "a, b" in English, "a、b" in Chinese."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
