"""Streaming bulk loader: rows go to the database in batches, never held in memory as a whole.

PostgreSQL gets `COPY … FROM STDIN` (text format), SQLite batched `executemany`.
Primary keys are assigned here, from the table's current maximum, so child rows
can reference parents without reading anything back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

# Tables the generator fills, with their columns in insertion order.
TABLES: dict[str, Sequence[str]] = {
    "organisation_region": ("id", "code", "name", "level", "parent_id", "path"),
    "organisation_workstation": ("id", "community_id", "name", "address", "phone"),
    "organisation_propertyoffice": ("id", "code", "name", "company_name", "community_id", "address", "phone"),
    "housing_estate": (
        "id",
        "code",
        "name",
        "address",
        "community_id",
        "property_office_id",
        "year_built",
        "responsible_staff_id",
    ),
    "housing_building": (
        "id",
        "estate_id",
        "community_id",
        "number",
        "storeys",
        "year_built",
        "structure",
        "responsible_person_id",
    ),
    "housing_stairwell": ("id", "building_id", "estate_id", "community_id", "number", "storeys", "has_elevator"),
    "housing_dwelling": (
        "id",
        "stairwell_id",
        "building_id",
        "estate_id",
        "community_id",
        "floor",
        "room",
        "area_register",
        "area_survey",
        "area_contract",
        "exclusive_area",
        "area_source",
    ),
    "housing_owner": ("id", "kind", "name", "id_number", "phone"),
    "housing_ownership": ("id", "owner_id", "dwelling_id", "is_primary", "since"),
    "projects_project": (
        "id",
        "code",
        "stairwell_id",
        "estate_id",
        "community_id",
        "stage",
        "status",
        "status_reason",
        "stage_entered_at",
        "responsible_id",
        "target_date",
        "stage_due",
        "stage_at_risk_from",
        "chat_group_name",
        "chat_group_link",
        "chat_group_qr",
        "seven_ones_done",
        "open_blockers",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
}
# Parents before children, so foreign keys hold at every flush.
FLUSH_ORDER = list(TABLES)


def _copy_text(value) -> str:
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
    """Collects rows per table and flushes them in batches (all tables in FK order)."""

    def __init__(self, batch_rows: int = 20000):
        self.batch_rows = batch_rows
        self.vendor = connection.vendor
        self.buffers: dict[str, list] = {table: [] for table in TABLES}
        self.pending = 0
        self.next_ids = {table: self._max_id(table) + 1 for table in TABLES}
        self.written = dict.fromkeys(TABLES, 0)

    @staticmethod
    def _max_id(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return cursor.fetchone()[0]

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: tuple) -> None:
        self.buffers[table].append(row)
        self.pending += 1
        if self.pending >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        for table in FLUSH_ORDER:
            rows = self.buffers[table]
            if not rows:
                continue
            columns = TABLES[table]
            if self.vendor == "postgresql":
                self._copy(table, columns, rows)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                        rows,
                    )
            self.written[table] += len(rows)
            self.buffers[table] = []
        self.pending = 0

    @staticmethod
    def _copy(table: str, columns: Sequence[str], rows: list) -> None:
        payload = "".join("\t".join(_copy_text(v) for v in row) + "\n" for row in rows)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(payload)

    def finish(self) -> None:
        self.flush()
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
                    )
