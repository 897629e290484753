"""The background worker for whichever task backend is configured, beating its heartbeat into the shared cache."""

from __future__ import annotations

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiati.ops.health import HEARTBEAT_EVERY_SECONDS, beat, uses_rq, worker_name

logger = logging.getLogger(__name__)


def _beat_until(stop: threading.Event, worker: str) -> None:
    while True:
        try:
            beat(worker=worker)
        except Exception:  # the cache down: readiness says so; the worker keeps working
            logger.warning("worker heartbeat not recorded", exc_info=True)
        if stop.wait(HEARTBEAT_EVERY_SECONDS):
            return


class Command(BaseCommand):
    help = "Runs the task worker (RQ with REDIS_URL, the database worker otherwise) with its readiness heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1, help="database worker: seconds between polls")

    def handle(self, *args, interval, **options):
        worker = worker_name()
        stop = threading.Event()
        heart = threading.Thread(target=_beat_until, args=(stop, worker), name="heartbeat", daemon=True)
        heart.start()
        try:
            if uses_rq():
                # With the scheduler: notification retries are deferred (run_after) and must come due by themselves.
                call_command(
                    "rqworker",
                    "default",
                    job_class="django_tasks_rq.Job",  # runs django-tasks' Task objects (django-tasks-rq's README)
                    with_scheduler=True,
                    name=worker.replace(":", "-"),
                )
            else:
                call_command("db_worker", interval=interval)
        finally:
            stop.set()
