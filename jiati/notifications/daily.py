"""The daily sweep (`manage.py run_daily`): deliveries whose retry the task backend could not defer."""

from __future__ import annotations

from jiati.notifications.services import deliveries_retry_due


def run_daily() -> dict[str, int]:

    return {"deliveries_retried": deliveries_retry_due()}
