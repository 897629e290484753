"""Reading an uploaded table (.xlsx or .csv) into named columns, with the project's one reader of each format.

Both formats go through the project's one hardened reader (`jiati.core.tabular`: one encoding detection, the
same limits and messages as the housing import and the vote tally). This module only maps the header row to
column keys, accepting the key, the Chinese or the English label.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from jiati.core.tabular import TabularError, open_table


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: Any
    required: bool = True


class TableError(Exception):
    """The file as a whole cannot be read (wrong type, empty, columns missing)."""


def _normalise(value: Any) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _header_map(header: list[Any], columns: list[Column]) -> dict[str, int]:
    aliases = {}
    for column in columns:
        for alias in (column.key, column.zh, str(column.en)):
            aliases[_normalise(alias)] = column.key
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = aliases.get(_normalise(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [c.zh for c in columns if c.required and c.key not in positions]
    if missing:
        raise TableError(
            _("Required columns are missing from the header row: %(cols)s.") % {"cols": "、".join(missing)}
        )
    return positions


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(numbered: Iterator[tuple[int, list[Any]]], columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    positions = None
    records = []
    for number, cells in numbered:
        if not any(_cell_text(cell) for cell in cells):
            continue
        if positions is None:
            positions = _header_map(cells, columns)
            continue
        records.append((number, {key: _cell_text(cells[i]) if i < len(cells) else "" for key, i in positions.items()}))
    if positions is None:
        raise TableError(_("The file is empty."))
    return records


def read_table(path: str, name: str, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    """[(row number as the user sees it, {column key: text})] for every row with a value, after the header row.

    These tables (divisions, staff, assignments) are at most a country's divisions (~700,000 rows), so they are
    held in memory: each load checks every row against every other before writing anything. The file itself is
    read by the project's one hardened reader (`jiati.core.tabular`), with its limits and its messages."""
    try:
        with open_table(path, name=name, max_bytes=settings.JIATI_IMPORT_MAX_BYTES) as table:
            return _records(table.rows, columns)
    except TabularError as exc:
        raise TableError(exc.message) from exc
