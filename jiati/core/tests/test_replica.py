"""The read-replica router's decisions, on Django's own multi-database test setup: the `replica` alias is a TEST
MIRROR of the test database (jiati/test_settings.py) with a connection of its own, so every query shows which
alias it went to. Transactional tests: a mirror cannot share the test case's open transaction.

The same behaviour on a real primary and streaming standby: jiati/ops/tests/test_replica.py (`.ci/replica`)."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.db import connections, transaction
from django.test.utils import override_settings

from jiati.core import replica
from jiati.housing.models import Estate

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)

ON = override_settings(JIATI_REPLICA_ALIAS="replica")


@pytest.fixture(autouse=True)
def _fresh_verdict():
    replica.forget_replica_state()
    yield
    replica.forget_replica_state()


@contextmanager
def queries():
    """(primary, replica): the queries each alias ran inside the block (recorded without opening a connection)."""
    seen = {"default": [], "replica": []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            seen[alias].append({"sql": sql})
            return execute(sql, params, many, context)

        return record

    wrappers = {alias: recorder(alias) for alias in seen}
    for alias, wrapper in wrappers.items():
        connections[alias].execute_wrappers.append(wrapper)
    try:
        yield seen["default"], seen["replica"]
    finally:
        for alias, wrapper in wrappers.items():
            connections[alias].execute_wrappers.remove(wrapper)


def test_without_a_replica_every_query_reads_the_primary_and_no_cookie_is_left(client_for, world):
    client = client_for(world.users["district"])
    with queries() as (primary, rep):
        assert client.get("/stats/").status_code == 200
        response = client.post("/stats/")
    assert len(primary) > 0 and len(rep) == 0
    assert replica.WROTE_COOKIE not in response.cookies
    assert replica.ReplicaRouter().db_for_read(Estate) is None
    assert replica.ReplicaRouter().db_for_write(Estate) is None


@ON
def test_a_dashboard_an_export_and_an_api_list_read_the_replica(client_for, world):
    client = client_for(world.users["district"])
    for url in ("/stats/", "/api/stats/figures/", "/api/housing/estates/", "/pool/?export=xlsx"):
        with queries() as (primary, rep):
            assert client.get(url).status_code == 200, url
        assert len(rep) > 0, url
        # The primary still serves the session (read before the view is chosen) and writes (the export's audit).
        assert not any("stats_" in q["sql"] or "housing_estate" in q["sql"] for q in primary), url


@ON
def test_pages_that_are_not_declared_and_single_objects_read_the_primary(client_for, world):
    client = client_for(world.users["district"])
    estate = Estate.objects.first()
    for url in ("/pool/", f"/api/housing/estates/{estate.pk}/", "/"):
        with queries() as (primary, rep):
            assert client.get(url).status_code == 200, url
        assert len(primary) > 0 and len(rep) == 0, url


@ON
def test_after_a_write_the_user_reads_the_primary_for_the_window(client_for, world, settings):
    client = client_for(world.users["district"])
    response = client.post("/api/housing/estates/", {})  # any non-safe request counts, refused or not
    assert response.status_code in {400, 403, 405}
    cookie = response.cookies[replica.WROTE_COOKIE]
    assert cookie["max-age"] == settings.JIATI_READ_AFTER_WRITE_SECONDS and cookie["httponly"]
    with queries() as (primary, rep):
        assert client.get("/stats/").status_code == 200
    assert len(rep) == 0 and len(primary) > 0
    # The window over (the cookie's time is older than it): the dashboard reads the replica again.
    client.cookies[replica.WROTE_COOKIE] = f"{time.time() - settings.JIATI_READ_AFTER_WRITE_SECONDS - 1:.3f}"
    with queries() as (primary, rep):
        assert client.get("/stats/").status_code == 200
    assert len(rep) > 0


@ON
def test_within_a_request_a_write_or_a_transaction_sends_the_reads_to_the_primary():
    router = replica.ReplicaRouter()
    token = replica._may_read_replica.set(True)
    try:
        assert router.db_for_read(Estate) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Estate) == "default"
        assert router.db_for_read(Estate) == "replica"
        assert router.db_for_write(Estate) == "default"
        assert router.db_for_read(Estate) == "default"  # what it wrote, it reads back from the primary
    finally:
        replica._may_read_replica.reset(token)
    assert router.db_for_read(Estate) == "default"  # outside a declared request
    assert router.allow_migrate("replica", "housing") is False


@ON
def test_the_verdict_is_checked_once_and_kept(client_for, world):
    client = client_for(world.users["district"])
    with queries() as (_, rep):
        client.get("/stats/")
        client.get("/stats/")
    # The check: SELECT 1 on the embedded test mirror, the lag query on PostgreSQL.
    assert sum(q["sql"] == "SELECT 1" or "pg_is_in_recovery()" in q["sql"] for q in rep) == 1


@ON
def test_replica_down_reads_fall_back_to_the_primary_and_readyz_says_degraded(client_for, world, tmp_path):
    client = client_for(world.users["district"])
    standby = connections["replica"]
    kept = standby.settings_dict["NAME"]
    standby.close()
    standby.settings_dict["NAME"] = str(tmp_path / "gone" / "replica.sqlite3")  # cannot be opened
    try:
        with queries() as (primary, rep):
            assert client.get("/stats/").status_code == 200
        assert len(rep) == 0 and any("stats_" in q["sql"] for q in primary)
        ready = client.get("/readyz")
    finally:
        standby.close()
        standby.settings_dict["NAME"] = kept
    assert ready.status_code == 200  # the primary serves every page: degraded, not out of rotation
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["replica"]["ok"] is False
    assert body["checks"]["replica"]["reads"] == "primary"
    assert body["checks"]["database"]["ok"] is True
    # Back: /readyz checks afresh, and the dashboard reads the replica again.
    assert client.get("/readyz").json()["checks"]["replica"]["ok"] is True
    with queries() as (_, rep):
        client.get("/stats/")
    assert len(rep) > 0
