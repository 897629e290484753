"""Reads from a read replica: which requests may use it, when they must not, and whether it is fit to use.

With `DATABASE_REPLICA_URL` set (jiati/settings.py), the database alias `replica` is a streaming standby of the
primary. Without it nothing here does anything: every query goes to `default`, as before.

- **Which reads.** A view declares it (`@replica_reads`, or a `replica_reads` attribute on its class, or a function
  deciding per request): dashboards, reports, exports and read-only API lists. Only their GET and HEAD requests
  read the replica; every other request reads the primary.
- **Read after write.** A user who has just written reads the primary for `JIATI_READ_AFTER_WRITE_SECONDS`: every
  non-safe request (POST, PUT, PATCH, DELETE) leaves a short-lived cookie that keeps that browser's next requests
  on the primary, so the page after a save never shows the state before it. Within one request, the first write
  (or an open transaction) sends the rest of its reads to the primary too.
- **Fit to use.** The replica is used only while it answers and its replay lag is within
  `JIATI_REPLICA_MAX_LAG_SECONDS`. The verdict is checked with one short query and kept for
  `JIATI_REPLICA_CHECK_SECONDS` per process (a replica that failed is retried after
  `JIATI_REPLICA_RETRY_SECONDS`); otherwise reads fall back to the primary. `/readyz` reports it (degraded, not
  failing: the primary still serves every page).

Writes always go to the primary, whatever database the object was read from.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"
# The cookie a non-safe request leaves: its value is the time of the write (seconds since the epoch).
WROTE_COOKIE = "jiati_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Whether the current request may read the replica (set by the middleware, cleared by the first write).
_may_read_replica: ContextVar[bool] = ContextVar("jiati_may_read_replica", default=False)


def replica_alias() -> str | None:
    """The replica's alias when one is configured and switched on, else None."""
    alias = getattr(settings, "JIATI_REPLICA_ALIAS", None)
    return alias if alias and alias in settings.DATABASES else None


def read_connection(model):
    """The connection a raw read of `model`'s table uses: the one the router picks for the ORM's reads."""
    return connections[router.db_for_read(model)]


# --- Declaring views --------------------------------------------------------------------------------------------


def replica_reads(view=None, *, when=None):
    """Mark a view (function or class) whose GET/HEAD requests may read the replica; `when(request, view_func)`
    decides per request (an export of a list page, the `list` action of an API viewset)."""

    def mark(target):
        target.replica_reads = staticmethod(when) if (when and isinstance(target, type)) else (when or True)
        return target

    return mark(view) if view is not None else mark


def api_list_action(request, view_func) -> bool:
    """A DRF viewset's `list` action (not `retrieve`, not a custom action)."""
    return (getattr(view_func, "actions", None) or {}).get(request.method.lower()) == "list"


def export_request(request, view_func) -> bool:
    """A list page asked for its .xlsx export."""
    return request.GET.get("export") == "xlsx"


def _declared(request, view_func) -> bool:
    flag = getattr(view_func, "replica_reads", None)
    if flag is None:
        cls = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        flag = getattr(cls, "replica_reads", None)
    if callable(flag):
        return bool(flag(request, view_func))
    return bool(flag)


def wrote_recently(request, *, now: float | None = None) -> bool:
    """Whether this browser wrote within the read-after-write window (its cookie says when)."""
    raw = request.COOKIES.get(WROTE_COOKIE)
    if not raw:
        return False
    try:
        at = float(raw)
    except ValueError:
        return True  # unreadable: the safe side
    now = time.time() if now is None else now
    return now - at < settings.JIATI_READ_AFTER_WRITE_SECONDS


class ReplicaReadsMiddleware:
    """Let a declared view's GET/HEAD read the replica unless the browser wrote lately; mark every write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _may_read_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            _may_read_replica.reset(token)
        if replica_alias() and request.method not in SAFE_METHODS:
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=settings.JIATI_READ_AFTER_WRITE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            replica_alias()
            and request.method in SAFE_METHODS
            and not wrote_recently(request)
            and _declared(request, view_func)
            and replica_connection_ready()
        ):
            _may_read_replica.set(True)
        return None


# --- The replica's health ---------------------------------------------------------------------------------------


@dataclass
class ReplicaCheck:
    ok: bool
    detail: dict = field(default_factory=dict)
    checked_at: float = 0.0


_LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1)
"""


def check_replica(alias: str) -> ReplicaCheck:
    """Ask the replica once: does it answer, is it a standby receiving from the primary, how far behind is it?

    The lag is zero when everything received has been replayed, else the age of the last replayed commit (the
    usual measure; with a quiet primary a standby that replayed all it got is not behind)."""
    started = time.perf_counter()
    detail: dict = {}
    try:
        conn = connections[alias]
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(_LAG_SQL)
                in_recovery, lag, receiver = cursor.fetchone()
                detail.update(in_recovery=in_recovery, lag_seconds=round(float(lag or 0), 3), receiver=receiver)
                ok = float(lag or 0) <= settings.JIATI_REPLICA_MAX_LAG_SECONDS
                if not ok:
                    detail["error"] = "lagging"
            else:  # a test mirror of the embedded database: nothing to lag
                cursor.execute("SELECT 1")
                cursor.fetchone()
                ok = True
    except Exception as exc:
        ok = False
        detail["error"] = exc.__class__.__name__
        try:
            connections[alias].close()
        except Exception:  # already broken: the next use reconnects
            logger.debug("closing the replica connection failed", exc_info=True)
    detail["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return ReplicaCheck(ok=ok, detail=detail, checked_at=time.monotonic())


_verdict: dict[str, ReplicaCheck] = {}
_checking = threading.Lock()


def replica_state(*, fresh: bool = False) -> ReplicaCheck | None:
    """The replica's last verdict in this process (checked again once it is older than its time to live), or None
    without a replica. One thread checks at a time; the others use the previous verdict meanwhile."""
    alias = replica_alias()
    if alias is None:
        return None
    current = _verdict.get(alias)
    if not fresh and current is not None:
        ttl = settings.JIATI_REPLICA_CHECK_SECONDS if current.ok else settings.JIATI_REPLICA_RETRY_SECONDS
        if time.monotonic() - current.checked_at < ttl:
            return current
    if not _checking.acquire(blocking=fresh):
        return current or ReplicaCheck(ok=False, detail={"error": "not checked yet"})
    try:
        verdict = check_replica(alias)
        if current is not None and current.ok != verdict.ok:
            log = logger.info if verdict.ok else logger.warning
            what = "usable again" if verdict.ok else "not used, reads go to the primary"
            log("read replica %s: %s", what, verdict.detail)
        _verdict[alias] = verdict
        return verdict
    finally:
        _checking.release()


def replica_connection_ready() -> bool:
    """Whether this request may read the replica: its kept verdict is good and this thread's connection answers.

    Connections persist between requests (CONN_MAX_AGE): one the standby dropped when it stopped would fail the
    request's first read, up to the verdict's time to live after the stop. The health check (CONN_HEALTH_CHECKS, on
    for the replica) runs here, before the request commits to the replica, once per request."""
    state = replica_state()
    if state is None or not state.ok:
        return False
    alias = replica_alias()
    conn = connections[alias]
    try:
        conn.close_if_health_check_failed()
        conn.ensure_connection()
    except Exception as exc:
        _verdict[alias] = ReplicaCheck(ok=False, detail={"error": exc.__class__.__name__}, checked_at=time.monotonic())
        logger.warning("read replica not used, reads go to the primary: %s", exc.__class__.__name__)
        try:
            conn.close()
        except Exception:  # already broken: the next use reconnects
            logger.debug("closing the replica connection failed", exc_info=True)
        return False
    return True


def forget_replica_state() -> None:
    """Drop the kept verdict (tests; a deployment never needs it)."""
    _verdict.clear()


# --- The router -------------------------------------------------------------------------------------------------


class ReplicaRouter:
    """Reads of a request that may use the replica go there while it is fit; everything else to the primary."""

    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias is None:
            return None
        if not _may_read_replica.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        state = replica_state()
        return alias if state is not None and state.ok else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if replica_alias() is None:
            return None
        # The rest of this request reads what it wrote: from the primary.
        _may_read_replica.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        alias = replica_alias()
        if alias is None:
            return None
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, alias} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The standby replays the primary's migrations; nothing is ever migrated on it directly.
        return False if db == REPLICA_ALIAS else None
