"""A worker killed mid-task (issue 18): the task is run again, not lost, and not run twice where that matters.

The real proofs start a worker process, SIGKILL it (with the job's forked child) in the middle of a housing import
— rows written, not committed — and start a new one: the import runs again to its end once. A task that declares
no re-run (`killed_tasks.pays_once`, standing for anything that moves money) is failed instead, never run again.
Both with RQ on Redis (skipped where no Redis answers) and with the database queue of the embedded installation.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from jiati.audit.models import AuditAction, AuditEntry
from jiati.housing import import_services
from jiati.housing.models import Dwelling, ImportJob, ImportStatus
from jiati.housing.tasks import run_import_job
from jiati.housing.tests.test_importer import stairwell_rows, xlsx
from jiati.notifications.models import Delivery, DeliveryStatus, Notification
from jiati.notifications.services import notify
from jiati.notifications.tasks import deliver
from jiati.ops import worker_leases
from jiati.ops.tests import processes
from jiati.ops.tests.killed_tasks import pays_once

RQ_TASKS = {
    "default": {"BACKEND": "jiati.ops.tasks_backend.RQBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# This file's Redis databases, one a test: xdist runs the tests at once, and each flushes its own.
IMPORT_DB, PAYMENT_DB, DECLARED_DB = 7, 8, 9
# The database queue's worker: beats every half second, a task whose worker is silent for 3 s is abandoned.
SHORT_LEASE = {"JIATI_WORKER_HEARTBEAT_SECONDS": "0.5", "JIATI_WORKER_LEASE_SECONDS": "3"}


def rq_queues(db: int) -> dict:
    return {"default": {"URL": processes.redis_url(db), "DEFAULT_TIMEOUT": 600}}


def _checked_file(user) -> ImportJob:
    dry = import_services.import_job_start(actor=user, upload=xlsx(stairwell_rows()))  # checked inline (tests)
    assert dry.status == ImportStatus.SUCCEEDED
    return dry


def _wait_until_imported(job, worker, log) -> None:
    """Until the new worker has run the killed import to its end."""
    processes.wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status=ImportStatus.SUCCEEDED).exists(),
        timeout=120,
        what="the import run again",
        process=worker,
        log=log,
    )


def _assert_imported_once(job) -> None:
    job.refresh_from_db()
    assert job.summary["dwelling"]["created"] == 6  # counted once: the second run started over from the file
    assert Dwelling.objects.filter(estate__code="NEW-1").count() == 6
    assert _import_audits(job) == 1


def _import_audits(job) -> int:
    return AuditEntry.objects.filter(action=AuditAction.IMPORT, object_id=str(job.pk)).count()


def _kill_mid_import(env: dict, job: ImportJob, tmp_path) -> None:
    """Run a worker until the import has written its rows (not committed them), then SIGKILL it and its child."""
    log = tmp_path / "killed-worker.log"
    with processes.running(processes.manage("run_worker"), env, log) as worker:
        pause = env["JIATI_TEST_IMPORT_PAUSE"]
        processes.wait_for(Path(pause).exists, timeout=120, what="the import's rows", process=worker, log=log)
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING
        processes.kill_tree(worker)
    assert not Dwelling.objects.filter(estate__code="NEW-1").exists()  # the killed run left no row behind


def _expire_rq_leases(redis, queue) -> None:
    """RQ takes a started job for abandoned when its lease in the started-job registry (last heartbeat + 60 s, fixed
    in RQ) has run out; instead of waiting that minute, the lease is moved into the past."""
    key = queue.started_job_registry.key
    entries = redis.zrange(key, 0, -1)
    assert len(entries) == 1, entries
    redis.zadd(key, {entries[0]: time.time() - 1})


# --- RQ on Redis ----------------------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rq_an_import_whose_worker_is_killed_runs_again_to_its_end_once(world, tmp_path):
    import django_rq

    redis = processes.redis_or_skip(IMPORT_DB)
    user = world.users["community"]
    dry = _checked_file(user)
    env = processes.production_env(IMPORT_DB, JIATI_TEST_IMPORT_PAUSE=str(tmp_path / "paused"))
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=rq_queues(IMPORT_DB)):
        job = import_services.import_job_apply(actor=user, dry_job=dry)
        _kill_mid_import(env, job, tmp_path)
        _expire_rq_leases(redis, django_rq.get_queue("default"))
        log = tmp_path / "worker.log"
        with processes.running(processes.manage("run_worker"), env, log) as worker:
            _wait_until_imported(job, worker, log)
    _assert_imported_once(job)
    [key] = [key for key in redis.keys("rq:job:*") if redis.type(key) == b"hash"]
    assert redis.hget(key, "retries_left") == b"2"  # RQ's own account: one re-run of the three


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rq_a_task_that_declares_no_rerun_is_failed_when_its_worker_is_killed_not_run_again(tmp_path):
    import django_rq

    redis = processes.redis_or_skip(PAYMENT_DB)
    ledger = tmp_path / "ledger"
    env = processes.production_env(PAYMENT_DB)
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=rq_queues(PAYMENT_DB)):
        result = pays_once.enqueue(str(ledger))
        log = tmp_path / "killed-worker.log"
        with processes.running(processes.manage("run_worker"), env, log) as worker:
            processes.wait_for(ledger.exists, timeout=120, what="the payment", process=worker, log=log)
            processes.kill_tree(worker)
        queue = django_rq.get_queue("default")
        _expire_rq_leases(redis, queue)
        log = tmp_path / "worker.log"
        with processes.running(processes.manage("run_worker"), env, log) as worker:
            processes.wait_for(
                lambda: pays_once.get_result(result.id).status == TaskResultStatus.FAILED,
                timeout=60,
                what="the killed payment marked failed",
                process=worker,
                log=log,
            )
            time.sleep(3)  # a re-run would have been queued with the verdict; give it the time to show
        assert result.id in queue.failed_job_registry.get_job_ids()  # for staff: django-rq's failed jobs
        assert redis.llen(queue.key) == 0
    assert ledger.read_text() == "paid\n"  # paid once


@pytest.mark.redis
def test_rq_jobs_carry_the_reruns_their_task_declares():
    from rq.job import Job

    redis = processes.redis_or_skip(DECLARED_DB)
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=rq_queues(DECLARED_DB)):
        jobs = {
            name: Job.fetch(task.enqueue(1).id, connection=redis)
            for name, task in {"import": run_import_job, "deliver": deliver, "pay": pays_once}.items()
        }
    assert (jobs["import"].retries_left, jobs["import"].retry_intervals) == (3, [0])
    assert (jobs["deliver"].retries_left, jobs["deliver"].retry_intervals) == (3, [30])
    assert jobs["pay"].retries_left is None


# --- The database queue (embedded installation, no REDIS_URL) ---------------------------------------------------


def _database_worker_env(**extra) -> dict:
    return processes.production_env(0, REDIS_URL="", **SHORT_LEASE, **extra)


def _task_row_reaches(pk, status, *, timeout: float, what: str, worker, log) -> None:
    """Wait, with a database-queue worker running, until its task row has `status`."""
    from django_tasks_db.models import DBTaskResult

    processes.wait_for(
        lambda: DBTaskResult.objects.filter(pk=pk, status=status).exists(),
        timeout=timeout,
        what=what,
        process=worker,
        log=log,
    )


@pytest.mark.django_db(transaction=True)
def test_database_queue_an_import_whose_worker_is_killed_runs_again_to_its_end_once(world, tmp_path):
    from django_tasks_db.models import DBTaskResult

    user = world.users["community"]
    dry = _checked_file(user)
    env = _database_worker_env(JIATI_TEST_IMPORT_PAUSE=str(tmp_path / "paused"))
    with override_settings(TASKS=DB_TASKS):
        job = import_services.import_job_apply(actor=user, dry_job=dry)
        _kill_mid_import(env, job, tmp_path)
        [row] = DBTaskResult.objects.filter(task_path="jiati.housing.tasks.run_import_job")
        assert row.status == TaskResultStatus.RUNNING  # what django-tasks-db leaves behind a killed worker
        log = tmp_path / "worker.log"
        with processes.running(processes.manage("run_worker"), env, log) as worker:
            _wait_until_imported(job, worker, log)
            _task_row_reaches(
                row.pk, TaskResultStatus.SUCCESSFUL, timeout=30, what="the task row finished", worker=worker, log=log
            )
    row.refresh_from_db()
    assert len(row.worker_ids) == 2  # the killed worker, then the new one
    _assert_imported_once(job)


@pytest.mark.django_db(transaction=True)
def test_database_queue_a_task_that_declares_no_rerun_is_failed_when_its_worker_is_killed(tmp_path):
    from django_tasks_db.models import DBTaskResult

    ledger = tmp_path / "ledger"
    env = _database_worker_env()
    with override_settings(TASKS=DB_TASKS):
        result = pays_once.enqueue(str(ledger))
    log = tmp_path / "killed-worker.log"
    with processes.running(processes.manage("run_worker"), env, log) as worker:
        processes.wait_for(ledger.exists, timeout=120, what="the payment", process=worker, log=log)
        processes.kill_tree(worker)
    log = tmp_path / "worker.log"
    with processes.running(processes.manage("run_worker"), env, log) as worker:
        _task_row_reaches(
            result.id,
            TaskResultStatus.FAILED,
            timeout=60,
            what="the killed payment marked failed",
            worker=worker,
            log=log,
        )
        time.sleep(3)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.exception_class_path == "jiati.ops.worker_leases.WorkerDied"
    assert "died while running it" in row.traceback  # what staff read in the task admin
    assert ledger.read_text() == "paid\n"


@pytest.mark.django_db
def test_database_queue_sweep_leaves_live_workers_alone_and_counts_the_runs(settings):
    from django_tasks_db.models import DBTaskResult

    settings.JIATI_WORKER_LEASE_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=5)

    def running(task, worker_ids):
        with override_settings(TASKS=DB_TASKS):
            result = task.enqueue(1)
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=worker_ids
        )
        return result.id

    worker_leases.renew_lease("alive")
    on_live_worker = running(run_import_job, ["alive"])
    abandoned = running(run_import_job, ["dead"])
    out_of_runs = running(run_import_job, ["dead-1", "dead-2", "dead-3", "dead-4"])  # first run + 3 re-runs
    delivery = running(deliver, ["dead"])
    payment = running(pays_once, ["dead"])

    assert worker_leases.reclaim_abandoned() == {"requeued": 2, "failed": 2}
    status = {str(pk): value for pk, value in DBTaskResult.objects.values_list("pk", "status")}
    assert status[str(on_live_worker)] == TaskResultStatus.RUNNING
    assert status[str(abandoned)] == TaskResultStatus.READY
    assert status[str(delivery)] == TaskResultStatus.READY
    assert status[str(out_of_runs)] == TaskResultStatus.FAILED
    assert status[str(payment)] == TaskResultStatus.FAILED
    # The delivery's re-run waits its declared 30 s; the import's comes at once.
    assert DBTaskResult.objects.ready().filter(pk=abandoned).exists()
    assert not DBTaskResult.objects.ready().filter(pk=delivery).exists()


@pytest.mark.django_db(transaction=True)
def test_database_queue_a_delivery_whose_worker_is_killed_after_the_gateway_took_it_is_not_sent_twice(world, tmp_path):
    """The worker dies after the SMS gateway accepted the message and before the delivery was recorded as sent: the
    claim was committed before the call, so the re-run finds the delivery in SENDING and, the gateway being unable to
    deduplicate, marks it "may have been sent" instead of sending it a second time."""
    from django_tasks_db.models import DBTaskResult

    ledger = tmp_path / "sms-gateway"
    env = _database_worker_env(
        JIATI_NOTIFICATION_CHANNELS="sms",
        JIATI_SMS_SENDER="jiati.ops.tests.killed_tasks.SmsGatewayThatHangs",
        JIATI_TEST_SMS_LEDGER=str(ledger),
        JIATI_DELIVERY_CLAIM_STALE_SECONDS="1",  # the re-run below comes seconds after the claim, not minutes
    )
    user = world.users["community"]
    user.phone = "13800138000"
    user.save()
    with override_settings(TASKS=DB_TASKS, JIATI_NOTIFICATION_CHANNELS=["sms"]):
        note = notify(recipients=[user], kind="test", title="明日停梯检修")[0]
    delivery = Delivery.objects.get(notification=note)
    [row] = DBTaskResult.objects.filter(task_path="jiati.notifications.tasks.deliver")
    log = tmp_path / "killed-worker.log"
    with processes.running(processes.manage("run_worker"), env, log) as worker:
        processes.wait_for(ledger.exists, timeout=120, what="the gateway taking the message", process=worker, log=log)
        processes.kill_tree(worker)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)  # committed before the gateway call
    assert ledger.read_text() == f"{delivery.key}\n"
    # The dead worker's task is handed back (as the next worker's sweep would, a lease later) and, instead of
    # waiting the 30 s the delivery declares, made due now.
    assert worker_leases.reclaim_abandoned(now=timezone.now() + timedelta(minutes=5)) == {"requeued": 1, "failed": 0}
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    log = tmp_path / "worker.log"
    with processes.running(processes.manage("run_worker"), env, log) as worker:
        _task_row_reaches(
            row.pk, TaskResultStatus.SUCCESSFUL, timeout=60, what="the delivery's re-run", worker=worker, log=log
        )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIRMED
    assert ledger.read_text() == f"{delivery.key}\n"  # taken by the gateway once
    assert Notification.objects.filter(pk=note.pk).exists()  # the inbox copy


# --- The import itself ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_that_fails_at_its_very_end_leaves_no_row_behind(world):
    """The rows, the job's end and its audit entry commit together: a run cut short after writing its rows (an
    error here, a killed worker in the proofs above) leaves nothing a re-run would count a second time."""
    user = world.users["community"]
    dry = _checked_file(user)
    with mock.patch.object(import_services, "audit_record", side_effect=RuntimeError("cut short")):
        job = import_services.import_job_apply(actor=user, dry_job=dry)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert not Dwelling.objects.filter(estate__code="NEW-1").exists()
    again = import_services.import_job_apply(actor=user, dry_job=dry)  # a failed import may be applied again
    assert again.status == ImportStatus.SUCCEEDED
    assert again.summary["dwelling"]["created"] == 6
