"""The staff project page, in process: per page the queries, the database time, the application's CPU and the
database backend's CPU, for demo projects at different stages, as the district office and the community.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_page .venv/bin/python benchmarks/bench_page.py \
        [--baseline-ref main] [--repeat 20] [--rounds 3] [--profile 'vote,district']

Target (issue 18): under 50 ms of CPU a page, application and database together. With --baseline-ref the same
pages are rendered by REF's tree (a `git archive` of it, as bench_http.py makes) in a child process, rounds
interleaved with this tree's, so both columns share the machine's load. --profile PROJECT_LABEL,ROLE prints a
cProfile top list of that page (this tree only).

Production-like: DEBUG off, persistent connection, cached template loader, the local memory cache (no Redis).
CPU is time.process_time() of this process and the backend's utime+stime from /proc (same machine: the figures
need the database on localhost and a user that may read the postgres processes' /proc entries).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def child(tree: Path, repeat: int, profile: str | None, only: str | None = None) -> None:
    """Render the pages with `tree`'s code and print one JSON line of figures."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiati.settings")
    os.environ.setdefault("SECRET_KEY", "bench-page-" + "x" * 50)
    os.environ.setdefault("SITE_URL", "http://localhost:8000")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ["JIATI_HTTPS"] = "0"
    os.environ["JIATI_REQUIRE_SECOND_FACTOR"] = "0"
    os.environ.pop("JIATI_TESTING", None)
    os.environ.pop("REDIS_URL", None)
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log line of every render
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jiati.accounts.models import User
    from jiati.projects.models import Project

    district = User.objects.filter(username="district").first()
    community = User.objects.filter(username="community").first()
    if district is None:  # a bench_seed set: housing and bare projects only; a district and a community officer
        from jiati.accounts.models import Role
        from jiati.organisation.models import Region

        region = Region.objects.get(code="440307")
        first = Project.objects.filter(community__path__startswith=region.path).order_by("pk").first()
        district = User.objects.get_or_create(
            username="bench-district", defaults={"role": Role.DISTRICT_OFFICE, "region": region}
        )[0]
        community = User.objects.get_or_create(
            username="bench-community", defaults={"role": Role.COMMUNITY, "region": first.community}
        )[0]
    seen = Project.objects.visible_to(community).annotate(n=Count("events"))
    picks = {}
    # The community's heaviest project (longest history) and one at each of a few stages.
    picks["longest history"] = seen.order_by("-n", "pk").first()
    for stage in ("intention", "consultation", "vote", "design", "construction", "in_service"):
        found = seen.filter(stage=stage).order_by("-n", "pk").first()
        if found is not None:
            picks[stage] = found
    if len(picks) == 1 or picks["longest history"] is None:  # a benchmark set (bench_seed): the district's projects
        seen = Project.objects.visible_to(district)
        picks = {"first": seen.order_by("pk").first(), "last": seen.order_by("-pk").first()}
    if only:
        picks = {label: project for label, project in picks.items() if label in only.split(",")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_cpu() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    results = []
    for label, project in picks.items():
        for role, user in (("district", district), ("community", community)):
            client = Client()
            client.force_login(user)
            url = f"/projects/{project.pk}/"
            for _ in range(2):  # warm: templates compiled, caches filled, session read
                assert client.get(url).status_code == 200, (url, role)
            if profile == f"{label},{role}":
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(repeat):
                    client.get(url)
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(40)
            app, db_wall, walls = [], [], []
            queries = 0
            cpu_before_all = backend_cpu()
            for _ in range(repeat):
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    app.append(time.process_time() - cpu)
                    walls.append(time.perf_counter() - wall)
                assert response.status_code == 200
                queries = len(captured)
                db_wall.append(sum(float(q["time"]) for q in captured.captured_queries))
            db_cpu_total = backend_cpu() - cpu_before_all
            results.append(
                {
                    "page": f"{label} ({project.stage}, {project.events.count()} events)",
                    "role": role,
                    "queries": queries,
                    "app_ms": statistics.median(app) * 1000,
                    "db_wall_ms": statistics.median(db_wall) * 1000,
                    "db_cpu_ms": db_cpu_total / repeat * 1000,
                    "wall_ms": statistics.median(walls) * 1000,
                    "bytes": len(response.content),
                }
            )
    print("RESULT " + json.dumps(results))


def run_child(tree: Path, repeat: int, profile: str | None = None, only: str | None = None) -> list[dict]:
    python = str(HERE.parent / ".venv" / "bin" / "python")
    cmd = [python, str(HERE / "bench_page.py"), "--child", str(tree), "--repeat", str(repeat)]
    if profile:
        cmd += ["--profile", profile]
    if only:
        cmd += ["--only", only]
    out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())  # noqa: S603
    if out.returncode:
        raise SystemExit(f"{tree}: failed\n{out.stderr[-4000:]}")
    if profile:
        print(out.stderr)
    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-ref", help="also render the pages with this git ref's tree, interleaved")
    parser.add_argument("--repeat", type=int, default=20, help="renders of each page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="'PAGE LABEL,ROLE': print a cProfile top list of that page")
    parser.add_argument("--only", help="comma-separated page labels (longest history, intention, vote, …)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.repeat, args.profile, args.only)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database holding seed_demo (or bench_seed) data")
    trees = {"this": HERE.parent}
    # The manifest {% static %} reads (production's storage); collected once and kept, as bench_http.py does.
    static = Path(os.environ.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "jiati_page_bench_static")))
    if not (static / "staticfiles.json").exists():
        python = str(HERE.parent / ".venv" / "bin" / "python")
        cmd = [python, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(cmd, cwd=HERE.parent, check=True, env={**os.environ, "SECRET_KEY": "collect-" + "x" * 50})  # noqa: S603
    if args.baseline_ref:
        sys.path.insert(0, str(HERE))
        from bench_http import baseline_tree

        trees["base"] = baseline_tree(args.baseline_ref)
        (trees["base"] / ".venv").exists() or (trees["base"] / ".venv").symlink_to(HERE.parent / ".venv")
    if args.profile:
        run_child(trees["this"], args.repeat, args.profile, args.only)
        return
    runs: dict[str, list[list[dict]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            runs[name].append(run_child(tree, args.repeat, only=args.only))

    def med(name: str, i: int, key: str) -> float:
        return statistics.median(r[i][key] for r in runs[name])

    first = runs["this"][0]
    head = f"{'page':<44} {'role':<10} {'queries':>7} {'app ms':>7} {'db cpu':>7} {'db wall':>7} {'app+db':>7}"
    print(f"median over {args.rounds} rounds × {args.repeat} renders; ms of CPU a page (db wall: sum of query times)")
    print(head + ("   | before: queries  app  db cpu  app+db" if "base" in runs else ""))
    for i, row in enumerate(first):
        line = (
            f"{row['page']:<44} {row['role']:<10} {row['queries']:>7} {med('this', i, 'app_ms'):>7.1f} "
            f"{med('this', i, 'db_cpu_ms'):>7.1f} {med('this', i, 'db_wall_ms'):>7.1f} "
            f"{med('this', i, 'app_ms') + med('this', i, 'db_cpu_ms'):>7.1f}"
        )
        if "base" in runs:
            base = runs["base"][0][i]
            assert base["page"] == row["page"] and base["role"] == row["role"]
            line += (
                f"   | {base['queries']:>7} {med('base', i, 'app_ms'):>5.1f} {med('base', i, 'db_cpu_ms'):>6.1f} "
                f"{med('base', i, 'app_ms') + med('base', i, 'db_cpu_ms'):>7.1f}"
            )
        print(line)


if __name__ == "__main__":
    main()
