"""Writing many new rows at once: PostgreSQL's `COPY` where it is the database, `bulk_create` elsewhere.

`bulk_create` spends most of its time in Python turning instances into one long INSERT (compiling a placeholder per
value and adapting the statement); `COPY` streams the rows. The ids are taken from the table's own sequence first,
so the instances come back with their primary keys as `bulk_create` gives them, and later rows can point at them.
No signals are sent (as with `bulk_create`)."""

from __future__ import annotations

from django.db import connections, router


def insert_rows(model, objects: list) -> list:
    """Insert these unsaved instances of `model` (no multi-table inheritance); returns them with their ids set."""
    objects = list(objects)
    if not objects:
        return objects
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model.objects.using(alias).bulk_create(objects)
    meta = model._meta
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias
    return objects
