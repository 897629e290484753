"""Workbooks written part by part for tests of what reads .xlsx: the shapes Excel, WPS and other writers produce."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_of(rows_xml: str, root_attrs: str = "") -> str:
    return f'<worksheet xmlns="{MAIN}"{root_attrs}><sheetData>{rows_xml}</sheetData></worksheet>'


def workbook_bytes(
    sheet: str,
    strings: str | None = None,
    *,
    first_sheet: str = "worksheets/data.xml",
    target: str | None = None,
    relationships: bool = True,
) -> bytes:
    """As Excel writes it: shared strings, `r:id` links, its own part names, a second sheet after the first.
    `relationships=False`: a writer that leaves them out (the sheet is then `xl/worksheets/sheet1.xml`)."""
    buffer = io.BytesIO()
    rels = [
        f'<Relationship Id="rId7" Type="{RELS}/worksheet" Target="{target or first_sheet}"/>',
        f'<Relationship Id="rId2" Type="{RELS}/worksheet" Target="worksheets/other.xml"/>',
    ]
    if strings is not None:
        rels.append(f'<Relationship Id="rId3" Type="{RELS}/sharedStrings" Target="strings.xml"/>')
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            '<sheets><sheet name="住房" sheetId="9" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId2"/>'
            "</sheets></workbook>",
        )
        if relationships:
            archive.writestr(
                "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG_RELS}">{"".join(rels)}</Relationships>'
            )
            archive.writestr("xl/worksheets/other.xml", sheet_of(""))
            archive.writestr("xl/" + first_sheet, sheet)
        else:
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings is not None:
            archive.writestr("xl/strings.xml", strings)
    return buffer.getvalue()


# --- hostile workbooks, small on disk -----------------------------------------------------------------------------
# Each part is deflated once per distinct block: a block of repeated text is compressed after a full flush, which
# resets the compressor, so its bytes can simply be repeated. A 300 MB part costs a few hundred KB and no time.

BLOCK = 1 << 20


def _deflated(prefix: bytes, unit: bytes, count: int, suffix: bytes) -> tuple[bytes, int, int]:
    """(deflated bytes, size, crc32) of prefix + unit * count + suffix."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [compressor.compress(prefix), compressor.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(prefix)
    per_block = max(BLOCK // len(unit), 1)
    block = unit * per_block
    packed = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    block_crc_input = block
    whole, rest = divmod(count, per_block)
    for _ in range(whole):
        out.append(packed)
        crc = zlib.crc32(block_crc_input, crc)
    tail = unit * rest + suffix
    out += [compressor.compress(tail), compressor.flush()]
    crc = zlib.crc32(tail, crc)
    return b"".join(out), len(prefix) + len(unit) * count + len(suffix), crc


def raw_zip(parts: dict[str, bytes | tuple[bytes, bytes, int, bytes]], claimed: dict[str, int] | None = None) -> bytes:
    """A zip archive written by hand: a part is its bytes, or (prefix, unit, count, suffix) for a repeated one.
    `claimed` makes a part's header lie about its decompressed size."""
    claimed = claimed or {}
    body, directory = io.BytesIO(), io.BytesIO()
    for name, content in parts.items():
        if isinstance(content, bytes):
            content = (content, b" ", 0, b"")
        data, size, crc = _deflated(*content)
        size = claimed.get(name, size)
        encoded = name.encode()
        offset = body.tell()
        fields = (20, 0, 8, 0, 0, crc, len(data), size, len(encoded))
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + encoded + data)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + encoded)
    count = len(parts)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, directory.tell(), body.tell(), 0)
    return body.getvalue() + directory.getvalue() + end


def hostile_workbook(
    *,
    sheet: bytes | tuple = b"",
    strings: bytes | tuple | None = None,
    workbook: bytes | tuple | None = None,
    claimed: dict[str, int] | None = None,
) -> bytes:
    """A minimal workbook (no relationships: the conventional part names) whose parts may be repeated patterns."""
    head = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    parts = {
        "xl/workbook.xml": workbook
        or f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>".encode(),
        "xl/worksheets/sheet1.xml": sheet if isinstance(sheet, tuple) else head + sheet + tail,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    return raw_zip(parts, claimed)


def long_shared_string(chars: int) -> tuple:
    """A string table whose one string is `chars` characters long (300 MB packs into ~300 KB)."""
    return (f'<sst xmlns="{MAIN}"><si><t>'.encode(), b"a", chars, b"</t></si></sst>")


def bare_rows(count: int) -> tuple:
    return (f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), b"<row/>", count, b"</sheetData></worksheet>")


def repeated_rows(count: int) -> tuple:
    """`count` empty rows all numbered 1 (numbers in range, so only counting them finds the excess)."""
    return (f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), b'<row r="1"/>', count, b"</sheetData></worksheet>")


def many_sheets(count: int) -> tuple:
    return (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'.encode(),
        b'<sheet name="a" sheetId="1" r:id="rId1"/>',
        count,
        b"</sheets></workbook>",
    )
