"""Django's PostgreSQL backend, with the persistent connection's health check answered without a round trip when
the server has not spoken since the last statement.

Django's `CONN_HEALTH_CHECKS` sends `SELECT 1` before a request's first statement on a kept connection, so that a
connection the server ended (a restart, a failover, `pg_terminate_backend`, an idle timeout) is replaced instead of
failing the request. That was a third of the statements of a project detail API call. Every one of those ends
reaches the client's socket before the next request does: the server sends its FATAL message and closes, or its
process dies and the kernel closes the socket; either way the socket becomes readable. An idle connection in
autocommit has nothing to read otherwise. So: nothing to read, the connection is in autocommit with no transaction
open and psycopg sees it open — it is used as it is; anything else (something waiting, an unknown state, a poll
that fails) — Django's own `SELECT 1` decides, as before. A server that vanished without closing (a host switched
off, a cable pulled) is not seen by either: `SELECT 1` waits for TCP's timeout there too (docs/decisions.md).
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


def quiet(connection) -> bool:
    """Whether a psycopg connection is open, idle outside a transaction, and has nothing from the server to read."""
    try:
        pgconn = connection.pgconn
        if (
            connection.closed
            or pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except Exception:  # any doubt: Django's SELECT 1 decides
        return False


class DatabaseOperations(base.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """A statement bound on the server (a prepared query's, `jiati.core.prepared`) is logged with its values
        written in, as Django logs its client-bound ones."""
        if not isinstance(cursor, psycopg.ClientCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
