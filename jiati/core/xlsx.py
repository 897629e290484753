"""A streaming reader for .xlsx worksheets: rows one at a time, in memory that does not grow with the sheet.

Why our own: the maintained readers either hold the whole sheet in memory (calamine: about 1.9 KB a row, 189 MB
for a 100,000-row housing workbook; upstream tafia/calamine#27) or stream it slowly (openpyxl's read-only mode:
17 s for the same file). This one is the standard library's expat parser over the zip member, 3–4 s and 13 MB for
that file, whatever its size (docs/decisions.md).

What a cell gives: text as `str`; numbers as `float`, rounded to the 15 significant digits Excel shows and keeps
(so 80.499999999999986, a formula's artefact, reads as the 80.5 on screen); booleans as `bool`; formula results as
their cached value; error cells as their text ("#N/A"); empty or missing cells as None. Styles are not read, so a
date arrives as its serial number (no column we import is a date). Shared strings are kept in a temporary file
with only their offsets in memory, so a sheet of a million distinct names costs 4 MB of offsets, not the names.

Hostile files are refused, each with an `XlsxError` whose `code` names the cause (`Limits`): a central directory
past a bound (before `zipfile` loads it), a part that decompresses past a set size or ratio (counted while it
streams, not taken from its header), a run of bytes without markup (expat would buffer it whole), elements nested
too deep, more sheets, relationships or shared strings than any workbook has, a cell or shared string longer than
Excel's 32,767 characters, a row past 1,048,576 whether or not rows carry their number.
"""

from __future__ import annotations

import os
import posixpath
import struct
import tempfile
import zipfile
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.parsers import expat

READ_BYTES = 1 << 16
STRING_CACHE = 4096
# Excel's own limits (XFD1048576). A file beyond them is damaged or hostile: a cell at column ZZZZZZZ would make a
# row of eight billion cells.
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is refused as damaged or hostile. The defaults are far above any real
    workbook (a housing file of a million rows has one sheet, a dozen parts and a sheet part near 1 GB) and far
    below what would exhaust a worker."""

    max_rows: int = MAX_ROWS
    max_cell_chars: int = MAX_CELL_CHARS
    # 40 MB of offsets (4 bytes each): a million-row file of 22 columns has at most a few million distinct texts.
    max_strings: int = 10_000_000
    max_sheets: int = 1_000
    max_relationships: int = 10_000
    # The central directory, which `zipfile` loads whole into Python objects (~10x its size): about 20,000 parts.
    max_directory_bytes: int = 2 * 1024 * 1024
    # One part decompressed (< 4 GiB, so shared-string offsets fit in 32 bits); small parts (relationships, the
    # workbook) far less.
    max_part_bytes: int = 2 * 1024 * 1024 * 1024
    max_small_part_bytes: int = 16 * 1024 * 1024
    # Decompressed / compressed. Real sheets pack 5-30:1; a zip bomb 1000:1. Parts under `ratio_grace` are exempt.
    max_ratio: int = 100
    ratio_grace: int = 1024 * 1024
    # Bytes without a "<": expat holds a whole tag (and its attributes) in memory before it reports it.
    max_markup_gap: int = 4 * 1024 * 1024
    max_depth: int = 64


LIMITS = Limits()
MAIN_NAMESPACES = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" Office Open XML
}


class XlsxError(Exception):
    """The file is not a workbook we can read. The message (English, for the log) says why; `code` names the cause
    for a translated message ("damaged", "cell", "cell_too_long", "too_many_rows", "too_many", "part_too_large",
    "compression_ratio"), `params` fills it; `cell` ("B7") and `row` (7) name the cell when one cell is at fault."""

    def __init__(
        self,
        message: str,
        cell: str | None = None,
        row: int | None = None,
        *,
        code: str = "damaged",
        params: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.cell, self.row, self.code, self.params = cell, row, code, params or {}


def _local(name: str) -> str:
    """Element name without its namespace prefix or URI (writers differ: `c`, `x:c`, `{uri}c`)."""
    return name.rpartition("}")[2].rpartition(":")[2]


def column_index(reference: str) -> int:
    """0-based column of a cell reference such as "AB12" (-1 if it has no letters)."""
    index = 0
    for char in reference.upper():
        code = ord(char)
        if not 65 <= code <= 90:
            break
        index = index * 26 + code - 64
    return index - 1


class _Columns(dict):
    """Column letters → 0-based index, computed once per letters (the sheet repeats the same few)."""

    def __missing__(self, letters: str) -> int:
        index = column_index(letters.replace("$", ""))
        if len(self) < 1024:
            self[letters] = index
        return index


def column_letters(index: int) -> str:
    """Letters of a 0-based column index: 0 → "A", 27 → "AB"."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(reference: str, row: int, column: int) -> str:
    return reference.replace("$", "").upper() if reference else f"{column_letters(column)}{row}"


def _target(folder: str, target: str) -> str:
    """A relationship's target as a name in the archive: absolute ("/xl/…") or relative to the source's folder."""
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path).lstrip("/")


def _damaged(exc: Exception, name: str) -> XlsxError:
    if isinstance(exc, XlsxError):
        return exc
    return XlsxError(f"{name} cannot be read: {exc.__class__.__name__}: {exc}")


def _number(text: str) -> float:
    # Up to 15 characters cannot carry more than 15 significant digits: no rounding needed (most cells).
    value = float(text) if len(text) <= 15 else float(f"{float(text):.15g}")
    if value - value != 0 or "_" in text:  # NaN or infinity (x - x is NaN), or Python's "1_000"
        raise ValueError(text)
    return value


def _too_many(what: str, limit: int) -> XlsxError:
    return XlsxError(f"more than {limit:,} {what}", code="too_many", params={"what": what, "limit": limit})


def _check_directory(handle: BinaryIO, limits: Limits) -> None:
    """Refuse an archive whose central directory is past the bound, before `zipfile` turns it into objects. The
    size is read from the end-of-directory record (and its ZIP64 form); `zipfile` reads exactly that many bytes."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 65_535 + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    handle.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return  # not a zip file: zipfile says so
    directory_bytes = struct.unpack_from("<L", tail, end + 12)[0]
    if end >= 20 and tail[end - 20 : end - 16] == b"PK\x06\x07":  # ZIP64: the real size is in another record
        offset = struct.unpack_from("<Q", tail, end - 20 + 8)[0]
        if offset + 56 <= size:
            handle.seek(offset)
            record = handle.read(56)
            handle.seek(0)
            if record[:4] == b"PK\x06\x06":
                directory_bytes = max(directory_bytes, struct.unpack_from("<Q", record, 40)[0])
            else:
                directory_bytes = size
    if directory_bytes > limits.max_directory_bytes:
        raise _too_many("bytes of archive directory", limits.max_directory_bytes)


class _Part:
    """A zip member read through a guard: its decompressed size and ratio are counted as it streams (a header
    can lie), and a run of bytes without "<" is refused before expat buffers it."""

    def __init__(self, archive: zipfile.ZipFile, name: str, limit: int, limits: Limits) -> None:
        info = archive.getinfo(name)
        self.name, self.limit, self.limits = name, limit, limits
        self.ratio_cap = max(limits.ratio_grace, limits.max_ratio * max(info.compress_size, 1))
        self.read_bytes = 0
        self._gap = 0
        self._check(info.file_size)  # the header's claim, refused at once when it is already too much
        self._member = archive.open(info)

    def _check(self, size: int) -> None:
        if size > self.limit:
            raise XlsxError(
                f"{self.name} decompresses past {self.limit:,} bytes",
                code="part_too_large",
                params={"part": self.name, "limit": self.limit},
            )
        if size > self.ratio_cap:
            raise XlsxError(
                f"{self.name} decompresses more than {self.limits.max_ratio}:1",
                code="compression_ratio",
                params={"part": self.name, "ratio": self.limits.max_ratio},
            )

    def read(self, size: int) -> bytes:
        data = self._member.read(size)
        self.read_bytes += len(data)
        self._check(self.read_bytes)
        first = data.find(b"<")
        if first < 0:
            self._gap += len(data)
        else:
            self._gap += first
            if self._gap <= self.limits.max_markup_gap:
                self._gap = len(data) - data.rfind(b"<") - 1
        if self._gap > self.limits.max_markup_gap:
            raise XlsxError(
                f"{self.name} has {self._gap:,} bytes without markup",
                code="part_too_large",
                params={"part": self.name, "limit": self.limits.max_markup_gap},
            )
        return data

    def tell(self) -> int:
        return self.read_bytes

    @property
    def closed(self) -> bool:
        return self._member.closed

    def close(self) -> None:
        self._member.close()

    def __enter__(self) -> _Part:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _StringTable:
    """The workbook's shared strings in a temporary file; memory holds one offset per string and a small cache."""

    def __init__(self, limits: Limits) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), with the reader
        # 32-bit offsets: the text stored is never longer than its part, which is under 4 GiB (Limits).
        self._offsets = array("I", [0])
        self._limit = limits.max_strings
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._cache: OrderedDict[int, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def append(self, text: str) -> None:
        if len(self._offsets) > self._limit:
            raise _too_many("shared strings", self._limit)
        data = text.encode("utf-8")
        self._pending.append(data)
        self._pending_size += len(data)
        self._offsets.append(self._offsets[-1] + len(data))
        if self._pending_size >= READ_BYTES:
            self._flush()

    def _flush(self) -> None:
        self._file.write(b"".join(self._pending))
        self._pending.clear()
        self._pending_size = 0

    def finish(self) -> None:
        self._flush()
        self._file.flush()

    def __getitem__(self, index: int) -> str:
        cache = self._cache
        text = cache.get(index)
        if text is not None:
            cache.move_to_end(index)
            return text
        if not 0 <= index < len(self):
            raise IndexError(index)
        start = self._offsets[index]
        text = os.pread(self._file.fileno(), self._offsets[index + 1] - start, start).decode("utf-8")
        cache[index] = text
        if len(cache) > STRING_CACHE:
            cache.popitem(last=False)
        return text

    def close(self) -> None:
        self._file.close()


def _refuse_doctype(*_args) -> None:
    raise XlsxError("a part of the workbook declares a DOCTYPE, which Excel never writes")


def _cell_too_long(limit: int, cell: str | None = None, row: int | None = None) -> XlsxError:
    where = f" at {cell}" if cell else ""
    return XlsxError(
        f"a text longer than {limit:,} characters{where}", cell, row, code="cell_too_long", params={"limit": limit}
    )


class XlsxReader:
    """The first worksheet of an .xlsx file. Use as a context manager; `rows()` yields (row number, cells from
    column A) for every row the sheet stores, `total_rows` is the sheet's own estimate (0 if it has none)."""

    def __init__(self, source: str | os.PathLike | BinaryIO, *, limits: Limits = LIMITS) -> None:
        self.total_rows = 0
        self.limits = limits
        self._zip = self._strings = self._sheet = self._handle = None
        try:
            if isinstance(source, (str, os.PathLike)):
                self._handle = source = open(source, "rb")  # noqa: SIM115 - closed by close()
            _check_directory(source, limits)
            self._zip = zipfile.ZipFile(source)
            self._strings = _StringTable(limits)
            sheet_path, strings_path = self._parts()
            if strings_path:
                self._read_strings(strings_path)
            self._sheet = _Part(self._zip, sheet_path, limits.max_part_bytes, limits)
            self._sheet_size = self._zip.getinfo(sheet_path).file_size
        except Exception as exc:
            self.close()
            raise _damaged(exc, "the workbook") from exc

    def __enter__(self) -> XlsxReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        for part in (self._sheet, self._strings, self._zip, self._handle):
            if part is not None:
                part.close()

    # the workbook's parts ----------------------------------------------------------------------------------
    def _elements(self, name: str, wanted: str, limit: int, what: str) -> list[dict[str, str]]:
        """The attributes of every `wanted` element of a small part ([] if the part is missing), at most `limit`."""
        found: list[dict[str, str]] = []

        def start(tag, attrs):
            if _local(tag) == wanted:
                if len(found) >= limit:
                    raise _too_many(what, limit)
                found.append(attrs)

        try:
            member = _Part(self._zip, name, self.limits.max_small_part_bytes, self.limits)
        except KeyError:
            return found
        with member:
            self._parse_all(self._parser(start, None, None), member, name)
        return found

    def _parts(self) -> tuple[str, str | None]:
        """The first sheet's part and the shared strings' part, found as Excel finds them: the package's
        relationships name the workbook, the workbook's relationships name its sheets and string table."""
        names = set(self._zip.namelist())
        limits = self.limits
        workbook = next(
            (
                _target("", rel.get("Target", ""))
                for rel in self._elements("_rels/.rels", "Relationship", limits.max_relationships, "relationships")
                if rel.get("Type", "").endswith("/officeDocument")
            ),
            "xl/workbook.xml",
        )
        if workbook not in names:
            raise XlsxError(f"no {workbook}: not an Excel workbook")
        folder, base = posixpath.split(workbook)
        targets: dict[str, str] = {}
        strings_path = None
        relationships = self._elements(
            posixpath.join(folder, "_rels", base + ".rels"), "Relationship", limits.max_relationships, "relationships"
        )
        for rel in relationships:
            path = _target(folder, rel.get("Target", ""))
            targets[rel.get("Id", "")] = path
            if rel.get("Type", "").endswith("/sharedStrings"):
                strings_path = path
        sheets = self._elements(workbook, "sheet", limits.max_sheets, "sheets")
        if not sheets:
            raise XlsxError("the workbook has no worksheet")
        # The relationship id is `r:id` (the prefix is the writer's choice; `sheetId` is another attribute).
        relation = next((value for key, value in sheets[0].items() if key.endswith(":id")), "")
        if targets:
            sheet_path = targets.get(relation)
            if sheet_path not in names:
                raise XlsxError("the first worksheet is missing from the file")
        else:  # a writer that left out the relationships: the conventional name
            sheet_path = posixpath.join(folder, "worksheets", "sheet1.xml")
            if sheet_path not in names:
                raise XlsxError("the workbook names no worksheet part")
        if strings_path is None:
            strings_path = posixpath.join(folder, "sharedStrings.xml")
        return sheet_path, strings_path if strings_path in names else None

    def _read_strings(self, name: str) -> None:
        strings = self._strings
        limit = self.limits.max_cell_chars
        parts: list[str] = []
        length = 0
        depth = {"rPh": 0, "t": 0}

        def start(tag, _attrs):
            nonlocal length
            tag = _local(tag)
            if tag == "si":
                parts.clear()
                length = 0
            elif tag in depth:
                depth[tag] += 1

        def end(tag):
            tag = _local(tag)
            if tag == "si":
                strings.append("".join(parts))
            elif tag in depth:
                depth[tag] -= 1

        def text(data):
            nonlocal length
            # <t> runs of the string, but not its phonetic guide (<rPh>), which Excel does not show in the cell.
            if depth["t"] and not depth["rPh"]:
                length += len(data)
                if length > limit:
                    raise _cell_too_long(limit)
                parts.append(data)

        parser = self._parser(start, end, text)
        with _Part(self._zip, name, self.limits.max_part_bytes, self.limits) as member:
            self._parse_all(parser, member, name)
        strings.finish()

    def _parser(self, start, end, text):
        """An expat parser that refuses any DOCTYPE (a workbook's parts never have one, and refusing it rules out
        entity-expansion attacks; expat resolves no external entity anyway) and elements nested past the bound
        (expat keeps every open element)."""
        max_depth = self.limits.max_depth
        depth = 0

        def guarded_start(tag, attrs):
            nonlocal depth
            depth += 1
            if depth > max_depth:
                raise XlsxError(f"elements nested more than {max_depth} deep")
            start(tag, attrs)

        def guarded_end(tag):
            nonlocal depth
            depth -= 1
            if end is not None:
                end(tag)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = READ_BYTES
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.StartElementHandler = guarded_start
        parser.EndElementHandler = guarded_end
        if text is not None:
            parser.CharacterDataHandler = text
        return parser

    @staticmethod
    def _blocks(parser, member, name: str) -> Iterator[None]:
        """Feed a zip member to the parser a block at a time, yielding after each so the caller can hand on what
        the block produced; any failure becomes one XlsxError."""
        try:
            while True:
                data = member.read(READ_BYTES)
                parser.Parse(data, not data)
                yield
                if not data:
                    return
        except expat.ExpatError as exc:
            raise XlsxError(f"{name} is damaged at line {exc.lineno}: {expat.errors.messages[exc.code]}") from exc
        except Exception as exc:  # a damaged archive fails in many ways: zlib.error, EOFError, an odd encoding…
            raise _damaged(exc, name) from exc

    @classmethod
    def _parse_all(cls, parser, member, name: str) -> None:
        for _ in cls._blocks(parser, member, name):
            pass

    # the sheet -----------------------------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells from column A) for each row the sheet stores, in order. After the first block
        `total_rows` holds the sheet's own row count, or an estimate from the part's size if it gives none."""
        strings = self._strings
        limits = self.limits
        max_rows, max_chars, max_depth = limits.max_rows, limits.max_cell_chars, limits.max_depth
        columns = _Columns()
        done: list[tuple[int, list[Any]]] = []
        cells: list[Any] = []
        parts: list[str] = []
        length = 0
        row_number = 0
        row_count = 0
        depth = 0
        cell_type = "n"
        cell_ref = ""
        column = 0
        collecting = False
        phonetic = 0

        def start(tag, attrs):
            nonlocal cells, row_number, row_count, cell_type, cell_ref, column, collecting, phonetic, length, depth
            depth += 1
            if depth > max_depth:
                raise XlsxError(f"elements nested more than {max_depth} deep")
            if tag == "c":
                cell_type = attrs.get("t", "n")
                cell_ref = attrs.get("r", "")
                column = columns[cell_ref.rstrip("0123456789$")] if cell_ref else len(cells)
                if column >= MAX_COLUMNS:
                    raise XlsxError("a cell beyond column XFD", cell_ref[:20], row_number, code="cell")
                parts.clear()
                length = 0
            elif tag == "v":
                collecting = True
            elif tag == "t":
                collecting = not phonetic
            elif tag == "row":
                cells = []
                # Every <row> counts, numbered or not: 2,097,152 bare <row/> elements are not a sheet.
                row_count += 1
                number = attrs.get("r")
                if number:
                    if not number.isdigit() or len(number) > 9 or int(number) == 0:
                        raise XlsxError(f"a row numbered “{number[:20]}”", None, row_number + 1)
                    row_number = int(number)
                else:
                    row_number += 1
                if row_count > max_rows or row_number > max_rows:
                    raise XlsxError(
                        f"more than {max_rows:,} rows",
                        None,
                        max_rows + 1,
                        code="too_many_rows",
                        params={"limit": max_rows},
                    )
            elif tag == "rPh":
                phonetic += 1
            elif tag == "dimension":
                # "A1:V100001". Some writers put a bare "A1" whatever the size: only a range is believed.
                _first, colon, last = attrs.get("ref", "").replace("$", "").partition(":")
                digits = last[len(last.rstrip("0123456789")) :]
                dimension[0] = min(int(digits), max_rows) if colon and digits.isdigit() else 0

        def end(tag):
            nonlocal collecting, phonetic, depth
            depth -= 1
            if tag == "v" or tag == "t":
                collecting = False
            elif tag == "c":
                text = "".join(parts)
                if not text and cell_type != "inlineStr":
                    value = None
                elif cell_type == "n":
                    try:
                        value = _number(text)
                    except ValueError:
                        raise XlsxError(
                            f"“{text[:40]}” is not a number",
                            _cell(cell_ref, row_number, column),
                            row_number,
                            code="cell",
                        ) from None
                elif cell_type == "s":
                    try:
                        value = strings[int(text)]
                    except (ValueError, IndexError):
                        raise XlsxError(
                            "no such shared string", _cell(cell_ref, row_number, column), row_number, code="cell"
                        ) from None
                elif cell_type == "b":
                    value = text.strip() in ("1", "true")
                else:  # inlineStr, str (a formula's text), e (an error such as #N/A), d (an ISO date)
                    value = text
                if column == len(cells):
                    cells.append(value)
                elif column > len(cells):
                    cells.extend([None] * (column - len(cells)))
                    cells.append(value)
                elif column >= 0:
                    cells[column] = value
            elif tag == "row":
                done.append((row_number, cells))
            elif tag == "rPh":
                phonetic -= 1

        def text(data):
            nonlocal length
            if collecting:
                length += len(data)
                if length > max_chars:
                    raise _cell_too_long(max_chars, _cell(cell_ref, row_number, column), row_number)
                parts.append(data)

        def first_start(tag, attrs):
            # The root's declarations tell whether this writer prefixes the sheet's element names (`x:row`); only
            # then pay for stripping, and only the prefixes bound to the spreadsheet namespace (an extension's
            # `x14:…` elements keep their names and are ignored).
            prefixes = {key[6:] for key, uri in attrs.items() if key.startswith("xmlns:") and uri in MAIN_NAMESPACES}
            if prefixes:

                def local(tag):
                    prefix, colon, name = tag.partition(":")
                    return name if colon and prefix in prefixes else tag

                parser.StartElementHandler = lambda tag, attrs: start(local(tag), attrs)
                parser.EndElementHandler = lambda tag: end(local(tag))
            else:
                parser.StartElementHandler = start
                parser.EndElementHandler = end
            parser.StartElementHandler(tag, attrs)

        dimension = [0]
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = READ_BYTES
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.StartElementHandler = first_start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        size = self._sheet_size
        estimated = False
        for _ in self._blocks(parser, self._sheet, "the worksheet"):
            if not estimated and done:
                # The sheet's <dimension> if it is believable (beyond the rows already read, or the whole part
                # has been read), else an estimate from the bytes the first rows took.
                estimated, last = True, done[-1][0]
                if dimension[0] > last or (dimension[0] == last and self._sheet.tell() >= size):
                    self.total_rows = dimension[0]
                else:
                    self.total_rows = min(max_rows, max(last, round(last * size / max(parser.CurrentByteIndex, 1))))
            if done:
                yield from done
                done.clear()
