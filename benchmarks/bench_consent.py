"""Owner consent speed: vote_tally on a 20,000-dwelling estate (including start-up), the live result of a vote
with 20,000 ballots (computed by the database), and PDF pages.

    [DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_bench_consent] .venv/bin/python benchmarks/bench_consent.py
    .venv/bin/python benchmarks/bench_consent.py --tally-only     # just vote_tally, nothing set up

Targets (issue 4): vote_tally under 2 s including start-up; the live result is one aggregate query, not a Python
loop; a PDF page in well under a second. Runs in a throw-away test database (created and destroyed here).
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _common import MANAGE, PYTHON, setup

DWELLINGS = 20_000
TALLY_TARGET_S = 2.0
RUNS = 5


def estate_rows(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """A 20,000-dwelling estate: most owners hold one dwelling, some two, the developer 300 unsold ones."""
    rows, owner = [], 0
    words = ["同意"] * 80 + ["不同意"] * 8 + ["弃权"] * 4 + ["未参与"] * 8
    developer_left = 300
    index = 0
    while len(rows) < DWELLINGS:
        index += 1
        building, floor, unit = index // 200 + 1, (index // 4) % 50 + 1, index % 4 + 1
        room = f"{building}栋{floor:02d}{unit:02d}"
        area = f"{rng.randint(5000, 14000) / 100:.2f}"
        if developer_left:
            developer_left -= 1
            rows.append((room, "开发商", area, "未参与"))
            continue
        owner += 1
        choice = rng.choice(words)
        rows.append((room, f"业主{owner:06d}", area, choice))
        if rng.random() < 0.05 and len(rows) < DWELLINGS:  # the same owner's second dwelling
            index += 1
            rows.append((f"{room}B", f"业主{owner:06d}", area, choice))
    return rows[:DWELLINGS]


def bench_tally(tmp: Path) -> None:
    rng = random.Random(1)
    rows = estate_rows(rng)
    path = tmp / "estate.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["房号", "业主", "面积", "意见"])
        writer.writerows(rows)
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["dwelling", "owner", "area", "choice"])
    for room, owner, area, choice in rows:
        sheet.append([room, owner, float(area), choice])
    xlsx = tmp / "estate.xlsx"
    workbook.save(xlsx)
    import subprocess

    # "Without setting anything up": no DATABASE_URL, an empty data directory. The command must not need a
    # database (the built-in rule sets decide) and must not create one.
    bare = tmp / "nothing-set-up"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"JIATI_VAR_DIR": str(bare)}
    print(
        f"vote_tally on a {DWELLINGS:,}-dwelling estate (wall clock, a fresh process each run, start-up included, "
        f"no database set up; target < {TALLY_TARGET_S:.0f} s)"
    )
    for file in (path, xlsx):
        times, cpu, out = [], [], ""
        for _n in range(RUNS):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            result = subprocess.run(  # noqa: S603
                [PYTHON, MANAGE, "vote_tally", str(file), "--json"],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            out = result.stdout
        data = json.loads(out)
        verdict = "OK" if statistics.median(times) < TALLY_TARGET_S else "SLOW"
        print(
            f"  {file.suffix:<6} {statistics.median(times):6.2f} s median of {RUNS} (min {min(times):.2f} s, "
            f"max {max(times):.2f} s; CPU {statistics.median(cpu):.2f} s) {verdict} — "
            f"{data['owners_total']:,} owners, passed={data['passed']}"
        )
    created = sorted(p.name for p in bare.glob("*.sqlite3*")) if bare.exists() else []
    print(f"  database files created: {', '.join(created) or 'none'}")
    start = time.perf_counter()
    subprocess.run([PYTHON, MANAGE, "help", "vote_tally"], capture_output=True, check=True, env=env)  # noqa: S603
    print(f"  start-up alone (manage.py help vote_tally): {time.perf_counter() - start:.2f} s")
    print(f"  machine load when measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def build_estate():
    """20,000 dwellings in one estate, one owner each, written in bulk."""
    from jiati.accounts.models import Role, User
    from jiati.housing.models import Building, Dwelling, Estate, Owner, Ownership, Stairwell
    from jiati.organisation.models import Region

    province = Region.objects.create(code="B44", name="省", level="province", path="/B44/")
    community = Region.objects.create(code="B44C", name="社区", level="community", parent=province, path="/B44/B44C/")
    estate = Estate.objects.create(code="BENCH", name="基准花园", community=community)
    buildings = Building.objects.bulk_create(
        Building(estate=estate, community=community, number=f"{n}栋", storeys=20) for n in range(1, 51)
    )
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(building=b, estate=estate, community=community, number=f"{u}单元", storeys=20)
        for b in buildings
        for u in range(1, 21)
    )
    rng = random.Random(2)
    dwellings = Dwelling.objects.bulk_create(
        (
            Dwelling(
                stairwell=s,
                building_id=s.building_id,
                estate=estate,
                community=community,
                floor=f,
                room=f"{f}0{u}",
                area_register=Decimal(rng.randint(5000, 14000)) / 100,
                exclusive_area=Decimal(rng.randint(5000, 14000)) / 100,
                area_source="register",
            )
            for s in stairwells
            for f in range(1, 11)
            for u in (1, 2)
        ),
        batch_size=5000,
    )
    owners = Owner.objects.bulk_create(
        (Owner(name=f"业主{n}", id_number=f"B{n:017d}", phone=f"139{n:08d}") for n in range(len(dwellings))),
        batch_size=5000,
    )
    Ownership.objects.bulk_create(
        (Ownership(owner=o, dwelling=d, community=community) for o, d in zip(owners, dwellings, strict=True)),
        batch_size=5000,
    )
    admin = User.objects.create(username="bench-admin", role=Role.PLATFORM_ADMIN)
    return stairwells[0], admin


def bench_live_result() -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from jiati.consent import services
    from jiati.consent.models import Ballot, RollVoter, RuleSet
    from jiati.demo.consent import _write_ballots
    from jiati.projects import services as project_services

    start = time.perf_counter()
    stairwell, admin = build_estate()
    print(f"\nlive result on a vote with {DWELLINGS:,} ballots ({connection.vendor})")
    print(f"  building the estate: {time.perf_counter() - start:.1f} s")
    project = project_services.project_open(actor=admin, stairwell=stairwell)
    start = time.perf_counter()
    vote = services.vote_open(
        project=project,
        actor=admin,
        rule_set=RuleSet.objects.get(code="shanghai-two-rounds"),  # round 1: the whole estate votes
        closes_at=timezone.now() + dt.timedelta(days=30),
        plan="基准",
    )
    print(f"  opening the vote, freezing a roll of {vote.owners_total:,} owners: {time.perf_counter() - start:.2f} s")
    rng = random.Random(3)
    roll = list(RollVoter.objects.filter(vote=vote).order_by("id"))
    picks = [(v, rng.choice(["agree"] * 8 + ["disagree", "abstain"])) for v in roll]
    start = time.perf_counter()
    _write_ballots(vote, picks, timezone.now() - dt.timedelta(days=1), timezone.now())
    print(f"  writing {len(picks):,} hash-chained ballots in bulk: {time.perf_counter() - start:.2f} s")
    live_against_raw(vote)
    start = time.perf_counter()
    participating = agreeing = 0
    for ballot in Ballot.objects.filter(vote=vote).select_related("voter"):
        participating += ballot.voter.area_centi
        agreeing += ballot.voter.area_centi if ballot.choice == "agree" else 0
    print(f"  for comparison, the same sums by looping in Python: {(time.perf_counter() - start) * 1000:.0f} ms")
    from jiati.consent.chain import verify_chain

    start = time.perf_counter()
    check = verify_chain(vote)
    print(f"  verifying the {check.length:,}-link chain: {time.perf_counter() - start:.2f} s (ok={check.ok})")


RAW_COUNTS = """
    SELECT count(*), coalesce(sum(area_centi), 0),
           count(*) FILTER (WHERE choice = 'agree'), coalesce(sum(area_centi) FILTER (WHERE choice = 'agree'), 0)
    FROM consent_ballot WHERE vote_id = %s
"""


def _timed(call, runs: int) -> tuple[float, int, object]:
    """Median ms of `runs` calls (after one warm-up), the queries of one call, its value."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    value = call()
    times = []
    for _n in range(runs):
        start = time.perf_counter()
        value = call()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(times), len(queries), value


def live_against_raw(vote, runs: int = 31) -> None:
    """The live result beside the best single raw SQL for the same figures, interleaved in one run."""
    from django.db import connection

    from jiati.consent import selectors
    from jiati.consent.models import Vote

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_COUNTS, [vote.pk])
            return cursor.fetchone()

    fresh = Vote.objects.get(pk=vote.pk)  # as a page has it: the row, nothing related cached
    spec = selectors.round_spec(fresh)
    unfrozen = Vote.objects.get(pk=vote.pk)
    unfrozen.rule_spec = {}  # the path of a vote opened before the round was frozen on it (the previous code's)
    rows = []
    for label, call in (
        ("best raw SQL (one statement)", raw),
        ("vote_counts", lambda: selectors.vote_counts(fresh, spec=spec)),
        ("vote_verdict", lambda: selectors.vote_verdict(fresh)),
        ("vote_verdict, round read from the rule set", lambda: selectors.vote_verdict(unfrozen)),
    ):
        rows.append((label, *_timed(call, runs)))
    counts = rows[1][3]
    assert rows[0][3] == (  # the same figures, or the comparison means nothing
        counts.owners_participating,
        int(counts.area_participating * 100),
        counts.owners_agreeing,
        int(counts.area_agreeing * 100),
    ), (rows[0][3], counts)
    base = rows[0][1]
    print(f"  live result, median of {runs} warm runs (target: one query, ≤ 1.5× the raw SQL):")
    for label, ms, queries, _value in rows:
        print(f"    {label:<44} {ms:7.2f} ms  {queries} quer{'y' if queries == 1 else 'ies'}  {ms / base:5.2f}×")
    verdict = rows[2][3]
    print("    " + ", ".join(f"{t.spec.name} {t.ratio_text}" for t in verdict.tests))


def bench_pdfs() -> None:
    import datetime as dt

    from django.utils import timezone

    from jiati.consent import pdfs, services
    from jiati.consent.models import RollVoter
    from jiati.core.pdf import render_pdf
    from jiati.core.tests.factories import build_world
    from jiati.projects import services as project_services

    world = build_world()
    admin = world.users["admin"]
    project = project_services.project_open(actor=admin, stairwell=world.stairwells["a1a"])
    scheme = services.cost_scheme_create(project=project, actor=admin, total_cost=Decimal("480000"))
    vote = services.vote_open(
        project=project, actor=admin, closes_at=timezone.now() + dt.timedelta(days=7), plan="方案", cost_scheme=scheme
    )
    roll = list(RollVoter.objects.filter(vote=vote).prefetch_related("dwellings"))
    print("\nPDF pages (WeasyPrint, WenQuanYi Micro Hei embedded)")
    cases = [
        ("ballot form, 1 page", "consent/pdf/ballot_forms.html", lambda: pdfs.ballot_forms_context(vote, roll[:1]), 1),
        ("ballot forms, 12 pages", "consent/pdf/ballot_forms.html", lambda: pdfs.ballot_forms_context(vote, roll), 12),
        ("result notice", "consent/pdf/result.html", lambda: pdfs.result_context(vote), 1),
        ("cost-sharing table", "consent/pdf/costs.html", lambda: pdfs.cost_context(scheme), 1),
        ("owners' agreement", "consent/pdf/agreement.html", lambda: pdfs.agreement_context(vote), 1),
    ]
    first = True
    for label, template, context, pages in cases:
        times = []
        for _n in range(3):
            start = time.perf_counter()
            render_pdf(template, context())
            times.append(time.perf_counter() - start)
        if first:
            print(f"  (first render in the process, fonts loading: {times[0]:.2f} s)")
            first = False
        best = statistics.median(times)
        print(f"  {label:<24} {best:.2f} s median of 3 → {best / pages:.2f} s a page")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tally-only", action="store_true", help="Only time vote_tally (no database needed).")
    parser.add_argument("--live-only", action="store_true", help="Only the live result against the raw SQL.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jiati-bench-consent-"))
    os.environ.setdefault("JIATI_VAR_DIR", str(tmp))
    if not args.live_only:
        bench_tally(tmp)
    if args.tally_only:
        return
    setup()
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_live_result()
        if not args.live_only:
            bench_pdfs()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
