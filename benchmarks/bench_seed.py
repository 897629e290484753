"""How fast the generator loads a national-size housing stock, and in how much memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_bench .venv/bin/python benchmarks/bench_seed.py \
        --dwellings 2500000 [--project-share 0.1] [--keep]

Target (issue 2): ≥ 50,000 dwellings per second with owners, under 500 MB at any scale.
The database is dropped and re-created first (never point this at real data).
"""

from __future__ import annotations

import argparse
import os

from _common import MANAGE, PYTHON, fresh_postgres, manage_with_peak, run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dwellings", type=int, default=1_000_000)
    parser.add_argument("--project-share", type=float, default=0.1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database that may be wiped")
    fresh_postgres(url)
    seconds, _peak, _out = run([PYTHON, MANAGE, "migrate", "-v0"])
    print(f"migrate: {seconds:.1f} s")
    seconds, peak, out = run(
        manage_with_peak(
            "seed_demo",
            "--housing-only",
            "--dwellings",
            str(args.dwellings),
            "--project-share",
            str(args.project_share),
        )
    )
    print(out.strip().splitlines()[-1])
    print(
        f"seed: {args.dwellings:,} dwellings in {seconds:.1f} s wall = {args.dwellings / seconds:,.0f} dwellings/s "
        f"(incl. start-up); peak memory {peak:,.0f} MB"
    )
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"database size after ANALYZE: {size}")


if __name__ == "__main__":
    main()
