"""The dashboard's figures against the best raw SQL computing the same figures live, on the national-size data set.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_bench
    .venv/bin/python benchmarks/bench_stats.py [--dwellings 25000000] [--runs 7]

Uses what `bench_seed.py` loaded (a bare project on one stairwell in ten); with `--dwellings N` and an empty or
missing database it loads that first. Then, once per database, it gives the projects a history in a few set-based
statements: opened over the last two years and moved on since, some withdrawn or suspended, votes (most passed),
subsidy files at every step with payments and reversals in the ledger. It rebuilds the summaries
(`stats.services.rebuild_all`, timed) and prints, for the national scope, one district and one community: the
dashboard's read (`stats.selectors.figures` and the children's rows, as the page reads them), the same figures from
two raw SQL statements over the live tables (the best we could write: one grouping-sets scan of the projects, one
statement for the money and the votes), and the ORM's live computation (`selectors.live_figures`), each the median
of `--runs` warm runs. It asserts the three agree to the unit and the fen.

Target (issue 16): the dashboard takes at most 0.05x the live SQL's time at the national scope.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal

from _common import MANAGE, PYTHON, ROOT, run, setup

HISTORY = """
-- Opened over the last two years; some withdrawn or suspended before service.
UPDATE projects_project SET created_at = now() - random() * interval '720 days';
UPDATE projects_project SET stage_entered_at = created_at + random() * (now() - created_at),
    status = CASE WHEN stage = 'in_service' THEN 'active'
                  WHEN random() < 0.03 THEN 'withdrawn' WHEN random() < 0.02 THEN 'suspended' ELSE 'active' END;
-- A closed vote for every project past the vote (one in twenty failed first), a failed one for some at the vote.
INSERT INTO consent_vote (round_number, scope, title, plan, status, opens_at, closes_at, closed_at, cancel_reason,
    owners_total, dwellings_total, area_total_centi, roll_hash, ballot_seq, chain_head, passed, result, estate_id,
    opened_by_id, project_id, rule_set_id, stairwell_id)
SELECT 1, 'stairwell', '业主表决', '', 'closed', p.created_at, p.created_at + interval '30 days',
    p.created_at + interval '30 days', '', 12, 12, 100000, '', 0, '',
    p.stage NOT IN ('intention', 'organised', 'consultation', 'vote') OR random() < 0.5, '{}', p.estate_id,
    p.created_by_id, p.id, (SELECT min(id) FROM consent_ruleset), p.stairwell_id
FROM projects_project p WHERE p.stage NOT IN ('intention', 'organised', 'consultation')
    AND (p.stage <> 'vote' OR random() < 0.2);
INSERT INTO subsidies_budget (region_id, year, amount, committed, paid, updated_at, source)
SELECT id, 2026, 100000000000, 0, 0, now(), 'district' FROM organisation_region WHERE parent_id IS NULL;
-- Subsidy files from inspection on: drafts, files in review, approved (part paid), paid in full.
WITH files AS (
    SELECT p.id AS project_id, p.stage, random() AS roll, round((80000 + random() * 220000)::numeric, 2) AS amount
    FROM projects_project p WHERE p.stage IN ('inspection', 'registration', 'subsidy', 'in_service')
), placed AS (
    SELECT *, CASE
        WHEN stage IN ('inspection', 'registration') THEN 'draft'
        WHEN stage = 'subsidy' AND roll < 0.6
            THEN (ARRAY['community', 'subdistrict', 'district'])[1 + floor(roll * 5)::int]
        WHEN stage = 'subsidy' THEN 'approved'
        WHEN roll < 0.7 THEN 'paid' ELSE 'approved' END AS status
    FROM files
)
INSERT INTO subsidies_subsidyapplication (policy_basis, status, status_since, eligible_on, applicant_kind,
    applicant_name, applicant_phone, payee_name, payee_bank_name, payee_bank_account, storeys, amount_due, breakdown,
    unmet, approved_amount, approved_at, paid_amount, not_eligible_reason, submitted_at, created_at, updated_at,
    budget_id, project_id, stops)
SELECT '{}', status, now(), current_date, 'lead_owner', '', '', '', '', '', 6, amount, '{}', '[]',
    CASE WHEN status IN ('approved', 'paid') THEN amount END,
    CASE WHEN status IN ('approved', 'paid') THEN now() END,
    CASE WHEN status = 'paid' THEN amount WHEN status = 'approved' AND roll > 0.9 THEN round(amount / 3, 2) ELSE 0 END,
    '', CASE WHEN status <> 'draft' THEN now() END, now(), now(),
    CASE WHEN status IN ('approved', 'paid') THEN (SELECT min(id) FROM subsidies_budget) END, project_id, 6
FROM placed;
-- The ledger: what was paid, and for one file in twenty a payment sent back (a reversal) and paid again.
INSERT INTO subsidies_ledgerentry (kind, amount, voucher_no, paid_on, idempotency_key, note, recorded_at,
    recorded_by_id, application_id)
SELECT 'payment', paid_amount, 'B' || id, current_date, '', '', now(), (SELECT min(id) FROM accounts_user), id
FROM subsidies_subsidyapplication WHERE paid_amount > 0;
INSERT INTO subsidies_ledgerentry (kind, amount, voucher_no, paid_on, idempotency_key, note, recorded_at,
    recorded_by_id, application_id)
SELECT 'payment', paid_amount, 'X' || id, current_date, '', '', now(), (SELECT min(id) FROM accounts_user), id
FROM subsidies_subsidyapplication WHERE paid_amount > 0 AND id % 20 = 0;
INSERT INTO subsidies_ledgerentry (kind, amount, voucher_no, paid_on, idempotency_key, note, recorded_at,
    recorded_by_id, application_id, reverses_id)
SELECT 'reversal', -amount, 'R' || voucher_no, current_date, '', '退票', now(), recorded_by_id, application_id, id
FROM subsidies_ledgerentry WHERE voucher_no LIKE 'X%';
"""

# The live figures in two statements. One scan of the projects with grouping sets gives the projects per stage and
# status (with blocked and overdue) and the months; one statement sums the ledger, the files and the votes.
# {join} narrows to a subtree: the projects' communities whose path starts with the region's.
LIVE_PROJECTS = """
SELECT stage, status, started, completed, count(*), count(*) FILTER (WHERE blocked), count(*) FILTER (WHERE late)
FROM (
  SELECT p.stage, p.status,
         date_trunc('month', p.created_at AT TIME ZONE %(tz)s)::date AS started,
         CASE WHEN p.stage = 'in_service' AND p.status <> 'withdrawn'
              THEN date_trunc('month', p.stage_entered_at AT TIME ZONE %(tz)s)::date END AS completed,
         p.status = 'active' AND p.stage <> 'in_service' AND p.open_blockers > 0 AS blocked,
         p.status = 'active' AND p.stage <> 'in_service' AND p.stage_due < %(today)s AS late
  FROM projects_project p {join}
) x
GROUP BY GROUPING SETS ((stage, status), (started), (completed))
"""
LIVE_MONEY = """
SELECT
  (SELECT coalesce(sum(l.amount), 0) FROM subsidies_ledgerentry l
     JOIN subsidies_subsidyapplication a ON a.id = l.application_id JOIN projects_project p ON p.id = a.project_id
     {join}),
  (SELECT coalesce(sum(CASE WHEN a.status = 'approved' THEN a.approved_amount - a.paid_amount
                            WHEN a.status IN ('draft', 'returned', 'community', 'subdistrict', 'district')
                            THEN a.amount_due ELSE 0 END), 0)
     FROM subsidies_subsidyapplication a JOIN projects_project p ON p.id = a.project_id
     {join} {and_} p.status <> 'withdrawn'),
  (SELECT count(*) FROM consent_vote v JOIN projects_project p ON p.id = v.project_id {join} {and_} v.passed)
"""


def _sql(template: str, region) -> str:
    if region is None:
        return template.format(join="", and_="WHERE")
    join = "JOIN organisation_region c ON c.id = p.community_id AND c.path LIKE %(path)s"
    return template.format(join=join, and_="AND")


def live_sql(cursor, region, today, tz):
    """The figures from the live tables by raw SQL, as a `selectors.Figures`."""
    from jiati.projects.models import Stage
    from jiati.stats.selectors import Figures, _count

    params = {"tz": tz, "today": today, "path": (region.path + "%") if region is not None else None}
    out = Figures(region=region)
    by_stage: dict = defaultdict(int)
    cursor.execute(_sql(LIVE_PROJECTS, region), params)
    for stage, status, started, completed, n, blocked, overdue in cursor.fetchall():
        if stage is not None:
            _count(out, by_stage, stage, status, n)
            out.blocked += blocked
            out.overdue += overdue
        elif started is not None:
            out.started_by_month[started] = n
        elif completed is not None:
            out.completed_by_month[completed] = n
    out.by_stage = {s.value: by_stage.get(s.value, 0) for s in Stage}
    out.started_by_month = dict(sorted(out.started_by_month.items()))
    out.completed_by_month = dict(sorted(out.completed_by_month.items()))
    cursor.execute(_sql(LIVE_MONEY, region), params)
    paid, due, votes = cursor.fetchone()
    out.subsidy_paid, out.subsidy_due, out.votes_passed = Decimal(paid), Decimal(due), votes
    return out


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall time in ms of `runs` calls after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dwellings", type=int, default=0, help="load this many first if the database is empty")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database that may be wiped")
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            loaded = conn.execute(
                "SELECT to_regclass('projects_project') IS NOT NULL AND EXISTS (SELECT 1 FROM projects_project)"
            ).fetchone()[0]
    except psycopg.OperationalError:
        loaded = False
    if not loaded:
        if not args.dwellings:
            raise SystemExit("no projects in the database: give --dwellings N to load them (bench_seed.py)")
        seed = [PYTHON, str(ROOT / "benchmarks" / "bench_seed.py"), "--dwellings", str(args.dwellings)]
        subprocess.run(seed, check=True)  # noqa: S603 - our own script
    seconds, _peak, _out = run([PYTHON, MANAGE, "migrate", "-v0"])
    print(f"migrate: {seconds:.1f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT EXISTS (SELECT 1 FROM subsidies_ledgerentry)").fetchone()[0]:
            start = time.perf_counter()
            with conn.transaction():
                conn.execute(HISTORY)
            conn.execute("ANALYZE")
            print(f"history added in {time.perf_counter() - start:.1f} s")
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM projects_project), (SELECT count(*) FROM consent_vote), "
            "(SELECT count(*) FROM subsidies_subsidyapplication), (SELECT count(*) FROM subsidies_ledgerentry), "
            "(SELECT count(*) FROM organisation_region WHERE level = 'community'), "
            "(SELECT count(*) FROM housing_stairwell)"
        ).fetchone()
    print(
        "data: {:,} projects on {:,} stairwells, {:,} votes, {:,} subsidy files, {:,} ledger entries, "
        "{:,} communities".format(counts[0], counts[5], *counts[1:5])
    )

    setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from jiati.accounts.models import User
    from jiati.organisation.models import Region
    from jiati.projects.models import Project
    from jiati.stats import selectors, services

    start = time.perf_counter()
    rows = services.rebuild_all()
    print(f"rebuild_all: {rows:,} summary rows in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in services.SUMMARIES))

    admin = User.objects.get(username="generator")
    district = Region.objects.get(code="440307")
    community = Region.objects.get(
        pk=Project.objects.filter(community__path__startswith=district.path)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("community_id", flat=True)[0]
    )
    today, tz = timezone.localdate(), settings.TIME_ZONE
    print(f"\n{'scope':<34} {'projects':>9} {'dashboard':>11} {'raw SQL live':>13} {'ratio':>7} {'ORM live':>10}")
    failed = False
    for label, region in (
        ("national", None),
        (f"district {district.name}", district),
        (f"community {community.name}", community),
    ):

        def dashboard(region=region):
            figs = selectors.figures(user=admin, region=region)
            selectors.by_child(regions=selectors.children(region=region))
            return figs

        def raw(region=region):
            with connection.cursor() as cursor:
                return live_sql(cursor, region, today, tz)

        dash_ms, dash = timed(dashboard, args.runs)
        raw_ms, live = timed(raw, args.runs)
        orm_ms, orm = timed(lambda region=region: selectors.live_figures(region=region), max(1, args.runs // 2))
        same = dash == live == orm
        failed |= not same
        print(
            f"{label:<34} {dash.total + dash.withdrawn:>9,} {dash_ms:>9.2f}ms {raw_ms:>11.1f}ms "
            f"{dash_ms / raw_ms:>7.4f} {orm_ms:>8.1f}ms {'' if same else '  FIGURES DIFFER'}"
        )
        if region is None:
            print(
                f"{'':<34} in service {dash.in_service:,}, under way {dash.under_way:,}, overdue {dash.overdue:,}, "
                f"blocked {dash.blocked:,}, votes passed {dash.votes_passed:,}, "
                f"paid ¥{dash.subsidy_paid:,}, due ¥{dash.subsidy_due:,}"
            )
        if not same:
            for name in ("by_stage", "overdue", "blocked", "votes_passed", "subsidy_paid", "subsidy_due"):
                print("  ", name, getattr(dash, name), getattr(live, name), getattr(orm, name))
    if failed:
        sys.exit("the dashboard's figures differ from the live ones")
    print("\nall figures equal to the unit and the fen")


if __name__ == "__main__":
    main()
