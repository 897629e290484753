"""Housing-stock import from .xlsx or .csv: one row per dwelling with its primary owner.

The same code does the dry run and the real run: rows are read in chunks,
validated, and written with bulk statements inside one transaction; a dry run,
or any rejected row, rolls the transaction back. So the preview counts exactly
what the real run will do, and the real run is all-or-nothing. Memory stays at
one chunk whatever the file's length: the file is streamed, and what the run
remembers of earlier rows (to check later ones against them) is kept in a
temporary SQLite ledger.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.scoping import area_q
from jiati.audit.models import AuditAction
from jiati.audit.services import AuditBatch
from jiati.core.bulk import insert_rows
from jiati.core.money import has_whole_area_step, to_area
from jiati.core.personal_data import mask_id_number, mask_phone
from jiati.core.tabular import TabularError, open_table
from jiati.housing import services
from jiati.housing.models import (
    Building,
    Dwelling,
    Estate,
    Owner,
    OwnerKind,
    Ownership,
    Stairwell,
    Structure,
)
from jiati.housing.signals import stairwells_changed
from jiati.organisation.models import PropertyOffice, Region

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1000
MAX_REPORTED_ERRORS = 1000
MAX_REPORTED_CHANGES = 200


@dataclass(frozen=True)
class ImportColumn:
    key: str
    zh: str
    en: Any
    required: bool = False
    example: str = ""


COLUMNS = [
    ImportColumn("community_code", "社区代码", gettext_lazy("Community code"), True, "440307001001"),
    ImportColumn("estate_code", "小区编码", gettext_lazy("Estate code"), True, "LG-0001"),
    ImportColumn("estate_name", "小区名称", gettext_lazy("Estate name"), True, "长江花园"),
    ImportColumn("estate_address", "小区地址", gettext_lazy("Estate address"), False, "龙岗区某路1号"),
    ImportColumn("property_office_code", "物业服务中心编码", gettext_lazy("Property office code"), False, ""),
    ImportColumn("estate_year_built", "小区建成年份", gettext_lazy("Estate year built"), False, "1995"),
    ImportColumn("building_number", "楼栋号", gettext_lazy("Building number"), True, "3栋"),
    ImportColumn("building_storeys", "楼栋层数", gettext_lazy("Building storeys"), True, "7"),
    ImportColumn("building_year_built", "楼栋建成年份", gettext_lazy("Building year built"), False, "1995"),
    ImportColumn("building_structure", "结构", gettext_lazy("Structure"), False, "砖混"),
    ImportColumn("stairwell_number", "单元号", gettext_lazy("Stairwell number"), True, "1单元"),
    ImportColumn("stairwell_storeys", "单元层数", gettext_lazy("Stairwell storeys"), True, "7"),
    ImportColumn("has_elevator", "是否有电梯", gettext_lazy("Has an elevator"), False, "否"),
    ImportColumn("floor", "楼层", gettext_lazy("Floor"), True, "3"),
    ImportColumn("room", "房号", gettext_lazy("Room"), True, "301"),
    ImportColumn("area_register", "登记面积", gettext_lazy("Registered area (m²)"), False, "78.50"),
    ImportColumn("area_survey", "测绘面积", gettext_lazy("Surveyed area (m²)"), False, ""),
    ImportColumn("area_contract", "合同面积", gettext_lazy("Contract area (m²)"), False, ""),
    ImportColumn("owner_kind", "业主类型", gettext_lazy("Owner kind"), False, "个人"),
    ImportColumn("owner_name", "业主姓名", gettext_lazy("Owner name"), True, "张三"),
    ImportColumn("owner_id_number", "证件号码", gettext_lazy("Owner ID number"), True, "11010519491231002X"),
    ImportColumn("owner_phone", "联系电话", gettext_lazy("Owner phone"), False, "13800138000"),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "没有", ""}
STRUCTURE_WORDS = {
    "砖混": Structure.BRICK_CONCRETE,
    "框架": Structure.FRAME,
    "剪力墙": Structure.SHEAR_WALL,
    "钢结构": Structure.STEEL,
    "其他": Structure.OTHER,
    **{s.value: s for s in Structure},
}
OWNER_KIND_WORDS = {
    "个人": OwnerKind.PERSON,
    "单位": OwnerKind.ORGANISATION,
    "开发商": OwnerKind.DEVELOPER,
    "开发企业": OwnerKind.DEVELOPER,
    "建设单位": OwnerKind.DEVELOPER,
    **{k.value: k for k in OwnerKind},
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        label = COLUMN_BY_KEY[self.column].zh if self.column in COLUMN_BY_KEY else self.column
        return {"row": self.row, "column": label, "message": self.message}


@dataclass
class ImportResult:
    total_rows: int = 0
    counts: dict = field(
        default_factory=lambda: {
            level: {"created": 0, "changed": 0, "unchanged": 0}
            for level in ("estate", "building", "stairwell", "dwelling", "owner", "ownership")
        }
    )
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    changes: list[dict] = field(default_factory=list)

    def reject(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error.as_dict())

    def count(self, level: str, outcome: str, n: int = 1) -> None:
        self.counts[level][outcome] += n

    def note_change(self, level: str, label: str, changes: dict) -> None:
        if len(self.changes) < MAX_REPORTED_CHANGES:
            self.changes.append({"level": level, "object": label, "changes": changes})


# --- reading ------------------------------------------------------------------


def _normalise_header(value: Any) -> str:
    return str(value or "").strip().lower().replace(" ", "_").replace("（", "(").replace("）", ")")


def header_map(header: list[Any]) -> dict[str, int]:
    """Map our column keys to positions; headers may be the key, the Chinese or the English label."""
    aliases = {}
    for column in COLUMNS:
        for alias in (column.key, column.zh, str(column.en)):
            aliases[_normalise_header(alias)] = column.key
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = aliases.get(_normalise_header(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [c.zh for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(
            _("Required columns are missing from the header row: %(cols)s.") % {"cols": "、".join(missing)}
        )
    return positions


@contextmanager
def open_rows(path: str, name: str) -> Iterator[tuple[int, Iterator[tuple[int, list[Any]]], dict[str, int]]]:
    """(row count estimate, iterator of (row number, cells), header map), with the file closed on leaving.
    Row numbers are as the user sees them; the first row with a value is the header, rows without a value are
    skipped. The file is read by the one hardened reader (`jiati.core.tabular`): streamed, its size, cells, rows
    and parts bounded, every refusal an ImportFileError naming the cause."""
    try:
        with open_table(path, name=name, max_bytes=settings.JIATI_IMPORT_MAX_BYTES) as table:
            rows = _rows_with_values(table.rows)
            for number, cells in rows:
                header_number, positions = number, header_map(cells)
                break
            else:
                raise ImportFileError(_("The file is empty."))
            yield max(table.total_rows - header_number, 0), rows, positions
    except TabularError as exc:
        logger.info("unreadable import file %s: %s (%s)", name, exc.code, exc)
        raise ImportFileError(exc.message) from exc


def _rows_with_values(rows):
    for number, cells in rows:
        if any(cell not in (None, "") and (not isinstance(cell, str) or cell.strip()) for cell in cells):
            yield number, cells


# --- parsing one row ----------------------------------------------------------


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str, *, also: list[_RowInvalid] | None = None):
        self.column, self.message = column, message
        self.every = [self, *(also or [])]  # a row's every bad cell, reported together


def _rule(column: str, check, **values) -> Any:
    """Apply one of the housing services' own rules to a row: its refusal becomes the row's, on `column`."""
    try:
        return check(**values)
    except ValidationError as exc:
        raise _RowInvalid(column, "; ".join(exc.messages)) from None


def _rule_refusal(check, **values) -> str | None:
    """The refusal one of the services' rules gives these values, or None."""
    try:
        check(**values)
    except ValidationError as exc:
        return "; ".join(exc.messages)
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(column: str, value: Any, *, required: bool) -> int | None:
    text = _text(value)
    if not text:
        if required:
            raise _RowInvalid(column, _("A value is required."))
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _RowInvalid(column, _("“%(value)s” is not a whole number.") % {"value": text}) from None
    if number != number.to_integral_value():
        raise _RowInvalid(column, _("“%(value)s” is not a whole number.") % {"value": text})
    return int(number)


def _area(column: str, value: Any) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _RowInvalid(column, _("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite() or number <= 0:
        raise _RowInvalid(column, _("An area must be greater than zero."))
    if not has_whole_area_step(number):
        raise _RowInvalid(column, _("An area has at most two decimals (%(value)s).") % {"value": text})
    if number >= Decimal("10000000"):
        raise _RowInvalid(column, _("The area %(value)s m² is not plausible.") % {"value": text})
    return to_area(number)


def _bool(column: str, value: Any) -> bool:
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _RowInvalid(column, _("Write 是 or 否 (yes or no), not “%(value)s”.") % {"value": text})


def _choice(column: str, value: Any, words: dict, default):
    text = _text(value)
    if not text:
        return default
    choice = words.get(text) or words.get(text.lower())
    if choice is None:
        raise _RowInvalid(
            column,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": "、".join(k for k in words if not k.isascii())},
        )
    return choice


@dataclass
class ParsedRow:
    number: int
    community_code: str
    estate_code: str
    estate: dict
    building_number: str
    building: dict
    stairwell_number: str
    stairwell: dict
    room: str
    dwelling: dict
    owner: dict


def parse_row(number: int, cells: list[Any], positions: dict[str, int]) -> ParsedRow:
    def get(key: str) -> Any:
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def required_text(key: str, max_length: int) -> str:
        text = _text(get(key))
        if not text:
            raise _RowInvalid(key, _("A value is required."))
        if len(text) > max_length:
            raise _RowInvalid(key, _("At most %(n)s characters.") % {"n": max_length})
        return text

    problems: list[_RowInvalid] = []

    def cell(check, *args, **kwargs):
        """One independent check of the row: its refusal is kept with the others, and the value is None."""
        try:
            return check(*args, **kwargs)
        except _RowInvalid as invalid:
            problems.append(invalid)
            return None

    def plausible_year(key: str, year):
        if year is not None and not 1900 <= year <= 2100:
            raise _RowInvalid(key, _("%(year)s is not a plausible year.") % {"year": year})
        return year

    def storeys(key: str):
        value = _int(key, get(key), required=True)
        if not 1 <= value <= 200:
            raise _RowInvalid(key, _("Storeys must be between 1 and 200."))
        return value

    estate_year = cell(
        lambda: plausible_year("estate_year_built", _int("estate_year_built", get("estate_year_built"), required=False))
    )
    building_year = cell(
        lambda: plausible_year(
            "building_year_built", _int("building_year_built", get("building_year_built"), required=False)
        )
    )
    building_storeys = cell(storeys, "building_storeys")
    stairwell_storeys = cell(storeys, "stairwell_storeys")
    floor = cell(_int, "floor", get("floor"), required=True)
    if building_storeys is not None and stairwell_storeys is not None:
        cell(
            _rule,
            "stairwell_storeys",
            services.stairwell_storeys_check,
            storeys=stairwell_storeys,
            building_storeys=building_storeys,
        )
    if floor is not None and stairwell_storeys is not None:
        cell(_rule, "floor", services.dwelling_floor_check, floor=floor, stairwell_storeys=stairwell_storeys)
    areas = {key: cell(_area, key, get(key)) for key in ("area_register", "area_survey", "area_contract")}
    if not any(p.column.startswith("area_") for p in problems):
        cell(
            _rule,
            "area_register",
            services.dwelling_area_clean,
            register=areas["area_register"],
            survey=areas["area_survey"],
            contract=areas["area_contract"],
        )
    owner_kind = cell(_choice, "owner_kind", get("owner_kind"), OWNER_KIND_WORDS, OwnerKind.PERSON)
    id_number = None
    if owner_kind is not None:
        id_number = cell(
            _rule,
            "owner_id_number",
            services.owner_identity_clean,
            kind=owner_kind,
            id_number=_text(get("owner_id_number")),
        )
    phone = cell(_rule, "owner_phone", services.phone_clean, phone=_text(get("owner_phone")))
    texts = {
        key: cell(required_text, key, limit)
        for key, limit in (
            ("community_code", 20),
            ("estate_code", 40),
            ("estate_name", 120),
            ("building_number", 40),
            ("stairwell_number", 40),
            ("room", 20),
            ("owner_name", 120),
        )
    }
    structure = cell(_choice, "building_structure", get("building_structure"), STRUCTURE_WORDS, None)
    has_elevator = cell(_bool, "has_elevator", get("has_elevator"))
    if problems:
        raise _RowInvalid(problems[0].column, problems[0].message, also=problems[1:])
    estate_address = _text(get("estate_address"))
    return ParsedRow(
        number=number,
        community_code=texts["community_code"],
        estate_code=texts["estate_code"],
        estate={
            "name": texts["estate_name"],
            "address": estate_address[:255] if estate_address else None,
            "property_office_code": _text(get("property_office_code")) or None,
            "year_built": estate_year,
        },
        building_number=texts["building_number"],
        building={"storeys": building_storeys, "year_built": building_year, "structure": structure},
        stairwell_number=texts["stairwell_number"],
        stairwell={"storeys": stairwell_storeys, "has_elevator": has_elevator},
        room=texts["room"],
        dwelling={"floor": floor, **areas},
        owner={"kind": owner_kind, "name": texts["owner_name"], "id_number": id_number, "phone": phone},
    )


# --- the run ------------------------------------------------------------------


class _Rollback(Exception):
    pass


@dataclass(slots=True)
class _Seen:
    """A key met earlier in the file: its id (0 until created), the row that first gave it, and its attributes
    there (a repr, compared with later rows of the same key)."""

    id: int
    first_row: int
    attributes: str | None = None
    created: bool = False


class _Ledger:
    """Everything the run remembers about rows it has passed: for each estate, building, stairwell, dwelling and
    owner key, its id, first row and attributes. It is a private temporary SQLite database (on disk past a few MB
    of cache), so the importer's memory does not grow with the file; each chunk asks it one question per level."""

    CACHE_KIB = 4096
    BATCH = 500  # keys per statement, well within SQLite's limit on parameters

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "": a temporary database file, deleted when closed
        self.db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -{self.CACHE_KIB};
            CREATE TABLE seen (
                level TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL, first_row INTEGER NOT NULL,
                attributes TEXT, created INTEGER NOT NULL, PRIMARY KEY (level, key)
            ) WITHOUT ROWID;
            """
        )

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def _text(key: str | tuple) -> str:
        # (parent id, name): the id has no separator character in it, so the pair is unambiguous.
        return key if isinstance(key, str) else "\x1f".join(map(str, key))

    def get(self, level: str, keys: set) -> dict[Any, _Seen]:
        """The keys of `level` met in earlier chunks."""
        by_text = {self._text(key): key for key in keys}
        texts = list(by_text)
        found: dict[Any, _Seen] = {}
        for start in range(0, len(texts), self.BATCH):
            batch = texts[start : start + self.BATCH]
            marks = ",".join("?" * len(batch))  # only placeholders are formatted into the statement
            query = f"SELECT key, id, first_row, attributes, created FROM seen WHERE level = ? AND key IN ({marks})"  # noqa: S608
            for text, id_, first_row, attributes, created in self.db.execute(query, [level, *batch]):
                found[by_text[text]] = _Seen(id_, first_row, attributes, bool(created))
        return found

    def put(self, level: str, entries: dict[Any, _Seen]) -> None:
        self.db.executemany(
            "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?)",
            [(level, self._text(k), s.id, s.first_row, s.attributes, s.created) for k, s in entries.items()],
        )


def _attributes(values: dict) -> str:
    return repr(tuple(values.values()))


class HousingImport:
    """One pass over a file. Use `run()`; it returns an ImportResult and leaves the database unchanged
    unless this is a real run without a single rejected row."""

    def __init__(self, *, path: str, name: str, actor, dry_run: bool, job_id: int | None = None):
        self.path, self.name, self.actor, self.dry_run, self.job_id = path, name, actor, dry_run, job_id
        self.result = ImportResult()
        self.communities: dict[str, Region | None] = {}
        self.offices: dict[str, tuple[int, int] | None] = {}  # code → (id, its subdistrict's id)
        # The keys of the chunk being written, with their ids: from the ledger, or first met in this chunk.
        self.estates: dict[str, _Seen] = {}
        self.buildings: dict[tuple[int, str], _Seen] = {}
        self.stairwells: dict[tuple[int, str], _Seen] = {}
        # Stairwells the chunk creates or changes (or whose dwellings, owners or ownerships it changes): the pool is
        # told once a chunk, and scores them all after the commit.
        self.touched: set[int] = set()
        self.ledger: _Ledger | None = None
        self.message = f"import #{job_id}" if job_id else "import"
        # A dry run writes no trail: its transaction is rolled back.
        self.audit = AuditBatch(actor=actor, message=self.message)

    # public ---------------------------------------------------------------
    def run(self) -> ImportResult:
        with open_rows(self.path, self.name) as (total, rows, positions):
            self.result.total_rows = total
            self.ledger = _Ledger()
            try:
                self._run(rows, positions)
            finally:
                self.ledger.close()
        return self.result

    def _run(self, rows, positions) -> None:
        try:
            with transaction.atomic():
                processed = 0
                chunk: list[ParsedRow] = []
                for number, cells in rows:
                    try:
                        chunk.append(parse_row(number, cells, positions))
                    except _RowInvalid as invalid:  # every bad cell of the row, each named by its column
                        for one in invalid.every:
                            self.result.reject(RowError(number, one.column, one.message))
                    processed += 1
                    if len(chunk) >= CHUNK_ROWS:
                        self._write_chunk(chunk)
                        chunk = []
                        self._progress(processed)
                if chunk:
                    self._write_chunk(chunk)
                self.result.total_rows = processed
                self._progress(processed)
                _pause_for_test_kill()
                if processed == 0:
                    raise ImportFileError(_("The file has a header but no rows."))
                if self.dry_run or self.result.error_count:
                    raise _Rollback
        except _Rollback:
            pass

    # helpers --------------------------------------------------------------
    def _progress(self, processed: int) -> None:
        if self.job_id:
            # A workbook without a <dimension> gives an estimate of its rows: never show more done than there is.
            total = max(self.result.total_rows, processed)
            cache.set(progress_key(self.job_id), {"processed": processed, "total": total}, 3600)

    def _reject(self, row: ParsedRow, column: str, message: str) -> None:
        self.result.reject(RowError(row.number, column, message))

    def _conflict(self, row: ParsedRow, column: str, first_row: int) -> None:
        self._reject(row, column, _("Differs from row %(row)s for the same key; rows must agree.") % {"row": first_row})

    @staticmethod
    def _changes(obj, wanted: dict) -> dict:
        """Fields whose wanted value (None = leave as is) differs from the stored one: {field: [before, after]}."""
        changes = {}
        for name, value in wanted.items():
            if value is None:
                continue
            current = getattr(obj, name)
            if current != value:
                changes[name] = [current, value]
        return changes

    @staticmethod
    def _apply(obj, changes: dict) -> None:
        """Write a stored row's changes with one UPDATE (no per-row signals: the chunk tells who listens at once)."""
        for name, (_before, after) in changes.items():
            setattr(obj, name, after)
        type(obj).objects.filter(pk=obj.pk).update(**{name: after for name, (_before, after) in changes.items()})

    def _audit_created(self, objects) -> None:
        if self.dry_run:
            return
        for obj in objects:
            self.audit.add(obj, AuditAction.IMPORT, label=_label(obj))

    def _audit_changed(self, obj, changes: dict) -> None:
        plain = {k: [_plain(v[0], k), _plain(v[1], k)] for k, v in changes.items()}
        if not self.dry_run:
            self.audit.add(obj, AuditAction.UPDATE, changes=plain, label=_label(obj))
        self.result.note_change(obj._meta.model_name, _label(obj), plain)

    # the chunk ------------------------------------------------------------
    def _write_chunk(self, rows: list[ParsedRow]) -> None:
        rows = self._resolve_places(rows)
        rows = self._write_estates(rows)
        rows = self._write_buildings(rows)
        rows = self._write_stairwells(rows)
        rows = self._write_dwellings(rows)
        self._write_owners(rows)
        if self.result.error_count:
            self.audit.discard()  # the run will be rolled back
        else:
            self.audit.save()
            if self.touched:
                stairwells_changed.send(sender=type(self), stairwell_ids=sorted(self.touched))
        self.touched = set()

    def _resolve_places(self, rows: list[ParsedRow]) -> list[ParsedRow]:

        codes = {r.community_code for r in rows} - set(self.communities)
        if codes:
            visible = Region.objects.filter(area_q(self.actor, region_path="path", property_office=None))
            found = {r.code: r for r in visible.filter(code__in=codes, level="community")}
            for code in codes:
                self.communities[code] = found.get(code)
        office_codes = {r.estate["property_office_code"] for r in rows if r.estate["property_office_code"]} - set(
            self.offices
        )
        if office_codes:
            # Like the estate edit page: only offices of the importer's area, checked like `services._estate_check`.
            found_offices = {
                code: (office_id, subdistrict_id)
                for code, office_id, subdistrict_id in PropertyOffice.objects.visible_to(self.actor)
                .filter(code__in=office_codes)
                .values_list("code", "id", "community__parent_id")
            }
            for code in office_codes:
                self.offices[code] = found_offices.get(code)
        kept = []
        for row in rows:
            community = self.communities.get(row.community_code)
            office_code = row.estate["property_office_code"]
            office = self.offices.get(office_code) if office_code else None
            if community is None:
                self._reject(
                    row,
                    "community_code",
                    _("No community with code “%(code)s” in your area.") % {"code": row.community_code},
                )
            elif office_code and office is None:
                self._reject(
                    row,
                    "property_office_code",
                    _("No property office with code “%(code)s” in your area.") % {"code": office_code},
                )
            elif office is not None and (
                refusal := _rule_refusal(
                    services.estate_office_check,
                    office_subdistrict_id=office[1],
                    community_subdistrict_id=community.parent_id,
                )
            ):
                self._reject(row, "property_office_code", refusal)
            else:
                kept.append(row)
        return kept

    def _write_estates(self, rows: list[ParsedRow]) -> list[ParsedRow]:
        codes = {r.estate_code for r in rows}
        known = self.ledger.get("estate", codes)
        new_codes = codes - set(known)
        existing = {e.code: e for e in Estate.objects.filter(code__in=new_codes)} if new_codes else {}
        visible_ids = (
            set(Estate.objects.visible_to(self.actor).filter(code__in=list(existing)).values_list("id", flat=True))
            if existing
            else set()
        )
        met: dict[str, _Seen] = {}
        to_create: dict[str, Estate] = {}
        kept = []
        for row in rows:
            community = self.communities[row.community_code]
            wanted = {
                "name": row.estate["name"],
                "address": row.estate["address"],
                "community_id": community.id,
                "property_office_id": self.offices[row.estate["property_office_code"]][0]
                if row.estate["property_office_code"]
                else None,
                "year_built": row.estate["year_built"],
            }
            attributes = _attributes(wanted)
            first = known.get(row.estate_code) or met.get(row.estate_code)
            if first is not None:
                if first.attributes != attributes:
                    self._conflict(row, "estate_name", first.first_row)
                    continue
            elif row.estate_code in existing:
                estate = existing[row.estate_code]
                if estate.id not in visible_ids:
                    self._reject(
                        row, "estate_code", _("Estate “%(code)s” exists outside your area.") % {"code": row.estate_code}
                    )
                    continue
                changes = self._changes(estate, wanted)
                if changes:
                    self._apply(estate, changes)
                    if "community_id" in changes:
                        services.estate_community_copy(estate=estate)
                    self._audit_changed(estate, changes)
                    self.result.count("estate", "changed")
                else:
                    self.result.count("estate", "unchanged")
                met[row.estate_code] = _Seen(estate.id, row.number, attributes)
            else:
                to_create[row.estate_code] = Estate(
                    code=row.estate_code,
                    **{k: v if v is not None else ("" if k == "address" else None) for k, v in wanted.items()},
                )
                met[row.estate_code] = _Seen(0, row.number, attributes, created=True)
            kept.append(row)
        if to_create:
            created = insert_rows(Estate, list(to_create.values()))
            for estate in created:
                met[estate.code].id = estate.id
            self._audit_created(created)
            self.result.count("estate", "created", len(created))
        self.ledger.put("estate", met)
        self.estates = {**known, **met}
        return kept

    def _write_buildings(self, rows: list[ParsedRow]) -> list[ParsedRow]:
        keys = {(self.estates[r.estate_code].id, r.building_number) for r in rows}
        known = self.ledger.get("building", keys)
        # An estate this run created has no stored buildings to look up.
        new_estates = {seen.id for seen in self.estates.values() if seen.created}
        existing = self._existing(
            Building, {k for k in keys - set(known) if k[0] not in new_estates}, "estate_id", "number"
        )
        met: dict[tuple[int, str], _Seen] = {}
        to_create: dict[tuple, Building] = {}
        kept = []
        for row in rows:
            estate_id = self.estates[row.estate_code].id
            key = (estate_id, row.building_number)
            wanted = dict(row.building)
            attributes = _attributes(wanted)
            first = known.get(key) or met.get(key)
            if first is not None:
                if first.attributes != attributes:
                    self._conflict(row, "building_storeys", first.first_row)
                    continue
            elif key in existing:
                building = existing[key]
                changes = self._changes(building, wanted)
                if "storeys" in changes:
                    tallest = max(building.stairwells.values_list("storeys", flat=True), default=0)
                    refusal = _rule_refusal(services.building_storeys_check, storeys=wanted["storeys"], highest=tallest)
                    if refusal:
                        self._reject(row, "building_storeys", refusal)
                        continue
                if changes:
                    self._apply(building, changes)
                    self._audit_changed(building, changes)
                    self.result.count("building", "changed")
                else:
                    self.result.count("building", "unchanged")
                met[key] = _Seen(building.id, row.number, attributes)
            else:
                to_create[key] = Building(
                    estate_id=estate_id,
                    community_id=self.communities[row.community_code].id,
                    number=row.building_number,
                    storeys=wanted["storeys"],
                    year_built=wanted["year_built"],
                    structure=wanted["structure"] or Structure.BRICK_CONCRETE,
                )
                met[key] = _Seen(0, row.number, attributes, created=True)
            kept.append(row)
        if to_create:
            created = insert_rows(Building, list(to_create.values()))
            for building in created:
                met[(building.estate_id, building.number)].id = building.id
            self._audit_created(created)
            self.result.count("building", "created", len(created))
        self.ledger.put("building", met)
        self.buildings = {**known, **met}
        return kept

    def _building_id(self, row: ParsedRow) -> int:
        return self.buildings[(self.estates[row.estate_code].id, row.building_number)].id

    def _write_stairwells(self, rows: list[ParsedRow]) -> list[ParsedRow]:
        keys = {(self._building_id(r), r.stairwell_number) for r in rows}
        known = self.ledger.get("stairwell", keys)
        new_buildings = {seen.id for seen in self.buildings.values() if seen.created}
        existing = self._existing(
            Stairwell, {k for k in keys - set(known) if k[0] not in new_buildings}, "building_id", "number"
        )
        met: dict[tuple[int, str], _Seen] = {}
        to_create: dict[tuple, Stairwell] = {}
        kept = []
        for row in rows:
            building_id = self._building_id(row)
            key = (building_id, row.stairwell_number)
            wanted = dict(row.stairwell)
            attributes = _attributes(wanted)
            first = known.get(key) or met.get(key)
            if first is not None:
                if first.attributes != attributes:
                    self._conflict(row, "stairwell_storeys", first.first_row)
                    continue
            elif key in existing:
                stairwell = existing[key]
                changes = self._changes(stairwell, wanted)
                if "storeys" in changes:
                    top = max(stairwell.dwellings.values_list("floor", flat=True), default=0)
                    refusal = _rule_refusal(services.stairwell_floors_check, storeys=wanted["storeys"], top=top)
                    if refusal:
                        self._reject(row, "stairwell_storeys", refusal)
                        continue
                if changes:
                    self._apply(stairwell, changes)
                    self.touched.add(stairwell.id)
                    self._audit_changed(stairwell, changes)
                    self.result.count("stairwell", "changed")
                else:
                    self.result.count("stairwell", "unchanged")
                met[key] = _Seen(stairwell.id, row.number, attributes)
            else:
                to_create[key] = Stairwell(
                    building_id=building_id,
                    estate_id=self.estates[row.estate_code].id,
                    community_id=self.communities[row.community_code].id,
                    number=row.stairwell_number,
                    **wanted,
                )
                met[key] = _Seen(0, row.number, attributes, created=True)
            kept.append(row)
        if to_create:
            created = insert_rows(Stairwell, list(to_create.values()))
            for stairwell in created:
                met[(stairwell.building_id, stairwell.number)].id = stairwell.id
            # Scored with the chunk's stored ones, not left to the daily sweep: the pool is right once we commit.
            self.touched.update(stairwell.id for stairwell in created)
            self._audit_created(created)
            self.result.count("stairwell", "created", len(created))
        self.ledger.put("stairwell", met)
        self.stairwells = {**known, **met}
        return kept

    def _stairwell_id(self, row: ParsedRow) -> int:
        return self.stairwells[(self._building_id(row), row.stairwell_number)].id

    def _write_dwellings(self, rows: list[ParsedRow]) -> list[tuple[ParsedRow, Dwelling]]:
        keys = {(self._stairwell_id(r), r.room) for r in rows}
        known = self.ledger.get("dwelling", keys)
        # A stairwell this run created holds no stored dwellings: its rows need no lookup.
        new_stairwells = {seen.id for seen in self.stairwells.values() if seen.created}
        stored = {key for key in keys if key[0] not in new_stairwells and key not in known}
        existing = self._existing(Dwelling, stored, "stairwell_id", "room") if stored else {}
        to_create: list[Dwelling] = []
        placed: list[tuple[ParsedRow, Dwelling]] = []
        met: dict[tuple[int, str], _Seen] = {}
        for row in rows:
            stairwell_id = self._stairwell_id(row)
            key = (stairwell_id, row.room)
            first = known.get(key) or met.get(key)
            if first is not None:
                self._reject(
                    row,
                    "room",
                    _("Room %(room)s appears twice in this stairwell (first on row %(row)s).")
                    % {"room": row.room, "row": first.first_row},
                )
                continue
            met[key] = _Seen(0, row.number)
            area, source = Dwelling.effective_area(
                row.dwelling["area_register"], row.dwelling["area_survey"], row.dwelling["area_contract"]
            )
            wanted = {**row.dwelling, "exclusive_area": area, "area_source": source}
            if key in existing:
                dwelling = existing[key]
                # A missing area in the file leaves a stored one alone; recompute the counted area from the result.
                merged = {k: (v if v is not None else getattr(dwelling, k)) for k, v in row.dwelling.items()}
                merged["exclusive_area"], merged["area_source"] = Dwelling.effective_area(
                    merged["area_register"], merged["area_survey"], merged["area_contract"]
                )
                changes = self._changes(dwelling, merged)
                if changes:
                    self._apply(dwelling, changes)
                    self.touched.add(dwelling.stairwell_id)
                    self._audit_changed(dwelling, changes)
                    self.result.count("dwelling", "changed")
                else:
                    self.result.count("dwelling", "unchanged")
                placed.append((row, dwelling))
            else:
                if stairwell_id not in new_stairwells:
                    self.touched.add(stairwell_id)
                dwelling = Dwelling(
                    stairwell_id=stairwell_id,
                    building_id=self._building_id(row),
                    estate_id=self.estates[row.estate_code].id,
                    community_id=self.communities[row.community_code].id,
                    room=row.room,
                    **wanted,
                )
                to_create.append(dwelling)
                placed.append((row, dwelling))
        self.ledger.put("dwelling", met)
        if to_create:
            created = insert_rows(Dwelling, to_create)
            for dwelling in created:
                dwelling._created_by_import = True  # no stored ownerships to look up
            self._audit_created(created)
            self.result.count("dwelling", "created", len(created))
        return placed

    def _write_owners(self, placed: list[tuple[ParsedRow, Dwelling]]) -> None:
        numbers = {r.owner["id_number"] for r, _d in placed}
        known = self.ledger.get("owner", numbers)
        existing, elsewhere = self._existing_owners(numbers - set(known))
        met: dict[str, _Seen] = {}
        to_create: dict[str, Owner] = {}
        owned: list[tuple[ParsedRow, Dwelling, str]] = []
        changed_owners: list[int] = []
        for row, dwelling in placed:
            number = row.owner["id_number"]
            wanted = {k: v for k, v in row.owner.items() if k != "id_number"}
            attributes = _attributes(wanted)
            if number in elsewhere:
                self._reject(
                    row,
                    "owner_id_number",
                    _(
                        "This ID number belongs to an owner registered outside your area; an import from your area "
                        "cannot change or link that record. Ask a platform administrator to import this row."
                    ),
                )
                continue
            first = known.get(number) or met.get(number)
            if first is not None:
                if first.attributes != attributes:
                    self._conflict(row, "owner_name", first.first_row)
                    continue
            elif number in existing:
                owner = existing[number]
                changes = self._changes(owner, {**wanted, "phone": wanted["phone"] or None})
                if changes:
                    self._apply(owner, changes)
                    changed_owners.append(owner.id)
                    self._audit_changed(owner, changes)
                    self.result.count("owner", "changed")
                else:
                    self.result.count("owner", "unchanged")
                met[number] = _Seen(owner.id, row.number, attributes)
            else:
                to_create[number] = Owner(id_number=number, **wanted)
                met[number] = _Seen(0, row.number, attributes, created=True)
            owned.append((row, dwelling, number))
        if to_create:
            created = insert_rows(Owner, list(to_create.values()))
            for owner in created:
                met[owner.id_number].id = owner.id
            self._audit_created(created)
            self.result.count("owner", "created", len(created))
        self.ledger.put("owner", met)
        if changed_owners:
            self.touched.update(
                Ownership.objects.filter(owner_id__in=changed_owners).values_list("dwelling__stairwell_id", flat=True)
            )
        owner_ids = {number: seen.id for number, seen in (*known.items(), *met.items())}
        self._write_ownerships(owned, owner_ids)

    def _existing_owners(self, numbers: set[str]) -> tuple[dict[str, Owner], set[str]]:
        """Stored owners with these ID numbers that the importer may see (matched and updated), and the numbers held
        by owners outside the importer's area (their rows are rejected; nothing about the holder is shown)."""
        if not numbers:
            return {}, set()
        # First by the ID number's index alone: most numbers of a new file are stored nowhere, and the scoped query
        # (owners through their ownerships' communities) is asked only about those that are.
        stored = set(Owner.objects.filter(id_number__in=numbers).values_list("id_number", flat=True))
        if not stored:
            return {}, set()
        visible = {o.id_number: o for o in Owner.objects.visible_to(self.actor).filter(id_number__in=stored)}
        return visible, stored - set(visible)

    def _write_ownerships(self, owned: list[tuple[ParsedRow, Dwelling, str]], owner_ids: dict[str, int]) -> None:
        # Only dwellings that were stored before this run can have ownerships to compare with.
        dwelling_ids = [d.id for _r, d, _n in owned if not getattr(d, "_created_by_import", False)]
        primary = (
            dict(
                Ownership.objects.filter(dwelling_id__in=dwelling_ids, is_primary=True).values_list(
                    "dwelling_id", "owner_id"
                )
            )
            if dwelling_ids
            else {}
        )
        held = (
            set(Ownership.objects.filter(dwelling_id__in=dwelling_ids).values_list("dwelling_id", "owner_id"))
            if dwelling_ids
            else set()
        )
        to_create, ended, promote = [], [], []
        for _row, dwelling, number in owned:
            owner_id = owner_ids[number]
            current = primary.get(dwelling.id)
            if current == owner_id:
                self.result.count("ownership", "unchanged")
                continue
            if not getattr(dwelling, "_created_by_import", False):
                self.touched.add(dwelling.stairwell_id)
            if current is not None:
                # The file names another primary owner: the dwelling changed hands.
                ended.append(dwelling.id)
                self.result.note_change("ownership", _label(dwelling), {"owner": [current, owner_id]})
                self.result.count("ownership", "changed")
            else:
                self.result.count("ownership", "created")
            if (dwelling.id, owner_id) in held:
                promote.append((dwelling.id, owner_id))
            else:
                to_create.append(
                    Ownership(
                        owner_id=owner_id, dwelling_id=dwelling.id, community_id=dwelling.community_id, is_primary=True
                    )
                )
        if ended:
            old = list(Ownership.objects.filter(dwelling_id__in=ended, is_primary=True))
            if not self.dry_run:
                for ownership in old:
                    self.audit.add(ownership, AuditAction.DELETE, label=_label(ownership))
            Ownership.objects.filter(pk__in=[o.pk for o in old]).delete()
        for dwelling_id, owner_id in promote:
            Ownership.objects.filter(dwelling_id=dwelling_id, owner_id=owner_id).update(is_primary=True)
        if to_create:
            # A new dwelling's ownership is recorded with the dwelling's and owner's creation; a change of hands
            # of an existing dwelling gets its own entry (the old ownership's deletion is recorded above).
            created = insert_rows(Ownership, to_create)
            self._audit_created([o for o in created if o.dwelling_id in set(ended)])

    @staticmethod
    def _existing(model, keys: set[tuple], parent_field: str, name_field: str) -> dict[tuple, Any]:
        """Stored rows for (parent id, name) keys, one query per chunk (new parents have id 0 and match nothing)."""
        by_parent: dict[int, list[str]] = {}
        for parent_id, name in keys:
            if parent_id:
                by_parent.setdefault(parent_id, []).append(name)
        if not by_parent:
            return {}
        found = model.objects.filter(
            **{f"{parent_field}__in": list(by_parent)},
            **{f"{name_field}__in": [n for names in by_parent.values() for n in names]},
        )
        return {
            (getattr(o, parent_field), getattr(o, name_field)): o
            for o in found
            if (getattr(o, parent_field), getattr(o, name_field)) in keys
        }


def _label(obj) -> str:
    """A readable name from the row's own columns (no foreign-key lookups, thousands of times per import)."""
    if isinstance(obj, Estate):
        return f"{obj.name} ({obj.code})"
    if isinstance(obj, Building | Stairwell):
        return f"{obj._meta.verbose_name} {obj.number} (#{obj.pk})"
    if isinstance(obj, Dwelling):
        return f"{obj._meta.verbose_name} {obj.room} (#{obj.pk})"
    if isinstance(obj, Owner):
        return obj.name
    return f"{obj._meta.verbose_name} #{obj.pk}"


def _plain(value, field_name: str):
    if field_name == "id_number":
        return mask_id_number(value)
    if field_name == "phone":
        return mask_phone(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _pause_for_test_kill() -> None:
    """Test-only (settings.JIATI_TEST_IMPORT_PAUSE, empty outside the tests): the first import to get here creates
    the file and waits, its rows written but not committed, for the test to kill its worker; the re-run finds the
    file and goes on."""
    marker = settings.JIATI_TEST_IMPORT_PAUSE
    if not marker:
        return
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return
    time.sleep(120)


def progress_key(job_id: int) -> str:
    return f"housing-import-progress:{job_id}"


def template_workbook(fmt: str) -> bytes:
    """The downloadable template: Chinese headers (English, keys also accepted), one example row."""
    headers = [c.zh for c in COLUMNS]
    example = [c.example for c in COLUMNS]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow(example)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    # Start-up cost: openpyxl loads only when someone downloads the template.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住房数据"
    sheet.append(headers)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    guide = workbook.create_sheet("填写说明 Guide")
    guide.append(["列 Column", "English", "key", "必填 Required", "示例 Example"])
    for c in COLUMNS:
        guide.append([c.zh, str(c.en), c.key, "是" if c.required else "否", c.example])
    guide.append([])
    guide.append(
        ["每行一户（一套房屋）及其主业主。面积至少填一项：登记 > 测绘 > 合同。业主类型：个人 / 单位 / 开发商。"]
    )
    guide.append(["One row per dwelling with its primary owner. At least one area; register > survey > contract."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
