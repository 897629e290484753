"""A kept PostgreSQL connection is health-checked by asking its socket: no SELECT 1 when the server has not spoken,
and a connection the server ended is still replaced before the request uses it (jiati/core/postgresql/base.py)."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from jiati.core.postgresql.base import quiet

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend")


def _new_request(conn):
    """What Django does between requests for a kept connection: the next statement is health-checked."""
    conn.health_check_enabled = True
    conn.health_check_done = False


def test_a_quiet_connection_is_used_without_a_round_trip(transactional_db, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert quiet(connection.connection)
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append(1) or True)
    _new_request(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    assert asked == []


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    settings = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in settings.items() if k != "cursor_factory"}, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while quiet(connection.connection) and time.monotonic() < deadline:  # the server's FATAL is on its way
        time.sleep(0.01)
    assert not quiet(connection.connection)
    _new_request(connection)
    with connection.cursor() as cursor:  # no error: the health check replaced the connection
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != pid
