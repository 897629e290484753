"""Background delivery of notifications over outside channels (the logic lives in `services.delivery_attempt`)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(delivery_id: int) -> None:
    # Imported when the task runs: services enqueues this task (a cycle at import time).
    from jiati.notifications.services import delivery_attempt

    delivery_attempt(delivery_id=delivery_id)
