"""The hardened spreadsheet reader on hostile files: time to refusal and peak memory, beside an honest baseline.

    .venv/bin/python benchmarks/bench_reader.py

Target (issue 11, item 7): each crafted file of the security sweep is refused with a message naming its cause,
in under a few seconds and under 100 MB of peak memory (the whole process: Python, Django and the reader). Each
file is built small on disk (jiati/core/tests/workbooks.py) and read in its own child process by
`jiati.core.tabular.open_table`, the reader the housing import and the vote tally share. The baseline rows are a
process that only starts Django, and an honest 20,000-row workbook read to the end. No database is needed.
Times are wall clock and CPU: on a shared machine the CPU time is the figure to compare.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _common import PYTHON, ROOT, run

MB = 1024 * 1024

ONE_FILE = r"""
import os, sys, time, resource
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiati.settings")
os.environ.setdefault("SECRET_KEY", "bench-reader-" + "x" * 50)
import django; django.setup()
from jiati.core.tabular import TabularError, open_table
from jiati.core.xlsx import Limits
path, name = {path!r}, {name!r}
limits = Limits(**{limits!r})
start, cpu = time.perf_counter(), time.process_time()
outcome = "no file"
if path:
    try:
        with open_table(path, name=name, max_bytes=20 * 1024 * 1024, limits=limits) as table:
            rows = sum(1 for _ in table.rows)
        outcome = "read %d rows" % rows
    except TabularError as exc:
        outcome = "refused (%s): %s" % (exc.code, exc.message[:90])
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print("RESULT", "%.2f/%.2f" % (seconds, cpu), outcome)
print("PEAK_RSS_KB=%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def build(folder: Path) -> list[tuple[str, str, str, dict]]:
    sys.path.insert(0, str(ROOT))
    from jiati.core.tests.workbooks import (
        bare_rows,
        hostile_workbook,
        long_shared_string,
        many_sheets,
        repeated_rows,
        sheet_of,
        workbook_bytes,
    )

    shared = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    honest = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>长江花园{n}</t></is></c><c r="B{n}"><v>{n}.5</v></c>'
        f'<c r="C{n}" t="inlineStr"><is><t>1101051949123{n:05d}</t></is></c></row>'
        for n in range(1, 20_001)
    )
    no_ratio = {"max_ratio": 10**9}
    files = [
        ("start-up only (baseline)", None, b"", {}),
        ("honest workbook, 20,000 rows (baseline)", "honest.xlsx", workbook_bytes(sheet_of(honest)), {}),
        (
            "one 300 MB shared string",
            "string.xlsx",
            hostile_workbook(sheet=shared, strings=long_shared_string(300 * MB)),
            {},
        ),
        (
            "  the same, ratio check off",
            "string.xlsx",
            hostile_workbook(sheet=shared, strings=long_shared_string(300 * MB)),
            no_ratio,
        ),
        ("2,097,152 bare <row/>", "rows.xlsx", hostile_workbook(sheet=bare_rows(2_097_152)), {}),
        ("  the same, ratio check off", "rows.xlsx", hostile_workbook(sheet=bare_rows(2_097_152)), no_ratio),
        ("10 M <sheet> elements", "sheets.xlsx", hostile_workbook(sheet=shared, workbook=many_sheets(10_000_000)), {}),
        (
            "  the same, ratio and part size off",
            "sheets.xlsx",
            hostile_workbook(sheet=shared, workbook=many_sheets(10_000_000)),
            {"max_ratio": 10**9, "max_small_part_bytes": 10**10},
        ),
        ("20 M empty rows", "empty.xlsx", hostile_workbook(sheet=repeated_rows(20_000_000)), {}),
        ("  the same, ratio check off", "empty.xlsx", hostile_workbook(sheet=repeated_rows(20_000_000)), no_ratio),
        ("60 MB CSV (sparse file)", "big.csv", None, {}),
        ("CSV line of 8 MB without an end", "line.csv", b"a,b\n" + b"x," * 4 * MB, {}),
    ]
    built = []
    for label, name, data, limits in files:
        if name is None:
            built.append((label, "", "", limits))
            continue
        path = folder / f"{len(built)}-{name}"
        if data is None:
            with open(path, "wb") as handle:
                handle.truncate(60 * MB)
        else:
            path.write_bytes(data)
        built.append((label, str(path), name, limits))
    return built


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = build(Path(folder))
        print(f"{'file':40} {'on disk':>10} {'wall/CPU s':>11} {'peak MB':>8}  outcome")
        for label, path, name, limits in files:
            code = ONE_FILE.format(root=str(ROOT), path=path, name=name, limits=limits)
            _seconds, peak, output = run([PYTHON, "-c", code])
            line = next(line for line in output.splitlines() if line.startswith("RESULT"))
            _, seconds, outcome = line.split(" ", 2)
            size = Path(path).stat().st_blocks * 512 if path else 0
            print(f"{label:40} {size / 1024:>8.0f}KB {seconds:>11} {peak:>8.0f}  {outcome}")


if __name__ == "__main__":
    main()
