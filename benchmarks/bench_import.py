"""Housing import speed and memory: dry run and real run of 25k to 200k-row workbooks.

    [DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_bench_import] .venv/bin/python benchmarks/bench_import.py

Target (issue 2): a 100,000-row workbook, dry run and real run each in under a minute, memory flat as the file
grows. Each size is written twice, as openpyxl writes a workbook (texts inline) and as Excel does (a shared-string
table), and each file is imported with new estates and owners. With PostgreSQL the database is dropped and
re-created; with SQLite a temporary file is used.
"""

from __future__ import annotations

import os
import sys
import tempfile

from _common import MANAGE, PYTHON, ROOT, fresh_postgres, run

SIZES = (25_000, 50_000, 100_000, 200_000)

ONE_RUN = r"""
import os, sys, time, resource
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiati.settings")
import django; django.setup()
from jiati.accounts.models import User
from jiati.housing.importer import HousingImport
user = User.objects.get(username="bench")
start = time.perf_counter()
result = HousingImport(path={path!r}, name="stock.xlsx", actor=user, dry_run={dry}).run()
print(f"{{time.perf_counter() - start:.1f}} {{result.error_count}} {{result.counts['dwelling']['created']}}")
# VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a child started by a big parent reports the parent's size.
status = open("/proc/self/status").read() if os.path.exists("/proc/self/status") else ""
hwm = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
print("PEAK_RSS_KB=%d" % (hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def stock_rows(rows: int, offset: int):
    """The header, then `rows` dwellings: estates of 4 buildings × 2 stairwells × 6 floors × 2 rooms, each with its
    own owner. `offset` keeps files apart (estate codes and ID numbers), so each real run creates everything."""
    from stdnum.cn import ric

    from jiati.housing.importer import COLUMNS

    yield [c.zh for c in COLUMNS]
    n = 0
    estate = 0
    while n < rows:
        estate += 1
        for building in range(1, 5):
            for unit in range(1, 3):
                for floor in range(1, 7):
                    for room in range(1, 3):
                        if n >= rows:
                            return
                        owner = offset + n
                        # 336,000 distinct month/day/sequence numbers per birth year.
                        body = (
                            f"440300{1950 + owner // 336_000}{(owner // 1000) % 12 + 1:02d}"
                            f"{(owner // 12000) % 28 + 1:02d}{owner % 1000:03d}"
                        )
                        yield [
                            "440307001001", f"B{offset}-{estate:05d}", f"基准花园{estate}", "", "", 1995,
                            f"{building}栋", 6, 1995, "砖混", f"{unit}单元", 6, "否", floor, f"{floor}0{room}",
                            "80.50", "", "", "个人", "张三", body + ric.calc_check_digit(body + "0"), "13800138000",
                        ]  # fmt: skip
                        n += 1


def openpyxl_workbook(path: str, rows) -> None:
    """As openpyxl (and Jiati's own exports) write it: every text inline in its cell."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for values in rows:
        sheet.append(values)
    book.save(path)


def excel_workbook(path: str, rows) -> None:
    """As Excel and WPS write it: texts in a shared-string table, cells pointing into it, a <dimension>."""
    import zipfile
    from xml.sax.saxutils import escape

    from jiati.core.xlsx import column_letters

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'.encode())
            for number, values in enumerate(rows, start=1):
                cells = []
                for index, value in enumerate(values):
                    ref = f"{column_letters(index)}{number}"
                    if value == "":
                        continue
                    if isinstance(value, str):
                        cells.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        table = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}" uniqueCount="{len(strings)}">{table}</sst>')
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="住房" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )


class _Rollback(Exception):
    pass


def copy_baseline(rows) -> tuple[float, dict[str, int]]:
    """The database's own speed for the same rows: the estates, buildings, stairwells, dwellings, owners and
    ownerships the import of `rows` creates, written by one `COPY` per table into the same tables (their indexes and
    constraints in place), in one transaction that is then rolled back. Only the COPYs are timed; preparing the
    tuples is not. Returns (seconds, rows per table)."""
    import time

    from django.db import connection, transaction

    from jiati.housing.importer import header_map, parse_row
    from jiati.housing.models import Building, Dwelling, Estate, Owner, Ownership, Stairwell
    from jiati.organisation.models import Region

    rows = iter(rows)
    header = next(rows)
    positions = header_map(header)
    community_id = Region.objects.get(code="440307001001").pk
    base = 10**12  # ids far above anything stored; the transaction is rolled back
    tables: dict[type, list] = {m: [] for m in (Estate, Building, Stairwell, Dwelling, Owner, Ownership)}
    ids: dict[tuple, int] = {}

    def make(model, key, **values):
        if key in ids:
            return ids[key]
        ids[key] = pk = base + len(ids)
        tables[model].append(model(pk=pk, **values))
        return pk

    for number, cells in enumerate(rows, start=2):
        row = parse_row(number, cells, positions)
        estate = make(
            Estate, ("e", row.estate_code), code=row.estate_code, name=row.estate["name"], community_id=community_id,
            year_built=row.estate["year_built"],
        )  # fmt: skip
        building = make(
            Building, ("b", estate, row.building_number), estate_id=estate, community_id=community_id,
            number=row.building_number, **row.building,
        )  # fmt: skip
        stairwell = make(
            Stairwell, ("s", building, row.stairwell_number), building_id=building, estate_id=estate,
            community_id=community_id, number=row.stairwell_number, **row.stairwell,
        )  # fmt: skip
        area, source = Dwelling.effective_area(
            row.dwelling["area_register"], row.dwelling["area_survey"], row.dwelling["area_contract"]
        )
        dwelling = make(
            Dwelling, ("d", stairwell, row.room), stairwell_id=stairwell, building_id=building, estate_id=estate,
            community_id=community_id, room=row.room, exclusive_area=area, area_source=source, **row.dwelling,
        )  # fmt: skip
        owner = make(Owner, ("o", row.owner["id_number"]), **row.owner)
        make(Ownership, ("w", dwelling), owner_id=owner, dwelling_id=dwelling, community_id=community_id)
    prepared = {}
    for model, objects in tables.items():
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        prepared[model] = (
            f"COPY {model._meta.db_table} ({columns}) FROM STDIN",
            [tuple(f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields) for o in objects],
        )
    seconds = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            for statement, tuples in prepared.values():
                with cursor.cursor.copy(statement) as copy:
                    for values in tuples:
                        copy.write_row(values)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign keys are checked within the time
            seconds = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return seconds, {m.__name__: len(t) for m, t in tables.items()}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="Comma-separated row counts.")
    parser.add_argument("--shared-strings-only", action="store_true", help="Only the workbooks as Excel writes them.")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    tmp = tempfile.mkdtemp()
    env = {}
    postgres = url.startswith("postgres")
    if postgres:
        fresh_postgres(url)
    else:
        env["JIATI_VAR_DIR"] = tmp
        os.environ["JIATI_VAR_DIR"] = tmp
    run([PYTHON, MANAGE, "migrate", "-v0"], env)
    run([PYTHON, MANAGE, "seed_demo", "--housing-only", "--dwellings", "10"], env)
    run(
        [
            PYTHON,
            MANAGE,
            "shell",
            "-c",
            "from jiati.accounts.models import User; User.objects.create(username='bench', role='platform_admin')",
        ],
        env,
    )
    import django

    django.setup()
    print(f"database: {'PostgreSQL' if postgres else 'SQLite'}; machine load {os.getloadavg()[0]:.1f}")
    offset = 0
    writers = [(openpyxl_workbook, "inline strings (openpyxl)"), (excel_workbook, "shared strings (Excel)")]
    for writer, label in writers[1:] if args.shared_strings_only else writers:
        print(label)
        for size in sizes:
            path = os.path.join(tmp, f"stock-{size}.xlsx")
            writer(path, stock_rows(size, offset))
            offset += 1_000_000
            real = 0.0
            for dry in (True, False):
                script = ONE_RUN.format(root=str(ROOT), path=path, dry=dry)
                seconds, peak, out = run([PYTHON, "-c", script], env)
                inner, errors, created = out.split()
                real = float(inner)
                print(
                    f"{size:>7,} rows {'dry run' if dry else 'real run':>8}: {float(inner):5.1f} s import "
                    f"({seconds:.1f} s with start-up), peak {peak:,.0f} MB, rejected {errors}, "
                    f"dwellings created {created}",
                    flush=True,
                )
            os.unlink(path)
            if postgres:
                # The same rows (other keys) by COPY, right after the real run on the same database.
                copy_seconds, counts = copy_baseline(stock_rows(size, offset))
                offset += 1_000_000
                tables = ", ".join(f"{n:,} {m}" for m, n in counts.items())
                print(
                    f"{size:>7,} rows COPY    : {copy_seconds:5.2f} s ({tables})"
                    f" — the real run takes {real / copy_seconds:.1f}× the COPY (target ≤ 20×)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
