"""Statistics: rebuild the per-community summaries once the other areas have loaded their data (demo rows are
partly written with bulk updates, which no signal sees)."""

from __future__ import annotations

from jiati.stats import services


def seed(context) -> None:
    services.rebuild_all()
