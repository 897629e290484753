"""With REDIS_URL set, work runs on Redis: tasks on a real RQ worker process, rate limits counted once across four
gunicorn processes. Skipped where no Redis answers (CI and the project machine have one at 127.0.0.1:6379)."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from jiati.housing import import_services
from jiati.housing.models import Dwelling, Estate, ImportJob, ImportStatus
from jiati.housing.tests.test_importer import stairwell_rows, xlsx
from jiati.notifications.models import Delivery, DeliveryStatus
from jiati.notifications.services import notify
from jiati.ops.tests import processes

pytestmark = pytest.mark.redis

RQ_TASKS = {
    "default": {"BACKEND": "jiati.ops.tasks_backend.RQBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# Each test's own Redis database (processes.redis_url).
WORKER_DB, GUNICORN_DB, WAITING_DB = 15, 14, 13


def rq_queues(db: int) -> dict:
    return {"default": {"URL": processes.redis_url(db), "DEFAULT_TIMEOUT": 600}}


@pytest.mark.django_db(transaction=True)
def test_a_real_rq_worker_runs_the_housing_import_and_the_notification_delivery(world, tmp_path):
    redis = processes.redis_or_skip(WORKER_DB)
    user = world.users["community"]
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=rq_queues(WORKER_DB)):
        dry = import_services.import_job_start(actor=user, upload=xlsx(stairwell_rows()))
        [note] = notify(recipients=[user], kind="test", title="Lift works start on Monday")
        delivery = Delivery.objects.get(notification=note)
        # Queued in Redis, not run: nothing works on the queue yet.
        assert dry.status == ImportStatus.QUEUED
        assert delivery.status == DeliveryStatus.PENDING
        assert redis.llen("rq:queue:default") == 2

        log = tmp_path / "worker.log"
        with processes.running(processes.manage("run_worker"), processes.production_env(WORKER_DB), log) as worker:
            dry = processes.wait_for(
                lambda: ImportJob.objects.filter(pk=dry.pk, status=ImportStatus.SUCCEEDED).first(),
                timeout=120,
                what="the dry run",
                process=worker,
                log=log,
            )
            processes.wait_for(
                lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).exists(),
                timeout=60,
                what="the delivery",
                process=worker,
                log=log,
            )
            # The checked file applied, also by the worker: the dwellings are written by another process.
            real = import_services.import_job_apply(actor=user, dry_job=dry)
            processes.wait_for(
                lambda: ImportJob.objects.filter(pk=real.pk, status=ImportStatus.SUCCEEDED).exists(),
                timeout=120,
                what="the import",
                process=worker,
                log=log,
            )
            # The worker's heartbeat reached the shared cache (Redis): readiness in any web process sees it.
            assert any(key.endswith(b"ops:worker-heartbeat") for key in redis.keys("*"))
    assert Dwelling.objects.filter(estate=Estate.objects.get(code="NEW-1")).count() == 6
    assert dry.summary["dwelling"]["created"] == 6
    output = log.read_text(errors="replace")
    assert "run_import_job" in output and "deliver" in output  # RQ's own log lines: the worker ran both


def _post_code_requests(base: str, phone: str, count: int) -> list[str]:
    """Ask `count` times at once for a sign-in code for `phone`; return the pages (each request a new connection)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/m/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "phone": phone, "send": "1"}).encode()

    def post(_):
        request = urllib.request.Request(f"{base}/m/login/", data=body, headers={"Accept-Language": "en"})  # noqa: S310
        return opener.open(request, timeout=60).read().decode()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(post, range(count)))


@pytest.mark.django_db(transaction=True)
def test_the_code_rate_limit_holds_across_four_gunicorn_processes(tmp_path, settings):
    processes.redis_or_skip(GUNICORN_DB)
    port = processes.free_port()
    log = tmp_path / "gunicorn.log"
    args = processes.gunicorn(
        "--workers=4",
        f"--bind=127.0.0.1:{port}",
        "--access-logfile=-",
        "--access-logformat=pid=%(p)s %(m)s %(U)s %(s)s",
    )
    phone = f"139{uuid.uuid4().int % 10**8:08d}"  # no owner has it: nothing is sent, the limit still counts
    limit = settings.JIATI_SIGNIN_CODES_PER_PHONE_HOUR
    with processes.running(args, processes.production_env(GUNICORN_DB, JIATI_HTTPS="0"), log) as server:
        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                return urllib.request.urlopen(f"{base}/healthz", timeout=5).status == 200  # noqa: S310
            except OSError:
                return False

        processes.wait_for(up, timeout=120, what="gunicorn answering", process=server, log=log)
        pages = _post_code_requests(base, phone, 4 * limit)
    refused = [page for page in pages if "Too many codes were asked for just now" in page]
    assert len(refused) == 4 * limit - limit  # each process counting alone would have let up to 4 × 5 through
    posts = re.findall(r"pid=<(\d+)> POST /m/login/ 200", log.read_text())
    assert len(posts) == 4 * limit
    assert len(set(posts)) >= 2, "the requests should have been spread over the gunicorn processes"


REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}


@pytest.mark.django_db
def test_redis_down_pages_keep_working_and_readiness_says_so(client, world):
    with override_settings(CACHES=REDIS_DOWN):
        assert client.get("/m/login/").status_code == 200
        # A code can still be asked for: the limit cannot count, so it lets the request through (and logs it).
        response = client.post("/m/login/", {"phone": "13912345678", "send": "1"})
        assert response.status_code == 200
        assert "Too many codes" not in response.content.decode()
        client.force_login(world.users["community"])
        assert client.get("/").status_code == 200
        ready = client.get("/readyz")
    assert ready.status_code == 200  # the load balancer keeps this process: pages work
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["tasks"] == {**body["checks"]["tasks"], "ok": False, "worker": "no heartbeat"}


@pytest.mark.django_db(transaction=True)
def test_redis_down_tasks_wait_in_the_database_and_go_to_redis_when_it_is_back(world):
    from django_tasks_db.models import DBTaskResult

    from jiati.ops.tasks_backend import WAITING_ROOM, requeue_waiting

    user = world.users["community"]
    dead = {"default": {"URL": "redis://127.0.0.1:9/0?socket_connect_timeout=1"}}
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=dead):
        [note] = notify(recipients=[user], kind="test", title="Lift works start on Monday")  # no error: it waits
        [waiting] = DBTaskResult.objects.filter(backend_name=WAITING_ROOM)
        assert waiting.task_path == "jiati.notifications.tasks.deliver"
        assert waiting.args_kwargs["args"] == [Delivery.objects.get(notification=note).pk]
        with pytest.raises(RedisConnectionError):
            requeue_waiting()  # Redis still away: the task keeps waiting
        assert DBTaskResult.objects.filter(pk=waiting.pk).exists()
    redis = processes.redis_or_skip(WAITING_DB)
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=rq_queues(WAITING_DB)):
        assert requeue_waiting() == 1
    assert not DBTaskResult.objects.filter(backend_name=WAITING_ROOM).exists()
    assert redis.llen("rq:queue:default") == 1
