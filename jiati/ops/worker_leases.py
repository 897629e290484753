"""The database worker's leases: a task whose worker died is run again or failed, never left RUNNING for ever.

django-tasks-db's `db_worker` marks a task RUNNING with its worker id when it takes it, and nothing ever looks at
that row again if the worker is killed (SIGKILL, out of memory, the machine lost): the task is lost and shows
RUNNING for good. `run_worker` therefore renews a lease for its worker in the cache with every heartbeat, and
sweeps: a RUNNING task of the database queue whose worker's lease has run out (and which started longer than a
lease ago) is abandoned. A task that declares re-runs (`jiati.core.task_policy`) goes back to READY while it has
runs left; any other one is FAILED with the reason (`WorkerDied`), visible to staff in the task admin, not run twice.

The lease lives in the cache: the embedded installation's file cache is shared by the processes of one machine,
the same reach as its SQLite database. A lease the cache lost makes a live worker's task look abandoned; the tasks
that declare re-runs guard themselves against a second runner (the import locks its job, a delivery is claimed).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from jiati.core.task_policy import rerun_policy

logger = logging.getLogger(__name__)

# The alias whose tasks `db_worker` runs (run_worker starts it with the default backend).
DATABASE_QUEUE = "default"


class WorkerDied(Exception):
    """The worker running the task stopped beating before the task ended."""


def _lease_key(worker_id: str) -> str:
    return f"ops:worker-lease:{worker_id}"


def renew_lease(worker_id: str) -> None:
    """Record that `worker_id` is alive for one more lease (run_worker's heartbeat thread calls this)."""
    cache.set(_lease_key(worker_id), timezone.now().isoformat(), timeout=settings.JIATI_WORKER_LEASE_SECONDS)


def reclaim_abandoned(*, now=None) -> dict[str, int]:
    """Hand back (READY) or fail the database queue's tasks whose worker died; returns how many of each."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lease = timedelta(seconds=settings.JIATI_WORKER_LEASE_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    candidates = DBTaskResult.objects.running().filter(backend_name=DATABASE_QUEUE, started_at__lt=now - lease)
    for pk, worker_ids in candidates.values_list("pk", "worker_ids")[:500]:
        if worker_ids and cache.get(_lease_key(worker_ids[-1])) is not None:
            continue  # a long task on a live worker
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if row is None:
                continue
            policy = rerun_policy(row.task_path)
            runs = len(row.worker_ids)
            if policy is not None and runs <= policy.times:
                row.status = TaskResultStatus.READY
                row.started_at = None
                if policy.after_seconds:
                    row.run_after = now + timedelta(seconds=policy.after_seconds)
                row.save(update_fields=["status", "started_at", "run_after"])
                counts["requeued"] += 1
                logger.warning(
                    "task %s (%s) abandoned by worker %s: run again (run %s of at most %s)",
                    row.pk,
                    row.task_path,
                    row.worker_ids[-1] if row.worker_ids else "?",
                    runs + 1,
                    policy.times + 1,
                )
            else:
                reason = f"worker {row.worker_ids[-1] if row.worker_ids else '?'} died while running it" + (
                    f" (run {runs}, no re-run left)" if policy else " (the task is not re-run by itself)"
                )
                row.set_failed(WorkerDied(reason))
                counts["failed"] += 1
                logger.error("task %s (%s) abandoned and failed: %s", row.pk, row.task_path, reason)
    return counts
