"""Probes for the load balancer and the monitoring system: /healthz, /readyz, /metrics, request ids in logs."""

from __future__ import annotations

import json
import logging
import time
from unittest import mock

import pytest
from django.db.utils import OperationalError

from jiati.ops import health


def test_healthz_answers_without_a_sign_in_or_a_database(client):
    response = client.get("/healthz")  # no django_db mark: a query here would fail the test
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_ok_with_database_cache_and_a_fresh_worker_heartbeat(client):
    health.beat(worker="w1")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "tasks": True,
    }
    assert body["checks"]["tasks"]["heartbeat_age_seconds"] < health.HEARTBEAT_STALE_SECONDS


@pytest.mark.django_db
def test_readyz_degraded_but_serving_without_a_worker_heartbeat(client):
    response = client.get("/readyz")
    assert response.status_code == 200  # the load balancer keeps sending requests: pages still work
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["tasks"] == {**body["checks"]["tasks"], "ok": False, "worker": "no heartbeat"}


@pytest.mark.django_db
def test_readyz_degraded_when_the_heartbeat_is_stale(client):
    health.beat(worker="w1")
    later = time.time() + health.HEARTBEAT_STALE_SECONDS + 5
    with mock.patch("jiati.ops.health.time.time", return_value=later):
        body = client.get("/readyz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["tasks"]["ok"] is False


@pytest.mark.django_db
def test_readyz_degraded_when_the_cache_loses_what_it_is_given(client):
    health.beat(worker="w1")
    with mock.patch("jiati.ops.health.cache.get", return_value=None):
        body = client.get("/readyz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False


@pytest.mark.django_db
def test_readyz_unavailable_when_the_database_does_not_answer(client):
    health.beat(worker="w1")
    with mock.patch("jiati.ops.health.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError", "ms": mock.ANY}


@pytest.mark.django_db
def test_readyz_counts_the_queued_tasks_of_the_database_backend(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        task_path="jiati.housing.tasks.run_import_job",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
    )
    body = client.get("/readyz").json()
    assert body["checks"]["tasks"]["queued"] == 1


def test_metrics_answer_the_allowed_address(client, settings):
    settings.JIATI_METRICS_ALLOWED_ADDRESSES = ["127.0.0.1"]
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


def test_metrics_refuse_another_address_and_a_wrong_token(client, settings):
    settings.JIATI_METRICS_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.JIATI_METRICS_TOKEN = "a-long-scrape-token"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.status_code == 404
    right = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer a-long-scrape-token")
    assert right.status_code == 200


def test_no_token_configured_means_no_token_accepted(client, settings):
    settings.JIATI_METRICS_ALLOWED_ADDRESSES = []
    settings.JIATI_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert len(first) == 36 and len(second) == 36 and first != second


def test_request_id_from_the_trusted_proxy_only(client, settings):
    settings.JIATI_TRUSTED_PROXIES = ["10.0.0.1"]
    proxied = client.get("/healthz", REMOTE_ADDR="10.0.0.1", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert proxied["X-Request-ID"] == "lb-0123456789abcdef"
    forged = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert forged["X-Request-ID"] != "lb-0123456789abcdef"
    malformed = client.get("/healthz", REMOTE_ADDR="10.0.0.1", HTTP_X_REQUEST_ID="bad id\nforged log line")
    assert "\n" not in malformed["X-Request-ID"] and len(malformed["X-Request-ID"]) == 36


@pytest.mark.django_db
def test_one_structured_log_line_per_request_with_its_id(client, world, caplog):
    from django.conf import settings as live
    from pythonjsonlogger.json import JsonFormatter

    from jiati.audit.middleware import RequestIdLogFilter

    client.force_login(world.users["community"])
    with caplog.at_level(logging.INFO, logger="jiati.request"):
        response = client.get("/accounts/login/?next=/", follow=False)
    [record] = [r for r in caplog.records if r.name == "jiati.request"]
    RequestIdLogFilter().filter(record)  # the handler's filter (caplog's handler has none)
    assert record.request_id == ""  # the request has ended: the id lived only during it
    formatter_config = live.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(formatter_config["fmt"], rename_fields=formatter_config["rename_fields"])
    record.request_id = response["X-Request-ID"]
    line = json.loads(formatter.format(record))
    assert line["request_id"] == response["X-Request-ID"]
    assert line["method"] == "GET" and line["path"] == "/accounts/login/" and line["status"] == response.status_code
    assert line["user_id"] == world.users["community"].pk
    assert line["level"] == "INFO" and line["logger"] == "jiati.request" and line["duration_ms"] >= 0


def test_log_lines_written_during_a_request_carry_its_id(client):
    from jiati.audit.middleware import RequestIdLogFilter

    seen = []

    def readiness_that_logs():
        record = logging.LogRecord("jiati.test", logging.INFO, __file__, 1, "inside", None, None)
        RequestIdLogFilter().filter(record)
        seen.append(record.request_id)
        return True, {}

    with mock.patch("jiati.ops.views.readiness", side_effect=readiness_that_logs):
        response = client.get("/readyz")
    assert seen == [response["X-Request-ID"]]
