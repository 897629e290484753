"""The background worker for whichever task backend is configured, beating its heartbeat into the shared cache."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jiati.ops.health import beat, uses_rq, worker_name
from jiati.ops.tasks_backend import requeue_waiting
from jiati.ops.worker_leases import reclaim_abandoned, renew_lease

logger = logging.getLogger(__name__)


def _beat_until(stop: threading.Event, worker: str, *, requeue: bool) -> None:
    while True:
        try:
            beat(worker=worker)
            if not requeue:
                renew_lease(worker)
        except Exception:  # the cache down: readiness says so; the worker keeps working
            logger.warning("worker heartbeat not recorded", exc_info=True)
        if requeue:
            try:
                requeue_waiting()
            except Exception:  # Redis still away: the tasks keep waiting in the database
                logger.warning("waiting tasks not handed to Redis yet", exc_info=True)
            finally:
                close_old_connections()
        else:
            # The database queue: tasks whose worker died are run again or failed (RQ does this for itself).
            try:
                reclaim_abandoned()
            except Exception:
                logger.warning("abandoned tasks not reclaimed yet", exc_info=True)
            finally:
                close_old_connections()
        if stop.wait(settings.JIATI_WORKER_HEARTBEAT_SECONDS):
            return


class Command(BaseCommand):
    help = "Runs the task worker (RQ with REDIS_URL, the database worker otherwise) with its readiness heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1, help="database worker: seconds between polls")

    def handle(self, *args, interval, **options):
        worker = worker_name()[-64:]  # db_worker takes ids of at most 64 characters
        stop = threading.Event()
        rq = uses_rq()
        heart = threading.Thread(
            target=_beat_until, args=(stop, worker), kwargs={"requeue": rq}, name="heartbeat", daemon=True
        )
        heart.start()
        try:
            if rq:
                # With the scheduler: notification retries are deferred (run_after) and must come due by themselves.
                call_command(
                    "rqworker",
                    "default",
                    job_class="django_tasks_rq.Job",  # runs django-tasks' Task objects (django-tasks-rq's README)
                    worker_class="jiati.ops.tasks_backend.RQWorker",  # looks for abandoned jobs every minute
                    with_scheduler=True,
                    name=worker.replace(":", "-"),
                )
            else:
                # Its tasks carry this id: the lease the heartbeat renews tells whether their worker is alive.
                call_command("db_worker", interval=interval, worker_id=worker[-64:])
        finally:
            stop.set()
