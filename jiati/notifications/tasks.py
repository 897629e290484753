"""Background delivery of notifications over outside channels (the logic lives in `services.delivery_attempt`)."""

from __future__ import annotations

from django_tasks import task

from jiati.core.task_policy import rerun_if_interrupted


# Safe to run again: an attempt is claimed on the delivery row (status sending) before the channel is called, a sent
# delivery is not sent again, and one whose worker died in the send is sent again (same key) only over a channel
# that deduplicates, else marked "may have been sent" (services.delivery_attempt).
@rerun_if_interrupted(times=3, after_seconds=30)
@task()
def deliver(delivery_id: int) -> None:
    # Imported when the task runs: services enqueues this task (a cycle at import time).
    from jiati.notifications.services import delivery_attempt

    delivery_attempt(delivery_id=delivery_id)
