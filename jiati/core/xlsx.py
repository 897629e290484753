"""A streaming reader for .xlsx worksheets: rows one at a time, in memory that does not grow with the sheet.

Why our own: the maintained readers either hold the whole sheet in memory (calamine: about 1.9 KB a row, 189 MB
for a 100,000-row housing workbook; upstream tafia/calamine#27) or stream it slowly (openpyxl's read-only mode:
17 s for the same file). This one is the standard library's expat parser over the zip member, 3–4 s and 13 MB for
that file, whatever its size (docs/decisions.md).

What a cell gives: text as `str`; numbers as `float`, rounded to the 15 significant digits Excel shows and keeps
(so 80.499999999999986, a formula's artefact, reads as the 80.5 on screen); booleans as `bool`; formula results as
their cached value; error cells as their text ("#N/A"); empty or missing cells as None. Styles are not read, so a
date arrives as its serial number (no column we import is a date). Shared strings are kept in a temporary file
with only their offsets in memory, so a sheet of a million distinct names costs 8 MB of offsets, not the names.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
import zipfile
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.parsers import expat

READ_BYTES = 1 << 16
STRING_CACHE = 4096


class XlsxError(Exception):
    """The file is not a workbook we can read. The message (English, for the log) says why; `cell` ("B7") and
    `row` (7) name the cell when one cell is at fault, for a message the user can act on."""

    def __init__(self, message: str, cell: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.cell, self.row = cell, row


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
        index = column_index(letters)
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


def _number(text: str) -> float:
    # Up to 15 characters cannot carry more than 15 significant digits: no rounding needed (most cells).
    if len(text) <= 15:
        return float(text)
    return float(f"{float(text):.15g}")


class _StringTable:
    """The workbook's shared strings in a temporary file; memory holds one offset per string and a small cache."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), with the reader
        self._offsets = array("q", [0])
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._cache: OrderedDict[int, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def append(self, text: str) -> None:
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


class XlsxReader:
    """The first worksheet of an .xlsx file. Use as a context manager; `rows()` yields (row number, cells from
    column A) for every row the sheet stores, `total_rows` is the sheet's own estimate (0 if it has none)."""

    def __init__(self, source: str | os.PathLike | BinaryIO) -> None:
        self.total_rows = 0
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as exc:
            raise XlsxError(f"not a zip file: {exc}") from exc
        self._strings = _StringTable()
        try:
            sheet_path, strings_path = self._parts()
            if strings_path:
                self._read_strings(strings_path)
            self._sheet = self._zip.open(sheet_path)
            self._sheet_size = self._zip.getinfo(sheet_path).file_size
        except Exception:
            self.close()
            raise

    def __enter__(self) -> XlsxReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._strings.close()
        self._zip.close()

    # the workbook's parts ----------------------------------------------------------------------------------
    def _elements(self, name: str, wanted: str) -> list[dict[str, str]]:
        """The attributes of every `wanted` element of a small part ([] if the part is missing)."""
        found: list[dict[str, str]] = []

        def start(tag, attrs):
            if _local(tag) == wanted:
                found.append(attrs)

        try:
            member = self._zip.open(name)
        except KeyError:
            return found
        with member:
            self._feed(self._parser(start, None, None), member, name)
        return found

    def _parts(self) -> tuple[str, str | None]:
        """The first sheet's part and the shared strings' part, found through the workbook's relationships."""
        names = set(self._zip.namelist())
        if "xl/workbook.xml" not in names:
            raise XlsxError("no xl/workbook.xml: not an Excel workbook")
        targets: dict[str, str] = {}
        strings_path = None
        for rel in self._elements("xl/_rels/workbook.xml.rels", "Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id", "")] = path
            if rel.get("Type", "").endswith("/sharedStrings"):
                strings_path = path
        sheets = self._elements("xl/workbook.xml", "sheet")
        if not sheets:
            raise XlsxError("the workbook has no worksheet")
        # The relationship id is `r:id` (the prefix is the writer's choice; `sheetId` is another attribute).
        relation = next((value for key, value in sheets[0].items() if key.endswith(":id")), "")
        sheet_path = targets.get(relation)
        if sheet_path not in names:
            sheet_path = "xl/worksheets/sheet1.xml"
            if sheet_path not in names:
                raise XlsxError("the first worksheet is missing from the file")
        if strings_path is None:
            strings_path = "xl/sharedStrings.xml"
        return sheet_path, strings_path if strings_path in names else None

    def _read_strings(self, name: str) -> None:
        strings = self._strings
        parts: list[str] = []
        depth = {"rPh": 0, "t": 0}

        def start(tag, _attrs):
            tag = _local(tag)
            if tag == "si":
                parts.clear()
            elif tag in depth:
                depth[tag] += 1

        def end(tag):
            tag = _local(tag)
            if tag == "si":
                strings.append("".join(parts))
            elif tag in depth:
                depth[tag] -= 1

        def text(data):
            # <t> runs of the string, but not its phonetic guide (<rPh>), which Excel does not show in the cell.
            if depth["t"] and not depth["rPh"]:
                parts.append(data)

        parser = self._parser(start, end, text)
        with self._zip.open(name) as member:
            self._feed(parser, member, name)
        strings.finish()

    @staticmethod
    def _parser(start, end, text):
        """An expat parser that refuses any DOCTYPE: a workbook's parts never have one, and refusing it rules out
        entity-expansion attacks (expat resolves no external entity anyway)."""

        def doctype(*_args):
            raise XlsxError("a part of the workbook declares a DOCTYPE, which Excel never writes")

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = READ_BYTES
        parser.StartDoctypeDeclHandler = doctype
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        return parser

    @staticmethod
    def _feed(parser, member, name: str, after=None) -> Iterator[None] | None:
        """Feed a zip member to the parser; with `after`, yield after each block so the caller can hand rows on."""

        def blocks():
            try:
                while True:
                    data = member.read(READ_BYTES)
                    parser.Parse(data, not data)
                    if after is not None:
                        yield
                    if not data:
                        return
            except expat.ExpatError as exc:
                raise XlsxError(f"{name} is damaged at line {exc.lineno}: {expat.errors.messages[exc.code]}") from exc
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise XlsxError(f"{name} cannot be read: {exc}") from exc

        if after is None:
            for _ in blocks():
                pass
            return None
        return blocks()

    # the sheet -----------------------------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells from column A) for each row the sheet stores, in order. After the first block
        `total_rows` holds the sheet's own row count, or an estimate from the part's size if it gives none."""
        strings = self._strings
        columns = _Columns()
        done: list[tuple[int, list[Any]]] = []
        cells: list[Any] = []
        parts: list[str] = []
        row_number = 0
        cell_type = "n"
        cell_ref = ""
        column = 0
        collecting = False
        phonetic = 0

        def start(tag, attrs):
            nonlocal cells, row_number, cell_type, cell_ref, column, collecting, phonetic
            if tag == "c":
                cell_type = attrs.get("t", "n")
                cell_ref = attrs.get("r", "")
                column = columns[cell_ref.rstrip("0123456789$")] if cell_ref else len(cells)
                parts.clear()
            elif tag == "v":
                collecting = True
            elif tag == "t":
                collecting = not phonetic
            elif tag == "row":
                cells = []
                number = attrs.get("r")
                row_number = int(number) if number else row_number + 1
            elif tag == "rPh":
                phonetic += 1
            elif tag == "dimension":
                last = attrs.get("ref", "").rpartition(":")[2].replace("$", "")
                digits = last[len(last.rstrip("0123456789")) :]
                self.total_rows = int(digits) if digits else 0

        def end(tag):
            nonlocal collecting, phonetic
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
                            f"“{text[:40]}” is not a number", _cell(cell_ref, row_number, column), row_number
                        ) from None
                elif cell_type == "s":
                    try:
                        value = strings[int(text)]
                    except (ValueError, IndexError):
                        raise XlsxError(
                            "no such shared string", _cell(cell_ref, row_number, column), row_number
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
            if collecting:
                parts.append(data)

        def first_start(tag, attrs):
            # The root tells whether this writer prefixes its element names (`x:row`); only then pay for stripping.
            if ":" in tag:
                parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
                parser.EndElementHandler = lambda tag: end(_local(tag))
            else:
                parser.StartElementHandler = start
            parser.StartElementHandler(tag, attrs)

        parser = self._parser(first_start, end, text)
        size = self._sheet_size
        for _ in self._feed(parser, self._sheet, "the worksheet", after=True):
            if not self.total_rows and done:
                # No <dimension>: estimate from the bytes the first rows took.
                self.total_rows = max(done[-1][0], round(done[-1][0] * size / max(parser.CurrentByteIndex, 1)))
            if done:
                yield from done
                done.clear()
