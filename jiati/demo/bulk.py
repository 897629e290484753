"""Streaming bulk loader: rows go to the database in batches, never held in memory as a whole.

PostgreSQL gets `COPY … FROM STDIN` (text format) on a connection of its own, in a writer
process, so that generating the next batch overlaps with the server storing the last one; the
session skips foreign-key triggers when it may (superuser: `session_replication_role = replica`)
and does not wait for each commit to reach the disk — the generator's rows are consistent by
construction, and this path is for demo and benchmark data only. SQLite gets batched inserts.
Primary keys are assigned here, from each table's current maximum, so child rows can reference
parents without reading anything back. Loading into empty tables, the big tables' secondary indexes and
unique constraints are dropped in the load's transaction and rebuilt (in parallel) before it commits:
building an index once is several times cheaper than maintaining it row by row, and a failed load rolls
the indexes back with the rows.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import time
from collections.abc import Sequence

import psycopg
from django.db import connection

# Tables the generator fills, with their columns in insertion order.
TABLES: dict[str, Sequence[str]] = {
    "organisation_region": ("id", "code", "name", "level", "parent_id", "path", "is_retired"),
    "organisation_workstation": ("id", "community_id", "name", "address", "phone"),
    "organisation_propertyoffice": ("id", "code", "name", "company_name", "community_id", "address", "phone"),
    "housing_estate": (
        "id", "code", "name", "address", "community_id", "property_office_id", "year_built", "responsible_staff_id",
    ),
    "housing_building": (
        "id", "estate_id", "community_id", "number", "storeys", "year_built", "structure", "responsible_person_id",
    ),
    "housing_stairwell": ("id", "building_id", "estate_id", "community_id", "number", "storeys", "has_elevator"),
    "housing_dwelling": (
        "id", "stairwell_id", "building_id", "estate_id", "community_id", "floor", "room", "area_register",
        "area_survey", "area_contract", "exclusive_area", "area_source",
    ),
    "housing_owner": ("id", "kind", "name", "id_number", "phone"),
    "housing_ownership": ("id", "owner_id", "dwelling_id", "community_id", "is_primary", "since"),
    "projects_project": (
        "id", "code", "stairwell_id", "estate_id", "community_id", "stage", "status", "status_reason",
        "stage_entered_at", "responsible_id", "target_date", "stage_due", "stage_at_risk_from", "chat_group_name",
        "chat_group_link", "chat_group_qr", "seven_ones_done", "open_blockers", "created_by_id", "created_at",
        "updated_at",
    ),
}  # fmt: skip
# Parents before children, so foreign keys hold at every flush.
FLUSH_ORDER = list(TABLES)
# The tables with tens of millions of rows at national size: their indexes are built after the load.
DEFERRED_INDEX_TABLES = ("housing_dwelling", "housing_owner", "housing_ownership")


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


class BulkSink:
    """Collects rows per table and flushes them in batches (all tables in foreign-key order).

    `add(table, row)` takes a tuple; on PostgreSQL the hot paths may call `add_line(table, line)` with a
    COPY text line already formatted (`is_copy` says which is wanted).
    """

    def __init__(self, batch_rows: int = 50_000):
        self.batch_rows = batch_rows
        self.is_copy = connection.vendor == "postgresql"
        self.buffers: dict[str, list] = {table: [] for table in TABLES}
        self.pending = 0
        self._writer = _CopyWriter() if self.is_copy else None
        # On PostgreSQL the writer's own connection reads the maxima: Django's connection (perhaps inside an
        # atomic block) must hold no lock on these tables while the writer alters their indexes.
        self.next_ids = {table: self._max_id(table) + 1 for table in TABLES}
        self.written = dict.fromkeys(TABLES, 0)
        self.index_seconds = 0.0  # of the load, spent building the deferred indexes (PostgreSQL)
        if self._writer is not None and all(self.next_ids[t] == 1 for t in DEFERRED_INDEX_TABLES):
            self._writer.defer_indexes(DEFERRED_INDEX_TABLES)

    def _max_id(self, table: str) -> int:
        sql = f"SELECT COALESCE(MAX(id), 0) FROM {table}"
        if self._writer is not None:
            return self._writer.scalar(sql)
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: tuple) -> None:
        self.buffers[table].append("\t".join(map(copy_text, row)) if self.is_copy else row)
        self.pending += 1
        if self.pending >= self.batch_rows:
            self.flush()

    def add_line(self, table: str, line: str) -> None:
        self.buffers[table].append(line)
        self.pending += 1
        if self.pending >= self.batch_rows:
            self.flush()

    def added(self, rows: int) -> None:
        """The hot path appended `rows` COPY lines to `buffers` itself: flush when a batch is full."""
        self.pending += rows
        if self.pending >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        for table in FLUSH_ORDER:
            rows = self.buffers[table]
            if not rows:
                continue
            if self._writer is not None:
                self._writer.put(table, "\n".join(rows) + "\n")
            else:
                columns = TABLES[table]
                placeholders = ", ".join(["%s"] * len(columns))
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                        rows,
                    )
            self.written[table] += len(rows)
            self.buffers[table] = []
        self.pending = 0

    def finish(self) -> None:
        self.flush()
        if self._writer is not None:
            self._writer.close()
            self.index_seconds = self._writer.index_seconds
            with connection.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
                    )


class _CopyWriter:
    """Runs the COPYs in a process of its own, on a connection of its own, and commits once at the end.

    A process rather than a thread: generating rows is pure Python, and a writer thread competing for the
    interpreter lock cost the generator about a third of its speed. Batches travel as bytes through a bounded
    queue, so the generator runs ahead by a few batches at most (memory stays bounded)."""

    def __init__(self):

        # Plain connection settings only: Django's cursor class and adapters stay in this process.
        params = connection.get_connection_params()
        self.params = {k: v for k, v in params.items() if k not in ("cursor_factory", "context")}
        context = multiprocessing.get_context("spawn")  # no inherited connections or threads
        self.queue = context.Queue(maxsize=4)
        self.results = context.Queue()
        self.process = context.Process(target=_copy_process, args=(self.params, self.queue, self.results), daemon=True)
        self.process.start()

    def scalar(self, sql: str):
        """A one-off read on a short autocommit connection (never Django's, which may hold locks)."""

        with psycopg.connect(**self.params, autocommit=True) as conn:
            return conn.execute(sql).fetchone()[0]

    def defer_indexes(self, tables: Sequence[str]) -> None:
        self._send(("defer", list(tables)))

    def put(self, table: str, payload: str) -> None:
        self._send(("copy", table, payload.encode()))

    def _send(self, message) -> None:
        self._raise_if_failed(block=False)
        self.queue.put(message)

    def _raise_if_failed(self, *, block: bool) -> None:

        try:
            outcome = self.results.get(block=block, timeout=None if block else 0)
        except queue_module.Empty:
            if not self.process.is_alive():
                raise RuntimeError("the COPY writer process stopped") from None
            return
        if not isinstance(outcome, float):
            self.process.join()
            raise RuntimeError(f"bulk load failed in the COPY writer: {outcome}")
        self.index_seconds = outcome

    index_seconds = 0.0  # how long rebuilding the deferred indexes took (reported by the writer at the end)

    def close(self) -> None:
        self.queue.put(None)
        self._raise_if_failed(block=True)
        self.process.join()


def _copy_process(params: dict, inbox, results) -> None:
    """The writer process: one transaction for the whole load; indexes dropped on request and rebuilt from
    their own definitions before the commit. Reports once: the seconds the index rebuild took, or the first error
    (then rolls back)."""

    rebuild: list[str] = []
    try:
        conn = psycopg.connect(**params)
        with conn.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")
        while (message := inbox.get()) is not None:
            if message[0] == "defer":
                rebuild = _drop_indexes(conn, message[1])
                continue
            _kind, table, payload = message
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(TABLES[table])}) FROM STDIN") as copy,
            ):
                copy.write(payload)
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 2")
            for statement in rebuild:
                cursor.execute(statement)
        index_seconds = time.perf_counter() - started
        conn.commit()
        conn.close()
        results.put(index_seconds)
    except BaseException as exc:  # reported to the generator, which raises it
        results.put(f"{type(exc).__name__}: {exc}")


def _drop_indexes(conn, tables: Sequence[str]) -> list[str]:
    """Drop the tables' secondary indexes and unique constraints (not primary keys, which foreign keys
    reference); return the statements that re-create them from their own definitions."""
    rebuild: list[str] = []
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(i.oid), con.conname, pg_get_constraintdef(con.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = t.oid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND NOT x.indisprimary
            """,
            [list(tables)],
        )
        for table, index, index_def, constraint, constraint_def in cursor.fetchall():
            if constraint:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}')
            else:
                cursor.execute(f'DROP INDEX "{index}"')
                rebuild.append(index_def)
    return rebuild
