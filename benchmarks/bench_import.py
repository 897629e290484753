"""Housing import speed and memory: dry run and real run of 25k, 50k and 100k-row workbooks.

    [DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_bench_import] .venv/bin/python benchmarks/bench_import.py

Target (issue 2): a 100,000-row workbook, dry run and real run each in under a minute, memory flat as the file
grows. With PostgreSQL the database is dropped and re-created; with SQLite a temporary file is used.
"""

from __future__ import annotations

import os
import sys
import tempfile

from _common import MANAGE, PYTHON, ROOT, fresh_postgres, run

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
print("PEAK_RSS_KB=%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def workbook(path: str, rows: int, offset: int) -> None:
    from openpyxl import Workbook
    from stdnum.cn import ric

    from jiati.housing.importer import COLUMNS

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c.zh for c in COLUMNS])
    n = 0
    estate = 0
    while n < rows:
        estate += 1
        for building in range(1, 5):
            for unit in range(1, 3):
                for floor in range(1, 7):
                    for room in range(1, 3):
                        if n >= rows:
                            break
                        owner = offset + n
                        body = (
                            f"4403001950{(owner // 1000) % 12 + 1:02d}{(owner // 12000) % 28 + 1:02d}{owner % 1000:03d}"
                        )
                        id_number = body + ric.calc_check_digit(body + "0")
                        sheet.append(
                            [
                                "440307001001",
                                f"B{offset}-{estate:05d}",
                                f"基准花园{estate}",
                                "",
                                "",
                                1995,
                                f"{building}栋",
                                6,
                                1995,
                                "砖混",
                                f"{unit}单元",
                                6,
                                "否",
                                floor,
                                f"{floor}0{room}",
                                "80.50",
                                "",
                                "",
                                "个人",
                                "张三",
                                id_number,
                                "13800138000",
                            ]
                        )
                        n += 1
    book.save(path)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    tmp = tempfile.mkdtemp()
    env = {}
    if url.startswith("postgres"):
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
    print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
    for size, offset in ((25_000, 0), (50_000, 1_000_000), (100_000, 2_000_000)):
        path = os.path.join(tmp, f"stock-{size}.xlsx")
        workbook(path, size, offset)
        for dry in (True, False):
            script = ONE_RUN.format(root=str(ROOT), path=path, dry=dry)
            seconds, peak, out = run([PYTHON, "-c", script], env)
            inner, errors, created = out.split()
            print(
                f"{size:>7,} rows {'dry run' if dry else 'real run':>8}: {float(inner):5.1f} s import "
                f"({seconds:.1f} s with start-up), peak {peak:,.0f} MB, rejected {errors}, dwellings created {created}"
            )


if __name__ == "__main__":
    main()
