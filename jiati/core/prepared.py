"""A query built and compiled once per process, then run again with other values.

For the few statements every request runs (the API token's lookup with its user and region): building a
queryset and compiling it to SQL cost several times what PostgreSQL takes to answer it (benchmarks/README.md,
"HTTP load"). `PreparedQuery` builds the queryset once with markers in place of the values, keeps the SQL and
what Django needs to turn rows into model instances (the columns, the `select_related` objects, the
annotations), and on every call only swaps the values in, runs the SQL and builds the instances as Django's own
`ModelIterable` does: the same objects, the same database converters, the same router, the same cursor
(queries are counted and logged as any other).

Only text values can be given (the markers are strings, and each must reach the SQL parameters unchanged).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connections, router
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[int, ...]  # where each value goes among the parameters
    compiler: object  # the compiler that produced the SQL: its select list, klass_info and annotation columns


class PreparedQuery:
    """`build(*markers)` returns the queryset, with each marker where a value goes; `fetch(*values)` runs it.

    The queryset must not depend on anything but the values (no dates, no settings read at build time)."""

    def __init__(self, model, build, *, values: int = 1):
        self.model = model
        self._build = build
        self._markers = tuple(f"\x00jiati-prepared-{i}-{id(self)}\x00" for i in range(values))
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
                    found = [i for i, param in enumerate(params) if param == marker]
                    if len(found) != 1:
                        raise ValueError(f"a prepared query's value must appear once among its parameters: {sql}")
                    positions.append(found[0])
                compiled = _Compiled(sql, tuple(params), tuple(positions), compiler)
                self._compiled[alias] = compiled
        return compiled

    def fetch(self, *values: str) -> list:
        """The model instances the query answers for these values."""
        if len(values) != len(self._markers) or not all(isinstance(v, str) for v in values):
            raise TypeError(f"expected {len(self._markers)} text values")
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        params = list(compiled.params)
        for position, value in zip(compiled.positions, values, strict=True):
            params[position] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        # As django.db.models.query.ModelIterable, with this thread's connection for the converters.
        template = compiled.compiler
        compiler = template.__class__.__new__(template.__class__)
        compiler.__dict__.update(template.__dict__)
        compiler.connection = connection
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        converters = compiler.get_converters([column for column, _sql, _alias in select])
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        objects = []
        for row in rows:
            obj = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
