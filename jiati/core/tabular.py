"""One reader for every spreadsheet a user uploads (.csv or .xlsx): the housing import and the vote tally.

`open_table(source, name=..., max_bytes=...)` checks the file's size, picks the format by the name's extension,
detects a CSV file's encoding (one rule for every caller) and yields a `Table` whose `rows()` streams
(row number, cells) in memory that does not grow with the file. Whatever the file does wrong raises one
`TabularError` whose `message` (translated) names the cause and, where one row or cell is at fault, where:
a file past the configured size, a cell longer than Excel's 32,767 characters, a row past 1,048,576, a row past
16,384 columns, an archive part that unpacks past a size or ratio, more sheets, links or texts than a workbook has
(`jiati.core.xlsx.Limits`), text in no known encoding. The callers (a service, a command, an API view) turn it
into their own error, so a page, the API and a command all refuse alike.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.core.xlsx import LIMITS, MAX_COLUMNS, Limits, XlsxError, XlsxReader, column_letters

EXTENSIONS = (".csv", ".xlsx")
SNIFF_BYTES = 64 * 1024
READ_BYTES = 1 << 16
# A CSV record (one row, across its quoted line breaks): room for every column Excel allows at a generous width.
MAX_RECORD_CHARS = 4 * 1024 * 1024

TOO_MANY = {
    "sheets": gettext_lazy("The workbook has more than %(limit)s sheets; it is damaged or not a spreadsheet."),
    "relationships": gettext_lazy(
        "The workbook has more than %(limit)s links between its parts; it is damaged or not a spreadsheet."
    ),
    "shared strings": gettext_lazy(
        "The workbook has more than %(limit)s distinct texts; it is damaged or not a spreadsheet."
    ),
    "bytes of archive directory": gettext_lazy(
        "The workbook's table of contents is larger than %(limit)s bytes; it is damaged or not a spreadsheet."
    ),
}


class TabularError(Exception):
    """The file cannot be read as a table. `message` is for the user (translated, naming the cause); `code` is
    stable ("file_type", "file_size", "encoding", "cell_too_long", "too_many_rows", "too_many_columns",
    "too_many", "part_too_large", "compression_ratio", "cell", "damaged"); `row` and `cell` say where, if known."""

    def __init__(self, message: str, *, code: str, row: int | None = None, cell: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.row, self.cell = str(message), code, row, cell


@dataclass
class Table:
    """An open file: `rows()` yields (row number as the user sees it, cells from column A); `total_rows` is the
    count of rows (CSV: lines; .xlsx: the sheet's own count or an estimate, known after the first row)."""

    kind: str
    rows: Any
    reader: XlsxReader | None = None
    _total: int = 0

    @property
    def total_rows(self) -> int:
        return self.reader.total_rows if self.reader is not None else self._total


def file_size(source: str | os.PathLike | BinaryIO) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.stat(source).st_size
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file past the configured size, before a byte of it is read."""
    if size > max_bytes:
        raise TabularError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="file_size",
        )


def table_kind(name: str) -> str:
    extension = os.path.splitext(name.lower())[1]
    if extension not in EXTENSIONS:
        raise TabularError(_("Upload an .xlsx workbook or a .csv file."), code="file_type")
    return extension[1:]


@contextmanager
def open_table(
    source: str | os.PathLike | BinaryIO | bytes, *, name: str, max_bytes: int, limits: Limits = LIMITS
) -> Iterator[Table]:
    """The file as a `Table`, closed on leaving. `source` is a path, a seekable binary file or bytes."""
    kind = table_kind(name)
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    check_size(file_size(source), max_bytes)
    if hasattr(source, "temporary_file_path"):  # a large upload Django has written to disk
        source = source.temporary_file_path()
    elif hasattr(source, "file"):  # a small upload in memory: its BytesIO
        source = source.file
    if kind == "xlsx":
        try:
            with XlsxReader(source, limits=limits) as reader:
                yield Table(kind="xlsx", rows=_xlsx_rows(reader), reader=reader)
        except XlsxError as exc:
            raise _xlsx_error(exc) from exc
        return
    handle = open(source, "rb") if isinstance(source, (str, os.PathLike)) else source  # noqa: SIM115
    try:
        handle.seek(0)
        encoding, lines = detect_encoding(handle)
        yield Table(kind="csv", rows=_csv_rows(handle, encoding, limits), _total=lines)
    finally:
        if handle is not source:
            handle.close()


def _xlsx_rows(reader: XlsxReader) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from reader.rows()
    except XlsxError as exc:
        raise _xlsx_error(exc) from exc


def _xlsx_error(exc: XlsxError) -> TabularError:
    params = {key: (f"{value:,}" if isinstance(value, int) else value) for key, value in exc.params.items()}
    if exc.code == "cell_too_long":
        if exc.cell:
            message = _("Cell %(cell)s holds more than %(limit)s characters, more than Excel allows in a cell.") % {
                "cell": exc.cell,
                **params,
            }
        else:
            message = (
                _("A text in the workbook is longer than %(limit)s characters, more than Excel allows in a cell.")
                % params
            )
    elif exc.code == "too_many_rows":
        message = _("The sheet has more than %(limit)s rows, more than Excel allows.") % {
            "limit": f"{LIMITS.max_rows:,}",
            **params,
        }
    elif exc.code == "too_many":
        message = TOO_MANY[exc.params["what"]] % params
    elif exc.code == "part_too_large":
        message = (
            _(
                "A part of the workbook (%(part)s) unpacks to more than %(limit)s bytes; it is damaged or built to "
                "exhaust the server."
            )
            % params
        )
    elif exc.code == "compression_ratio":
        message = (
            _(
                "A part of the workbook (%(part)s) unpacks to more than %(ratio)s times its packed size; it is damaged "
                "or built to exhaust the server."
            )
            % params
        )
    elif exc.cell:
        message = _(
            "Cell %(cell)s of the workbook cannot be read. Check it in Excel, save the file and upload it again."
        ) % {"cell": exc.cell}
    else:
        message = _("The file is not a readable .xlsx workbook.")
    code = exc.code if exc.code != "cell" or exc.cell else "damaged"
    return TabularError(message, code=code, row=exc.row, cell=exc.cell)


# --- CSV ---------------------------------------------------------------------------------------------------------


def detect_encoding(handle: BinaryIO) -> tuple[str, int]:
    """The text encoding of a CSV file and its number of lines, or TabularError naming the first line that cannot
    be read. Leaves the handle at its start.

    A UTF-8 byte-order mark settles it. Otherwise the first 64 KiB are tried as UTF-8 with an incremental decoder,
    which accepts a character cut off at the end of the sample: Chinese text that decodes is UTF-8. If it does not,
    GB18030 (what Excel on Chinese Windows saves) is tried first, then UTF-8; a sample of plain ASCII proves nothing,
    so both are tried. The whole file is decoded here, a block at a time, so reading the rows later cannot fail
    half-way.
    """
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            candidates = ["gb18030", "utf-8-sig"]
        else:
            candidates = ["utf-8-sig"] if not head.isascii() else ["utf-8-sig", "gb18030"]
    failures = []
    for encoding in candidates:
        outcome = _undecodable_line(handle, encoding)
        if isinstance(outcome, int):
            return encoding, outcome
        failures.append(outcome)
    # Neither reads the whole file: the one that read further is what the file was meant to be.
    line, encoding = max(failures)
    label = "UTF-8" if encoding.startswith("utf-8") else "GB18030"
    raise TabularError(
        _(
            "Row %(row)s of the file is not valid %(encoding)s text, so the file cannot be read. Save it again as "
            "“CSV UTF-8” (or as an .xlsx workbook) and upload it again."
        )
        % {"row": line, "encoding": label},
        code="encoding",
        row=line,
    )


def _undecodable_line(handle: BinaryIO, encoding: str) -> int | tuple[int, str]:
    """The number of lines if the whole file decodes, else (the first line that does not, encoding). Lines are
    counted on the newline byte, which never occurs inside a UTF-8 or GB18030 character."""
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    last = b""
    handle.seek(0)
    try:
        while block := handle.read(READ_BYTES):
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError as exc:
                return newlines + block[: max(exc.start, 0)].count(b"\n") + 1, encoding
            newlines += block.count(b"\n")
            last = block
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return newlines + 1, encoding
    finally:
        handle.seek(0)
    return newlines + (1 if last and not last.endswith(b"\n") else 0)


def _csv_rows(handle: BinaryIO, encoding: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) for every record, blank ones included (as []). A record past MAX_RECORD_CHARS, past
    Excel's columns, or a cell past its characters is refused as it is met; so is a record past the row limit."""
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    pending = 0  # characters fed to the CSV parser since its last record

    def lines() -> Iterator[str]:
        nonlocal pending
        while line := text.readline(MAX_RECORD_CHARS + 1):
            pending += len(line)
            if pending > MAX_RECORD_CHARS:
                raise TabularError(
                    _("Row %(row)s is longer than %(limit)s characters.")
                    % {"row": number + 1, "limit": f"{MAX_RECORD_CHARS:,}"},
                    code="cell_too_long",
                    row=number + 1,
                )
            yield line

    try:
        sample = text.read(4096)
        text.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    number = 0
    reader = csv.reader(lines(), dialect)
    try:
        for number, row in enumerate(reader, start=1):
            pending = 0
            if number > limits.max_rows:
                raise TabularError(
                    _("The file has more than %(limit)s rows, more than Excel allows.")
                    % {"limit": f"{limits.max_rows:,}"},
                    code="too_many_rows",
                    row=number,
                )
            if len(row) > MAX_COLUMNS:
                raise TabularError(
                    _("Row %(row)s has more than %(limit)s columns, more than Excel allows.")
                    % {"row": number, "limit": f"{MAX_COLUMNS:,}"},
                    code="too_many_columns",
                    row=number,
                )
            for index, cell in enumerate(row):
                if len(cell) > limits.max_cell_chars:
                    reference = f"{column_letters(index)}{number}"
                    raise TabularError(
                        _("Cell %(cell)s holds more than %(limit)s characters, more than Excel allows in a cell.")
                        % {"cell": reference, "limit": f"{limits.max_cell_chars:,}"},
                        code="cell_too_long",
                        row=number,
                        cell=reference,
                    )
            yield number, row
    except csv.Error as exc:
        if "field limit" in str(exc):  # the csv module's own bound (128 KiB) met before ours
            raise TabularError(
                _("Row %(row)s holds a cell of more than %(limit)s characters, more than Excel allows in a cell.")
                % {"row": number + 1, "limit": f"{limits.max_cell_chars:,}"},
                code="cell_too_long",
                row=number + 1,
            ) from exc
        raise TabularError(
            _("The file is not a readable CSV file after row %(row)s: %(error)s") % {"row": number, "error": exc},
            code="damaged",
            row=number + 1,
        ) from exc
    finally:
        text.detach()
