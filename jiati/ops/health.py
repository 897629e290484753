"""What a load balancer and a monitoring system ask: is the process up (`/healthz`), can it serve (`/readyz`)?

Only the database decides readiness: without it no page works, so the load balancer should stop sending this
process requests. The cache and the task queue are reported but do not make the process unready — with Redis down
pages keep working (django-redis ignores its errors) and tasks wait; taking every web process out of rotation for
that would turn a degraded service into an outage. Monitoring alerts on the body's `status` ("degraded").
The read replica, when one is configured, is the same: down or lagging, its reads go to the primary.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django_tasks import task_backends

from jiati.core.replica import replica_state

HEARTBEAT_KEY = "ops:worker-heartbeat"
HEARTBEAT_EVERY_SECONDS = 10
# A worker silent longer than this is taken for dead (a long import does not stop the heartbeat: it has its thread).
HEARTBEAT_STALE_SECONDS = 60


@dataclass
class Check:
    ok: bool
    detail: dict = field(default_factory=dict)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(*, worker: str) -> None:
    """Record that `worker` is alive (the worker's heartbeat thread calls this every few seconds)."""
    cache.set(HEARTBEAT_KEY, {"worker": worker, "at": time.time()}, timeout=HEARTBEAT_STALE_SECONDS * 60)


def _timed(probe) -> Check:
    started = time.perf_counter()
    try:
        ok, detail = probe()
    except Exception as exc:
        ok, detail = False, {"error": exc.__class__.__name__}
    detail["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return Check(ok=ok, detail=detail)


def check_database() -> Check:
    def probe():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, {"vendor": connection.vendor}

    return _timed(probe)


def check_cache() -> Check:
    """Write and read back a probe value: with Redis down django-redis swallows the error, so the read is the test."""

    def probe():
        key, value = f"ops:probe:{worker_name()}", uuid.uuid4().hex
        cache.set(key, value, timeout=30)
        return cache.get(key) == value, {}

    return _timed(probe)


def uses_rq() -> bool:
    """Whether tasks go to Redis (django-tasks-rq) rather than the database."""
    from django_tasks_rq import RQBackend

    return isinstance(task_backends["default"], RQBackend)


def _queue_depth() -> int:
    if uses_rq():
        import django_rq

        return django_rq.get_queue("default").count
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()


def check_tasks() -> Check:
    """The queue answers (Redis for the RQ backend, the database for the database backend) and a worker beat lately."""

    def probe():
        detail = {"backend": type(task_backends["default"]).__name__, "queued": _queue_depth()}
        heartbeat = cache.get(HEARTBEAT_KEY)
        if not heartbeat:
            detail["worker"] = "no heartbeat"
            return False, detail
        age = time.time() - heartbeat["at"]
        detail["heartbeat_age_seconds"] = round(age, 1)
        return age <= HEARTBEAT_STALE_SECONDS, detail

    return _timed(probe)


def check_replica() -> Check | None:
    """The read replica answers and keeps up (checked now, which also renews the verdict the router uses); None
    without a replica."""
    state = replica_state(fresh=True)
    if state is None:
        return None
    detail = {**state.detail, "reads": "replica" if state.ok else "primary"}
    return Check(ok=state.ok, detail=detail)


def readiness() -> tuple[bool, dict[str, Check]]:
    """(ready, checks): ready when the database answers; the other checks only make the status "degraded"."""
    checks = {"database": check_database(), "cache": check_cache(), "tasks": check_tasks()}
    replica = check_replica()
    if replica is not None:
        checks["replica"] = replica
    return checks["database"].ok, checks
