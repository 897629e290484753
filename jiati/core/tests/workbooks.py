"""Workbooks written part by part for tests of what reads .xlsx: the shapes Excel, WPS and other writers produce."""

from __future__ import annotations

import io
import zipfile

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
