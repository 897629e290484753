"""A query built and compiled once per process, then run again with other values.

For the few statements every request runs (the API token's lookup with its user and region): building a
queryset and compiling it to SQL cost several times what PostgreSQL takes to answer it (benchmarks/README.md,
"HTTP load"). `PreparedQuery` builds the queryset once with markers in place of the values, keeps the SQL and
what Django needs to turn rows into model instances (the columns, the `select_related` objects, the
annotations), and on every call only swaps the values in, runs the SQL and builds the instances as Django's own
`ModelIterable` does: the same objects, the same database converters, the same router, the same cursor
(queries are counted and logged as any other).

Values are text or integers (`kinds`). A text value reaches the SQL parameters unchanged, or as a `LIKE` pattern
(`startswith`, `contains`…: the value escaped as Django escapes it, with its `%`); an integer unchanged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connections, router
from django.db.models.query import get_related_populators


class NotPreparable(ValueError):
    """The query does not take its values as parameters the way a prepared query needs."""


# How a text marker may sit inside a parameter: a `LIKE` pattern's wildcards around it (Django's startswith,
# endswith, contains and their case-insensitive forms), or nothing around it.
_PATTERNS = frozenset({("", ""), ("", "%"), ("%", ""), ("%", "%")})


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    # Where each value goes among the parameters, and the pattern around it ("", "" for the value itself).
    positions: tuple[tuple[int, str, str], ...]
    compiler: object  # the compiler that produced the SQL: its select list, klass_info and annotation columns


@cache
def _preparing_cursor_class():
    """Django's server-binding cursor for psycopg 3, preparing every statement it runs (psycopg keeps the prepared
    statements of a connection, the most used hundred; Django leaves automatic preparation off for poolers in
    transaction mode, which JIATI_PREPARED_STATEMENTS=0 is for)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


@dataclass(frozen=True)
class _Reader:
    compiled: _Compiled
    compiler: object
    converters: dict
    model: type
    init_list: list
    start: int
    end: int
    populators: list


class PreparedQuery:
    """`build(*markers)` returns the queryset, with each marker where a value goes; `fetch(*values)` runs it
    (`fetch_rows(*values)` for a `values()` or `values_list()` queryset: its rows, not instances).

    `kinds` gives each value's type (`str` or `int`; by default one text value). The queryset must not depend on
    anything but the values (no dates, no settings read at build time). `server_prepared`: on PostgreSQL the values
    are bound by the server and the statement prepared once per connection, so PostgreSQL plans it once (for these
    one-row statements planning took four times as long as running them, benchmarks/README.md); only for a
    statement whose values all sit where PostgreSQL can tell their type (compared with a column, not selected)."""

    def __init__(
        self, model, build, *, values: int = 1, kinds: tuple[type, ...] | None = None, server_prepared: bool = False
    ):
        self.model = model
        self.server_prepared = server_prepared
        self._build = build
        self.kinds = tuple(kinds) if kinds is not None else (str,) * values
        if any(kind not in (str, int) for kind in self.kinds):
            raise TypeError("a prepared query's values are text or integers")
        # Text markers no LIKE escaping changes; integer markers no query holds by chance, within every integer
        # column's range (Django refuses a value beyond its field's range before it compiles).
        self._markers = tuple(
            f"\x00jiati-prepared-{i}-{id(self)}\x00" if kind is str else -2_147_480_000 - i
            for i, kind in enumerate(self.kinds)
        )
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        with self._lock:
            compiled = self._compiled.get(alias)
            if compiled is None:
                queryset = self._build(*self._markers).using(alias)
                compiler = queryset.query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                positions = []
                for marker in self._markers:
                    found = [
                        (i, "", "") for i, param in enumerate(params) if type(param) is type(marker) and param == marker
                    ]
                    if isinstance(marker, str):
                        found += [
                            (i, *param.split(marker))
                            for i, param in enumerate(params)
                            if isinstance(param, str) and param != marker and param.count(marker) == 1
                        ]
                    if len(found) != 1 or tuple(found[0][1:]) not in _PATTERNS:
                        raise NotPreparable(f"a prepared query's value must appear once among its parameters: {sql}")
                    positions.append(found[0])
                compiled = _Compiled(sql, tuple(params), tuple(positions), compiler)
                self._compiled[alias] = compiled
        return compiled

    def _reader(self, connection, compiled: _Compiled) -> _Reader:
        """How rows become instances (as django.db.models.query.ModelIterable) on this connection: worked out once
        per connection (its converters are its backend's and its fields'), kept on the connection itself."""
        readers = connection.__dict__.setdefault("_jiati_prepared_readers", {})
        reader = readers.get(self)
        if reader is None or reader.compiled is not compiled:
            template = compiled.compiler
            compiler = template.__class__.__new__(template.__class__)
            compiler.__dict__.update(template.__dict__)
            compiler.connection = connection
            select, klass_info = compiler.select, compiler.klass_info
            converters = compiler.get_converters([column for column, _sql, _alias in select])
            if klass_info is None:  # a `values()` query: rows only (`fetch_rows`)
                reader = readers[self] = _Reader(compiled, compiler, converters, None, [], 0, 0, [])
                return reader
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            reader = readers[self] = _Reader(
                compiled=compiled,
                compiler=compiler,
                converters=converters,
                model=klass_info["model"],
                init_list=[column[0].target.attname for column in select[start:end]],
                start=start,
                end=end,
                populators=get_related_populators(klass_info, select, connection.alias),
            )
        return reader

    def _cursor(self, connection):
        """The connection's own cursor, or (`server_prepared`, PostgreSQL, JIATI_PREPARED_STATEMENTS) one binding
        the values on the server whose statements psycopg prepares, wrapped as Django wraps its own (the query is
        counted, logged and its errors translated as any other)."""
        if not (self.server_prepared and connection.vendor == "postgresql" and settings.JIATI_PREPARED_STATEMENTS):
            return connection.cursor()
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns psycopg's preparing off (None); a threshold never reached turns it on for the statements
            # asked to be prepared only (Django's own cursors bind on the client and are never prepared).
            raw.prepare_threshold = 2**31 - 1
        with connection.wrap_database_errors:
            return connection._prepare_cursor(_preparing_cursor_class()(raw))

    def fetch(self, *values) -> list:
        """The model instances the query answers for these values."""
        alias, reader, rows = self._run(values)
        if not rows:
            return []
        model_cls, init_list, start, end = reader.model, reader.init_list, reader.start, reader.end
        populators, annotation_col_map = reader.populators, reader.compiler.annotation_col_map
        objects = []
        for row in rows:
            obj = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def fetch_rows(self, *values) -> list[tuple]:
        """The rows the query answers for these values, each a tuple in the order of its select list (for a
        `values_list()` query, its fields; for `values(...).annotate(...)`, the fields and then the annotations),
        converted as Django converts them (dates on SQLite, …)."""
        _alias, _reader, rows = self._run(values)
        return [tuple(row) for row in rows]

    def _run(self, values) -> tuple[str, _Reader | None, list]:
        """Run the statement with these values: the database's alias, how to read its rows, the converted rows."""
        if len(values) != len(self.kinds) or not all(
            type(v) is kind or (kind is str and isinstance(v, str)) for v, kind in zip(values, self.kinds, strict=True)
        ):
            raise TypeError(f"expected values of the kinds {[kind.__name__ for kind in self.kinds]}")
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        connection = connections[alias]
        params = list(compiled.params)
        for (position, before, after), value in zip(compiled.positions, values, strict=True):
            params[position] = (
                f"{before}{connection.ops.prep_for_like_query(value)}{after}" if before or after else value
            )
        with self._cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return alias, None, []
        reader = self._reader(connection, compiled)
        if reader.converters:
            rows = list(reader.compiler.apply_converters(rows, reader.converters))
        return alias, reader, rows


def pk_in_range(model, pk: int) -> bool:
    """Whether `pk` fits the model's integer key column: a key beyond it names no row (the ORM answers so too), and
    is not handed to a prepared query (SQLite refuses an integer past 64 bits)."""
    field = model._meta.pk
    low, high = connections[router.db_for_read(model)].ops.integer_field_range(field.get_internal_type())
    return (low is None or low <= pk) and (high is None or pk <= high)
