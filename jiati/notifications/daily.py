"""The daily sweep (`manage.py run_daily`): deliveries whose retry the task backend could not defer."""

from __future__ import annotations


def run_daily() -> dict[str, int]:
    from jiati.notifications.services import deliveries_retry_due

    return {"deliveries_retried": deliveries_retry_due()}
