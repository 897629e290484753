"""The streaming .xlsx reader: what Excel, WPS and openpyxl write, read back cell for cell."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from jiati.core import xlsx
from jiati.core.tests.workbooks import MAIN, PKG_RELS, RELS, sheet_of, workbook_bytes
from jiati.core.xlsx import XlsxError, XlsxReader, column_index, column_letters


def read(path) -> list[tuple[int, list]]:
    with XlsxReader(str(path)) as reader:
        return list(reader.rows())


def package(tmp_path, sheet: str, strings: str | None = None, **options):
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(sheet, strings, **options))
    return path


def test_reads_what_openpyxl_writes_from_column_a_with_gaps(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["C3"] = "社区代码"
    sheet["E3"] = 1995
    sheet["C4"] = "长江花园"
    sheet["D4"] = 78.5
    sheet["E4"] = True
    sheet["F4"] = "  spaced  "
    sheet["D6"] = 0.1
    path = tmp_path / "book.xlsx"
    book.save(path)

    with XlsxReader(str(path)) as reader:
        rows = list(reader.rows())
        assert reader.total_rows == 6  # from the sheet's <dimension>
    assert rows == [
        (3, [None, None, "社区代码", None, 1995.0]),
        (4, [None, None, "长江花园", 78.5, True, "  spaced  "]),
        (6, [None, None, None, 0.1]),
    ]


def test_shared_strings_rich_text_phonetics_and_cell_types(tmp_path):
    strings = (
        f'<sst xmlns="{MAIN}" count="4" uniqueCount="4">'
        "<si><t>房号</t></si>"
        '<si><r><rPr><b/></rPr><t xml:space="preserve">张 </t></r><r><t>三</t></r></si>'
        '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>'
        "<si><t/></si>"
        "</sst>"
    )
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:F9"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c></row>'
        '<row r="2"><c r="A2"><v>80.499999999999986</v></c><c r="B2" t="b"><v>0</v></c><c r="C2" t="e"><v>#N/A</v></c>'
        '<c r="D2" t="str"><f>A1&amp;"x"</f><v>房号x</v></c><c r="E2" s="3"><v>13800138000</v></c>'
        '<c r="F2"><f>SUM(A2)</f></c></row>'
        '<row r="9"><c r="B9" t="inlineStr"><is><t>内联</t></is></c><c r="A9"><v>1E3</v></c></row>'
        "</sheetData></worksheet>"
    )
    with XlsxReader(str(package(tmp_path, sheet, strings))) as reader:
        rows = list(reader.rows())
        assert reader.total_rows == 9
    assert rows == [
        (1, ["房号", "张 三", "東京", ""]),
        # 15 significant digits, as Excel shows and keeps; a formula without a cached value is empty.
        (2, [80.5, False, "#N/A", "房号x", 13800138000.0, None]),
        # Cells out of order land in their own column.
        (9, [1000.0, "内联"]),
    ]


def test_prefixed_names_and_missing_references(tmp_path):
    """Some writers prefix every element (`x:row`) and leave out row and cell references."""
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="C4"><x:v>3</x:v></x:c></x:row>'
        "<x:row><x:c><x:v>5</x:v></x:c></x:row>"
        "</x:sheetData></x:worksheet>"
    )
    with XlsxReader(str(package(tmp_path, sheet))) as reader:
        assert list(reader.rows()) == [(1, ["a", 2.0]), (4, [None, None, 3.0]), (5, [5.0])]
        # No <dimension>: the count is estimated from the part's size (here exact, the part being one block).
        assert reader.total_rows == 5


def test_the_first_sheet_is_found_through_the_relationships(tmp_path):
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    # Absolute and relative targets; the sheet is not "sheet1.xml" and is listed after another part.
    for target in ("/xl/sheets/elsewhere.xml", "sheets/../sheets/elsewhere.xml"):
        path = package(tmp_path, sheet, first_sheet="sheets/elsewhere.xml", target=target)
        assert read(path) == [(1, [1.0])]


def test_shared_strings_stay_on_disk_and_come_back_past_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "STRING_CACHE", 3)
    monkeypatch.setattr(xlsx, "READ_BYTES", 64)  # many small blocks: rows are handed on between them
    names = [f"业主{i}" for i in range(200)]
    strings = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{n}</t></si>" for n in names) + "</sst>"
    order = [i * 37 % 200 for i in range(200)] + [5, 5, 199, 0]
    body = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{i}</v></c></row>' for r, i in enumerate(order, start=1))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'
    with XlsxReader(str(package(tmp_path, sheet, strings))) as reader:
        assert len(reader._strings) == 200
        assert len(reader._strings._cache) == 0  # nothing held in memory but the offsets
        rows = list(reader.rows())
        assert len(reader._strings._cache) <= 3
    assert [cells[0] for _n, cells in rows] == [names[i] for i in order]


@pytest.mark.parametrize(
    ("content", "cell"),
    [
        (b"this is not a zip file", None),
        ("zip without a workbook", None),
        ('<row r="3"><c r="B3"><v>12a</v></c></row>', "B3"),
        ('<row r="2"><c r="A2" t="s"><v>7</v></c></row>', "A2"),
        ('<row r="2"><c t="s"><v>0</v></c><c t="s"><v>7</v></c></row>', "B2"),
        ("<row><c><v>1</v></c>", None),  # cut off: not well-formed
    ],
)
def test_damaged_files_raise_one_error_naming_the_cell_where_there_is_one(tmp_path, content, cell):
    if isinstance(content, bytes):
        path = tmp_path / "book.xlsx"
        path.write_bytes(content)
    elif content == "zip without a workbook":
        path = tmp_path / "book.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<document/>")
    else:
        sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{content}</sheetData></worksheet>'
        path = package(tmp_path, sheet, f'<sst xmlns="{MAIN}"><si><t>a</t></si></sst>')
    with pytest.raises(XlsxError) as caught:
        read(path)
    assert caught.value.cell == cell


def test_a_doctype_is_refused_before_any_entity_is_expanded(tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    with pytest.raises(XlsxError, match="DOCTYPE"):
        read(package(tmp_path, bomb))


def test_the_temporary_string_file_is_closed_with_the_reader(tmp_path):
    strings = f'<sst xmlns="{MAIN}"><si><t>a</t></si></sst>'
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    reader = XlsxReader(str(package(tmp_path, sheet, strings)))
    with reader:
        assert list(reader.rows()) == [(1, ["a"])]
    assert reader._strings._file.closed


def test_column_letters_round_trip():
    for index in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383):
        assert column_index(column_letters(index) + "12") == index
    assert column_letters(0) == "A" and column_letters(27) == "AB" and column_index("xfd1") == 16383


def test_a_large_generated_sheet_matches_openpyxl_cell_for_cell(tmp_path):
    """A cross-check against openpyxl's own reader on mixed values, many blocks long."""
    from openpyxl import load_workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for n in range(3000):
        sheet.append([f"楼{n}", n, n / 7, None if n % 5 else "", n % 3 == 0, f"{n:018d}", -n * 1.5])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "big.xlsx"
    path.write_bytes(buffer.getvalue())

    expected = []
    for number, values in enumerate(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True), 1):
        cells = [float(f"{v:.15g}") if isinstance(v, int | float) and not isinstance(v, bool) else v for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        expected.append((number, cells))
    # openpyxl reads an empty text cell as None, we as "": both are empty to every caller.
    got = [
        (n, [None if c == "" else c for c in cells[: len(e)]])
        for (n, cells), (_m, e) in zip(read(path), expected, strict=True)
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("rows_xml", "cell", "row"),
    [
        ('<row r="1"><c r="ZZZZZZZ1"><v>1</v></c></row>', "ZZZZZZZ1", 1),  # eight billion cells if believed
        ('<row r="2"><c r="XFE2"><v>1</v></c></row>', "XFE2", 2),
        ('<row r="2000000000"><c><v>1</v></c></row>', None, 1),
        ('<row r="abc"><c><v>1</v></c></row>', None, 1),
        ('<row r="3"><c r="A3"><v>nan</v></c></row>', "A3", 3),
        ('<row r="3"><c r="A3"><v>1_000</v></c></row>', "A3", 3),
    ],
)
def test_cells_and_rows_beyond_excels_limits_are_refused_not_allocated(tmp_path, rows_xml, cell, row):
    with pytest.raises(XlsxError) as caught:
        read(package(tmp_path, sheet_of(rows_xml)))
    assert (caught.value.cell, caught.value.row) == (cell, row)


def test_any_failure_of_a_damaged_archive_is_an_xlsx_error(tmp_path):
    """zlib, a bad encoding declaration: every way a file breaks reads as one error the caller can show."""
    body = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>第{n}行</t></is></c></row>' for n in range(1, 3000))
    deflated = tmp_path / "deflated.xlsx"
    with (
        zipfile.ZipFile(package(tmp_path, sheet_of(body))) as source,
        zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
    raw = bytearray(deflated.read_bytes())
    with zipfile.ZipFile(deflated) as archive:
        info = archive.getinfo("xl/worksheets/data.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 200, start + 400):  # scramble the compressed sheet's middle
        raw[offset] ^= 0x5A
    deflated.write_bytes(bytes(raw))
    with pytest.raises(XlsxError):
        read(deflated)

    with pytest.raises(XlsxError):
        read(package(tmp_path, '<?xml version="1.0" encoding="bogus-8"?>' + sheet_of("")))


def test_a_bare_dimension_is_not_believed(tmp_path, monkeypatch):
    """Some writers put <dimension ref="A1"/> whatever the size: the row count is then estimated from the bytes."""
    monkeypatch.setattr(xlsx, "READ_BYTES", 1024)
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 2001))
    for ref, expected in (("A1", None), ("A1:A2000", 2000)):
        sheet = f'<worksheet xmlns="{MAIN}"><dimension ref="{ref}"/><sheetData>{body}</sheetData></worksheet>'
        with XlsxReader(str(package(tmp_path, sheet))) as reader:
            rows = reader.rows()
            next(rows)
            if expected:
                assert reader.total_rows == expected
            else:
                assert 1800 <= reader.total_rows <= 2200
            assert len(list(rows)) == 1999


def test_absolute_references_and_prefixes_declared_on_the_root_only(tmp_path):
    sheet = (
        f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}" xmlns:x14="http://schemas.microsoft.com/office/x14">'
        '<sheetData><x:row r="1"><x:c r="$B$1"><x:v>2</x:v></x:c></x:row>'
        '<row r="2"><c r="C2"><v>3</v></c><x14:c r="A2"><x14:v>9</x14:v></x14:c></row></sheetData></worksheet>'
    )
    # The x14 element is an extension's, not a cell: it is ignored.
    assert read(package(tmp_path, sheet)) == [(1, [None, 2.0]), (2, [None, None, 3.0])]


def test_the_workbook_is_found_through_the_package_relationships(tmp_path):
    path = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
            'Target="/book/wb.xml"/></Relationships>',
        )
        archive.writestr(
            "book/wb.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="s" sheetId="1" r:id="a"/></sheets>'
            "</workbook>",
        )
        archive.writestr(
            "book/_rels/wb.xml.rels",
            f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="a" Type="{RELS}/worksheet" Target="s/one.xml"/>'
            f'<Relationship Id="b" Type="{RELS}/sharedStrings" Target="/book/../book/strings.xml"/></Relationships>',
        )
        archive.writestr("book/s/one.xml", sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))
        archive.writestr("book/strings.xml", f'<sst xmlns="{MAIN}"><si><t>搬走了</t></si></sst>')
    assert read(path) == [(1, ["搬走了"])]


def test_a_relationship_to_a_missing_sheet_is_an_error_not_another_sheet(tmp_path):
    path = package(tmp_path, sheet_of('<row r="1"><c r="A1"><v>1</v></c></row>'), target="worksheets/gone.xml")
    with pytest.raises(XlsxError, match="missing"):
        read(path)


def test_every_file_handle_is_closed_with_the_reader(tmp_path):
    strings = f'<sst xmlns="{MAIN}"><si><t>a</t></si></sst>'
    reader = XlsxReader(str(package(tmp_path, sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings)))
    with reader:
        next(reader.rows())
    assert reader._sheet.closed
    assert reader._zip.fp is None
    assert reader._handle.closed
    assert reader._strings._file.closed


def test_a_workbook_without_relationships_reads_its_conventional_sheet(tmp_path):
    path = package(tmp_path, sheet_of('<row r="1"><c r="A1"><v>7</v></c></row>'), relationships=False)
    assert read(path) == [(1, [7.0])]
