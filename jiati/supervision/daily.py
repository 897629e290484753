"""The daily sweep (`manage.py run_daily`): tell companies and responsible staff about rectifications that
became overdue (once per due date, so running it twice sends nothing twice)."""

from __future__ import annotations

from jiati.supervision.services import rectifications_remind


def run_daily() -> dict[str, int]:
    return {"rectifications overdue reminded": rectifications_remind()}
