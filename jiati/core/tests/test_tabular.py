"""The one reader of uploaded spreadsheets refuses hostile files at once, naming the cause.

The crafted files are those of the security sweep (issue 11): a 300 MB shared string packed into 300 KB,
2,097,152 bare <row/> elements, 10 M <sheet> elements, 20 M empty rows, an oversized CSV. Each is built here,
small on disk. Their peak memory and time are measured by benchmarks/bench_reader.py, not here.
"""

from __future__ import annotations

import io

import pytest

from jiati.core.tabular import TabularError, detect_encoding, open_table
from jiati.core.tests.workbooks import (
    MAIN,
    bare_rows,
    hostile_workbook,
    long_shared_string,
    many_sheets,
    repeated_rows,
    sheet_of,
    workbook_bytes,
)
from jiati.core.xlsx import Limits

MB = 1024 * 1024
NO_RATIO = Limits(max_ratio=10**9)  # to show the bound behind the ratio check holds on its own
SHARED_CELL = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


def refusal(source, name="book.xlsx", *, max_bytes=100 * MB, limits=None) -> TabularError:
    options = {"limits": limits} if limits else {}
    with pytest.raises(TabularError) as caught, open_table(source, name=name, max_bytes=max_bytes, **options) as table:
        for _row in table.rows:
            pass
    return caught.value


def read(source, name="book.xlsx", **options) -> list:
    with open_table(source, name=name, max_bytes=100 * MB, **options) as table:
        return list(table.rows)


# --- the shared string of 300 MB ---------------------------------------------------------------------------------


def test_a_300_mb_shared_string_packed_small_is_refused_by_its_ratio():
    data = hostile_workbook(sheet=SHARED_CELL, strings=long_shared_string(300 * MB))
    assert len(data) < 400_000
    error = refusal(data)
    assert error.code == "compression_ratio"
    assert "xl/sharedStrings.xml" in error.message and "100" in error.message


def test_a_header_that_lies_about_the_size_does_not_let_the_part_through():
    data = hostile_workbook(
        sheet=SHARED_CELL, strings=long_shared_string(300 * MB), claimed={"xl/sharedStrings.xml": 1000}
    )
    assert refusal(data).code == "damaged"


def test_a_shared_string_past_32767_characters_is_refused_while_it_streams():
    error = refusal(hostile_workbook(sheet=SHARED_CELL, strings=long_shared_string(300 * MB)), limits=NO_RATIO)
    assert error.code == "cell_too_long" and "32,767" in error.message
    # Exactly at the limit is a cell Excel can hold.
    assert read(hostile_workbook(sheet=SHARED_CELL, strings=long_shared_string(32_767))) == [(1, ["a" * 32_767])]
    assert refusal(hostile_workbook(sheet=SHARED_CELL, strings=long_shared_string(32_768))).code == "cell_too_long"


def test_a_cell_past_32767_characters_is_refused_naming_the_cell():
    cell = '<row r="3"><c r="B3" t="inlineStr"><is><t>' + "字" * 32_768 + "</t></is></c></row>"
    error = refusal(workbook_bytes(sheet_of(cell)))
    assert (error.code, error.cell, error.row) == ("cell_too_long", "B3", 3)
    assert "B3" in error.message


# --- rows -----------------------------------------------------------------------------------------------------


def test_2097152_bare_rows_are_refused():
    data = hostile_workbook(sheet=bare_rows(2_097_152))
    assert len(data) < 100_000
    assert refusal(data).code == "compression_ratio"
    # Without the ratio check, counting rows that carry no number stops it at the last row allowed (Excel's
    # 1,048,576 in production, where it takes about a second: benchmarks/bench_reader.py).
    error = refusal(data, limits=Limits(max_ratio=10**9, max_rows=1000))
    assert error.code == "too_many_rows" and "1,000" in error.message


def test_20_million_empty_rows_are_refused():
    data = hostile_workbook(sheet=repeated_rows(20_000_000))
    assert len(data) < 500_000
    assert refusal(data).code == "compression_ratio"
    assert refusal(data, limits=Limits(max_ratio=10**9, max_rows=1000)).code == "too_many_rows"


def test_a_row_numbered_past_excels_last_is_refused():
    error = refusal(workbook_bytes(sheet_of('<row r="1048577"><c r="A1048577"><v>1</v></c></row>')))
    assert error.code == "too_many_rows"


def test_rows_up_to_the_limit_are_read():
    limits = Limits(max_rows=3)
    assert [n for n, _ in read(workbook_bytes(sheet_of("<row/>" * 3)), limits=limits)] == [1, 2, 3]
    assert refusal(workbook_bytes(sheet_of("<row/>" * 4)), limits=limits).code == "too_many_rows"


# --- the workbook's lists and parts ------------------------------------------------------------------------------


def test_10_million_sheets_are_refused():
    data = hostile_workbook(sheet=SHARED_CELL, workbook=many_sheets(10_000_000))
    assert len(data) < 1_300_000
    assert refusal(data).code == "part_too_large"  # the header's claim is already past the bound
    error = refusal(data, limits=Limits(max_ratio=10**9, max_small_part_bytes=10**10))
    assert error.code == "too_many" and "1,000 sheets" in error.message


def test_relationships_past_the_bound_are_refused():
    rels = "".join(f'<Relationship Id="r{i}" Type="x" Target="y"/>' for i in range(11))
    data = hostile_workbook(sheet=SHARED_CELL)
    buffer = io.BytesIO(data)
    import zipfile

    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("_rels/.rels", f"<Relationships>{rels}</Relationships>")
    error = refusal(buffer.getvalue(), limits=Limits(max_relationships=10))
    assert error.code == "too_many" and "links" in error.message


def test_a_central_directory_past_the_bound_is_refused_before_zipfile_reads_it():
    error = refusal(workbook_bytes(sheet_of(SHARED_CELL.decode())), limits=Limits(max_directory_bytes=100))
    assert error.code == "too_many"


def test_a_run_without_markup_is_refused_before_expat_buffers_it():
    data = hostile_workbook(
        sheet=(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1" x="'.encode(), b"a", 5 * MB, b'"/>')
    )
    error = refusal(data, limits=NO_RATIO)
    assert error.code == "part_too_large"


def test_elements_nested_past_the_bound_are_refused():
    assert refusal(workbook_bytes(sheet_of("<x>" * 100 + "</x>" * 100))).code == "damaged"


# --- CSV ----------------------------------------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "vote.csv"
    with open(path, "wb") as handle:
        handle.truncate(60 * MB)  # sparse: 60 MB long, nothing on disk
    error = refusal(path, "vote.csv", max_bytes=20 * MB)
    assert error.code == "file_size" and "60.0" in error.message and "20.0" in error.message
    assert refusal(path, "vote.xlsx", max_bytes=20 * MB).code == "file_size"


def test_a_csv_cell_past_32767_characters_is_refused_naming_the_cell():
    error = refusal(b"a,b\n1," + b"x" * 32_768 + b"\n", "t.csv")
    assert (error.code, error.cell, error.row) == ("cell_too_long", "B2", 2)
    error = refusal(b"a,b\n1," + b"x" * 200_000 + b"\n", "t.csv")  # past the csv module's own bound
    assert error.code == "cell_too_long" and error.row == 2


def test_a_csv_line_without_end_is_refused_at_its_bound():
    assert refusal(b"a,b\n" + b"x," * 3 * MB, "t.csv").code == "cell_too_long"


def test_csv_rows_past_the_limit_are_refused():
    assert refusal(b"a\n1\n2\n3\n", "t.csv", limits=Limits(max_rows=3)).code == "too_many_rows"


def test_one_encoding_detection_for_every_caller():
    text = "房号,业主\n101,张三\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        assert read(text.encode(encoding), "t.csv") == [(1, ["房号", "业主"]), (2, ["101", "张三"])]
    assert detect_encoding(io.BytesIO(text.encode("gb18030"))) == ("gb18030", 2)
    error = refusal("房号\n".encode() + b"\xff\xfe\xfa\n", "t.csv")
    assert error.code == "encoding" and error.row == 2


def test_other_types_are_refused_by_name():
    assert refusal(b"%PDF", "t.pdf").code == "file_type"
