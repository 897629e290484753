"""The read replica on a real PostgreSQL primary and streaming standby that `.ci/replica` starts (its own data
directories and ports). Skipped unless JIATI_REPLICA_TEST_STANDBY names the standby's server; the test database is
the primary's (DATABASE_URL), which the standby replays.

Which database answered is seen in the data, not guessed: the standby's replay is paused, a row is written on the
primary, and a page shows it only when it was read from the primary."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from jiati.core.tests.factories import EstateFactory
from jiati.housing.models import Estate
from jiati.ops.tests import processes

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True)]

STANDBY = os.environ.get("JIATI_REPLICA_TEST_STANDBY", "")
REDIS_DB = 5
MAX_LAG = (
    20  # seconds the gunicorn below tolerates before it stops reading the standby (generous: CI machines are loaded)
)


@pytest.fixture
def standby():
    """An autocommit connection to the test database on the standby (once the standby has it)."""
    if not STANDBY:
        pytest.skip("no standby: run .ci/replica")
    url = f"{STANDBY}/{connection.settings_dict['NAME']}"
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=2)
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    yield conn
    with contextlib.suppress(psycopg.Error):  # stopped by the test
        conn.execute("SELECT pg_wal_replay_resume()")
    conn.close()


def caught_up(standby) -> bool:
    """The standby has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        [lsn] = cursor.fetchone()
    return standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]


def test_a_write_is_visible_on_the_primary_at_once_and_reaches_the_standby(standby):
    estate = EstateFactory(name="复制测试花园")
    assert Estate.objects.filter(pk=estate.pk).exists()  # the primary: at once
    started = time.monotonic()
    processes.wait_for(
        lambda: standby.execute("SELECT name FROM housing_estate WHERE id = %s", [estate.pk]).fetchone(),
        timeout=30,
        what="the row reaching the standby",
    )
    print(f"replicated in {time.monotonic() - started:.3f} s")
    # The standby refuses writes: nothing can be written to it by mistake.
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        standby.execute("UPDATE housing_estate SET name = 'x' WHERE id = %s", [estate.pk])


class Browser:
    """Keeps the cookies a browser would (the session, and the read-after-write cookie the server sets)."""

    def __init__(self, session_key: str = ""):
        self.cookies = {"sessionid": session_key} if session_key else {}

    def send(self, url: str, method: str = "GET") -> tuple[int, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Accept-Language": "en", **({"Cookie": cookie} if cookie else {})}
        request = urllib.request.Request(url, method=method, headers=headers, data=b"{}" if method != "GET" else None)  # noqa: S310
        try:
            response = urllib.request.urlopen(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status if hasattr(response, "status") else response.code, response.read().decode()


def _names(browser: Browser, base: str) -> set[str]:
    status, body = browser.send(f"{base}/api/housing/estates/?page_size=200")
    assert status == 200, body
    return {row["name"] for row in json.loads(body)["results"]}


def test_reads_on_a_real_standby_after_a_write_lagging_and_stopped(world, standby, tmp_path):
    if not os.environ.get("JIATI_REPLICA_TEST_STOP"):
        pytest.skip("no command to stop the standby")
    client = Client()
    client.force_login(world.users["district"])
    session = client.cookies["sessionid"].value
    port = processes.free_port()
    log = tmp_path / "gunicorn.log"
    env = processes.production_env(
        REDIS_DB,
        SECRET_KEY=settings.SECRET_KEY,  # the session signed in here must be valid there
        DATABASE_REPLICA_URL=f"{STANDBY}/{connection.settings_dict['NAME']}",
        JIATI_HTTPS="0",
        JIATI_REQUIRE_SECOND_FACTOR="0",
        JIATI_REPLICA_MAX_LAG_SECONDS=str(MAX_LAG),
        JIATI_REPLICA_CHECK_SECONDS="0.2",
        JIATI_REPLICA_RETRY_SECONDS="0.5",
    )
    base = f"http://127.0.0.1:{port}"
    args = processes.gunicorn("--workers=1", "--threads=2", f"--bind=127.0.0.1:{port}")
    with processes.running(args, env, log) as server:
        anyone = Browser()

        def up():
            try:
                return anyone.send(f"{base}/healthz")[0] == 200
            except OSError:
                return False

        processes.wait_for(
            up,
            timeout=60,
            what="gunicorn answering",
            process=server,
            log=log,
        )
        ready = json.loads(anyone.send(f"{base}/readyz")[1])
        assert ready["checks"]["replica"]["ok"] is True and ready["checks"]["replica"]["in_recovery"] is True

        # Replay paused: the standby stops at this point; a new estate exists on the primary only. (A fresh commit
        # first: the standby's lag counts from the last commit it replayed.)
        EstateFactory(name="暂停之前", community=world.estates["a1a"].community)
        processes.wait_for(lambda: caught_up(standby), timeout=30, what="the standby catching up")
        standby.execute("SELECT pg_wal_replay_pause()")
        estate = EstateFactory(name="只在主库", community=world.estates["a1a"].community)
        reader = Browser(session)
        assert estate.name not in _names(reader, base)  # the API list: read from the standby
        status, body = reader.send(f"{base}/api/housing/estates/{estate.pk}/")
        assert status == 200 and estate.name in body  # one object: read from the primary
        assert reader.send(f"{base}/stats/")[0] == 200  # the dashboard runs on the standby

        # Any write (here a refused POST) keeps this browser on the primary: its next list shows the estate.
        assert reader.send(f"{base}/api/housing/estates/", method="POST")[0] in {403, 405}
        assert "jiati_wrote" in reader.cookies
        assert estate.name in _names(reader, base)

        # Another user's browser, never having written, reads the standby until it lags beyond the bound, then the
        # primary; /readyz says why.
        other = Browser(session)
        processes.wait_for(
            lambda: estate.name in _names(other, base), timeout=MAX_LAG + 40, what="falling back from a lagging standby"
        )
        ready = json.loads(anyone.send(f"{base}/readyz")[1])
        assert ready["status"] == "degraded"
        assert ready["checks"]["replica"]["error"] == "lagging" and ready["checks"]["replica"]["reads"] == "primary"

        # Replay resumed: the standby is used again and has the estate.
        standby.execute("SELECT pg_wal_replay_resume()")
        processes.wait_for(
            lambda: json.loads(anyone.send(f"{base}/readyz")[1])["checks"]["replica"]["ok"],
            timeout=30,
            what="the standby usable again",
        )
        processes.wait_for(lambda: caught_up(standby), timeout=30, what="the standby catching up")
        assert estate.name in _names(other, base)

        # The standby stopped: reads fall back to the primary, pages keep working, /readyz is degraded (not 503).
        subprocess.run(shlex.split(os.environ["JIATI_REPLICA_TEST_STOP"]), check=True, capture_output=True)  # noqa: S603
        later = EstateFactory(name="备库停了以后", community=world.estates["a1a"].community)
        assert later.name in _names(other, base)
        assert other.send(f"{base}/stats/")[0] == 200
        status, body = anyone.send(f"{base}/readyz")
        assert status == 200
        ready = json.loads(body)
        assert ready["status"] == "degraded" and ready["checks"]["database"]["ok"] is True
        assert ready["checks"]["replica"]["ok"] is False and ready["checks"]["replica"]["reads"] == "primary"
