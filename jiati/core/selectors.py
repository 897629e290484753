"""Reads that span apps."""

from __future__ import annotations

from jiati.core.hooks import collect


def start_page_widgets(*, user) -> list[dict]:
    return collect("widgets", "start_page_widgets", user=user)
