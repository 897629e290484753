"""The RQ task backend, with the database queue as a waiting room while Redis cannot be reached.

Enqueuing happens inside page requests (an import started, a notification after a save): with Redis down it would
fail the page after its data was saved. Instead the task waits in the database queue (django-tasks-db), and
`run_worker` hands waiting tasks back to Redis with each heartbeat once Redis answers again. Nothing is lost; a task
handed over twice (Redis took it, then the database commit failed) is harmless: the import and delivery tasks
check their own state first.

A worker killed under a job (SIGKILL, out of memory, machine lost): RQ finds the job abandoned when its lease in the
started-job registry runs out and re-queues it only if the job has retries left. django-tasks-rq creates jobs
without any, so the task would be lost; here each job gets the re-runs its task declares
(`jiati.core.task_policy`), and a task that declares none ends in RQ's failed-job registry, not run twice.
"""

from __future__ import annotations

import logging

import django_rq
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import RQBackend as BaseRQBackend
from django_tasks_rq.backend import Job, failed_callback, success_callback
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Retry, Worker
from rq.job import Callback, JobStatus

from jiati.core.task_policy import rerun_policy

logger = logging.getLogger(__name__)

# The TASKS alias of the database queue tasks wait in (jiati/settings.py).
WAITING_ROOM = "database"


class RQBackend(BaseRQBackend):
    def enqueue_to_redis(self, task, args, kwargs):
        """Enqueue on Redis or raise: no waiting room (for handing waiting tasks back).

        django-tasks-rq's `enqueue`, with the task's declared re-runs as RQ's `Retry` (its `enqueue` has no place
        for one). RQ also re-runs such a job when the task raises; the tasks that declare re-runs catch their own
        errors, so in practice a re-run is for a worker that died."""
        self.validate_task(task)
        task_result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        policy = rerun_policy(task.module_path)
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=task_result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
            retry=Retry(max=policy.times, interval=policy.after_seconds) if policy else None,
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(task_result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=task_result)
        return task_result

    def enqueue(self, task, args, kwargs):
        try:
            return self.enqueue_to_redis(task, args, kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            logger.error("Redis cannot be reached: task %s waits in the database queue", task.module_path)
            return task.using(backend=WAITING_ROOM).enqueue(*args, **kwargs)


class RQWorker(Worker):
    """RQ's worker, looking for abandoned jobs (and cleaning its registries) every minute instead of every ten: a job
    whose worker died is re-queued (or failed) about a minute after its lease in the started-job registry ran out
    (RQ's lease: the job's last heartbeat + 60 s)."""

    def __init__(self, *args, maintenance_interval: int = 60, **kwargs):
        super().__init__(*args, maintenance_interval=maintenance_interval, **kwargs)


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
