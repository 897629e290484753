"""The RQ task backend, with the database queue as a waiting room while Redis cannot be reached.

Enqueuing happens inside page requests (an import started, a notification after a save): with Redis down it would
fail the page after its data was saved. Instead the task waits in the database queue (django-tasks-db), and
`run_worker` hands waiting tasks back to Redis with each heartbeat once Redis answers again. Nothing is lost; a task
handed over twice (Redis took it, then the database commit failed) is harmless: the import and delivery tasks
check their own state first.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_rq import RQBackend as BaseRQBackend
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# The TASKS alias of the database queue tasks wait in (jiati/settings.py).
WAITING_ROOM = "database"


class RQBackend(BaseRQBackend):
    def enqueue_to_redis(self, task, args, kwargs):
        """Enqueue on Redis or raise: no waiting room (for handing waiting tasks back)."""
        return super().enqueue(task, args, kwargs)

    def enqueue(self, task, args, kwargs):
        try:
            return self.enqueue_to_redis(task, args, kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            logger.error("Redis cannot be reached: task %s waits in the database queue", task.module_path)
            return task.using(backend=WAITING_ROOM).enqueue(*args, **kwargs)


def requeue_waiting(*, limit: int = 500) -> int:
    """Hand tasks that waited in the database (and are due) to Redis; returns how many. Stops at the first failure."""
    from django_tasks_db.models import DBTaskResult

    due = DBTaskResult.objects.ready().filter(backend_name=WAITING_ROOM).values_list("pk", flat=True)[:limit]
    moved = 0
    for pk in list(due):
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=TaskResultStatus.READY)
                .first()
            )
            if row is None:
                continue
            task = import_string(row.task_path).using(
                backend="default", priority=row.priority, queue_name=row.queue_name
            )
            row.delete()
            # Raises while Redis is still away: the transaction keeps the row for the next heartbeat.
            task.get_backend().enqueue_to_redis(task, row.args_kwargs["args"], row.args_kwargs["kwargs"])
        moved += 1
    if moved:
        logger.info("%s task(s) that waited while Redis was away handed to Redis", moved)
    return moved
