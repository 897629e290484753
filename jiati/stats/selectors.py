"""The named figures of a region, read from its own summary rows (services keep them equal to the live rows).

A region's rows hold its whole subtree, so any region's figures are a handful of indexed rows; the national
figures are the sum of the root regions' rows. Overdue is counted against today from the projects per due date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from jiati.accounts.scoping import sees_everything
from jiati.core.hooks import collect
from jiati.core.money import fen_to_yuan
from jiati.core.replica import read_connection
from jiati.organisation.models import Region
from jiati.projects.models import Project, Stage, Status
from jiati.stats import permissions
from jiati.stats.models import DueCount, MonthCount, RegionTotal, StageCount

ZERO = Decimal("0.00")
COMPLETED_STAGES = frozenset({Stage.REGISTRATION, Stage.SUBSIDY, Stage.IN_SERVICE})


@dataclass
class Figures:
    """Every named figure of one region (or of the whole country: `region` None)."""

    region: Region | None
    by_stage: dict[str, int] = field(default_factory=dict)  # live (not withdrawn) projects per stage
    active: int = 0
    suspended: int = 0
    withdrawn: int = 0
    under_way: int = 0  # active, not yet in service
    in_service: int = 0
    overdue: int = 0
    blocked: int = 0
    votes_passed: int = 0
    started_by_month: dict = field(default_factory=dict)  # month (first day) -> projects opened
    completed_by_month: dict = field(default_factory=dict)  # month -> projects brought into service
    subsidy_paid: Decimal = ZERO
    subsidy_due: Decimal = ZERO

    @property
    def total(self) -> int:
        return sum(self.by_stage.values())


def region_for(*, user, region_id) -> Region | None:
    """The region asked for, if the user may read its figures; None means the user's own area.

    A region outside the user's area answers 404, like a missing one."""
    if not permissions.can_read(user):
        raise Http404
    if region_id in (None, ""):
        return None if sees_everything(user) else user.region
    try:
        return Region.objects.visible_to(user).get(pk=int(region_id))
    except (Region.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _area(region: Region | None, field_name: str = "path") -> Q:
    return Q(**{f"{field_name}__startswith": region.path}) if region is not None else Q()


def _project_area(region: Region | None) -> Q:
    return _area(region, "community__path")


# The four summaries of one region in one round trip: projects per stage and status, months, overdue, totals.
_FIGURES_SQL = """
SELECT 's', stage, status, CAST(NULL AS DATE), SUM(projects), SUM(blocked), CAST(NULL AS BIGINT)
  FROM {stage} WHERE {w} GROUP BY stage, status
UNION ALL SELECT 'm', NULL, NULL, month, SUM(started), SUM(completed), NULL FROM {month} WHERE {w} GROUP BY month
UNION ALL SELECT 'o', NULL, NULL, NULL, SUM(projects), NULL, NULL FROM {due} WHERE {w} AND due < %s
UNION ALL SELECT 't', NULL, NULL, NULL, SUM(paid_fen), SUM(due_fen), SUM(votes_passed) FROM {total} WHERE {w}
"""


def _tables(**models) -> dict:
    return {key: read_connection(model).ops.quote_name(model._meta.db_table) for key, model in models.items()}


def _as_date(value) -> dt.date:
    """A date column read by a raw cursor (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def figures(*, user, region: Region | None) -> Figures:
    """The region's figures from the summaries (the caller has checked the region with `region_for`): one query
    over the region's own rows."""
    out = Figures(region=region)
    by_stage: dict[str, int] = defaultdict(int)
    where, key = ("depth = %s", 1) if region is None else ("region_id = %s", region.pk)
    tables = _tables(stage=StageCount, month=MonthCount, due=DueCount, total=RegionTotal)
    sql = _FIGURES_SQL.format(w=where, **tables)
    with read_connection(StageCount).cursor() as cursor:
        cursor.execute(sql, [key, key, key, timezone.localdate(), key])
        rows = cursor.fetchall()
    months = []
    for kind, stage, status, month, a, b, c in rows:
        if kind == "s":
            _count(out, by_stage, stage, status, int(a))
            if status == Status.ACTIVE and stage != Stage.IN_SERVICE:
                out.blocked += int(b)
        elif kind == "m":
            months.append((_as_date(month), int(a), int(b)))
        elif kind == "o":
            out.overdue = int(a or 0)
        else:
            out.subsidy_paid = fen_to_yuan(int(a or 0))
            out.subsidy_due = fen_to_yuan(int(b or 0))
            out.votes_passed = int(c or 0)
    out.by_stage = {s.value: by_stage.get(s.value, 0) for s in Stage}
    for month, started, completed in sorted(months):
        if started:
            out.started_by_month[month] = started
        if completed:
            out.completed_by_month[month] = completed
    return out


def _count(out: Figures, by_stage: dict, stage: str, status: str, n: int) -> None:
    if status == Status.WITHDRAWN:
        out.withdrawn += n
        return
    by_stage[stage] += n
    if status == Status.SUSPENDED:
        out.suspended += n
    else:
        out.active += n
    if stage == Stage.IN_SERVICE:
        out.in_service += n
    elif status == Status.ACTIVE:
        out.under_way += n


def _live_counts(out: Figures, region: Region | None) -> None:
    from django.db.models import Count

    from jiati.consent.models import Vote

    today = timezone.localdate()
    live = Q(status=Status.ACTIVE) & ~Q(stage=Stage.IN_SERVICE)
    counts = Project.objects.filter(_project_area(region)).aggregate(
        overdue=Count("id", filter=live & Q(stage_due__lt=today)),
        blocked=Count("id", filter=live & Q(open_blockers__gt=0)),
    )
    out.overdue, out.blocked = counts["overdue"], counts["blocked"]
    out.votes_passed = Vote.objects.filter(_area(region, "project__community__path"), passed=True).count()


def live_figures(*, region: Region | None) -> Figures:
    """The same figures computed from the live tables only (tests and the benchmark compare the two)."""
    from jiati.stats.services import live_rows

    rows = live_rows(_project_area(region))
    out = Figures(region=region)
    by_stage: dict[str, int] = defaultdict(int)
    for (stage, status), n in rows["stages"].items():
        _count(out, by_stage, stage, status, n)
    out.by_stage = {s.value: by_stage.get(s.value, 0) for s in Stage}
    out.started_by_month = {m: s for m, (s, c) in sorted(rows["months"].items()) if s}
    out.completed_by_month = {m: c for m, (s, c) in sorted(rows["months"].items()) if c}
    out.subsidy_paid, out.subsidy_due = rows["paid"], rows["due"]
    _live_counts(out, region)
    return out


def children(*, region: Region | None) -> list[Region]:
    """The regions one level down (drill-down), in code order."""
    if region is None:
        return list(Region.objects.filter(parent__isnull=True, is_retired=False).order_by("path"))
    return list(region.children.filter(is_retired=False).order_by("path"))


def by_child(*, regions: list[Region]) -> dict[int, dict]:
    """Per child region: projects (not withdrawn), under way, in service, subsidy paid and due: one read of the
    children's own summary rows."""
    out = {r.pk: {"projects": 0, "in_service": 0, "under_way": 0, "paid": ZERO, "due": ZERO} for r in regions}
    if not out:
        return out
    marks = ", ".join(["%s"] * len(out))
    tables = _tables(stage=StageCount, total=RegionTotal)
    sql = (
        f"SELECT 's', region_id, stage, status, projects, 0 FROM {tables['stage']} WHERE region_id IN ({marks}) "  # noqa: S608
        f"UNION ALL SELECT 't', region_id, NULL, NULL, paid_fen, due_fen FROM {tables['total']} "
        f"WHERE region_id IN ({marks})"
    )
    with read_connection(StageCount).cursor() as cursor:
        cursor.execute(sql, [*out, *out])
        rows = cursor.fetchall()
    for kind, pk, stage, status, a, b in rows:
        if kind == "t":
            out[pk]["paid"], out[pk]["due"] = fen_to_yuan(int(a)), fen_to_yuan(int(b))
        elif status != Status.WITHDRAWN:
            out[pk]["projects"] += a
            if stage == Stage.IN_SERVICE:
                out[pk]["in_service"] += a
            elif status == Status.ACTIVE:
                out[pk]["under_way"] += a
    return out


def hooked_figures(*, user, region: Region | None) -> list[dict]:
    """What the other apps offer for this region (hook `figures.region_figures`)."""
    return collect("figures", "region_figures", user=user, region=region)


def hooked_charts(*, user, region: Region | None, children: list[Region]) -> list[dict]:
    """Charts the other apps offer for this region (hook `figures.region_charts`): each has a title, its series
    and one row per child region (or per month), every figure with the link to the list behind it, and the
    region's total. Rows of child regions drill down to that region's dashboard."""
    charts = collect("figures", "region_charts", user=user, region=region, children=children)
    for chart in charts:
        for row in (*chart["rows"], chart["total"]):
            row["drill"] = f"?region={row['region_id']}" if row.get("region_id") else None
            row["cells"] = [{"value": v, "url": u} for v, u in zip(row["values"], row["urls"], strict=True)]
    return charts


def year_targets(*, user, regions: list[Region], year: int) -> dict[int, dict]:
    """Per region: the year's targets and coverage offered by the pool (hook `targets.region_targets`), by id."""
    return {t["region_id"]: t for t in collect("targets", "region_targets", user=user, regions=regions, year=year)}


def completions_this_year(figs: Figures, *, today: dt.date) -> list[dict]:
    """Elevators brought into service per month of this year up to this month, with the running total."""
    rows, total = [], 0
    for number in range(1, today.month + 1):
        month = dt.date(today.year, number, 1)
        n = figs.completed_by_month.get(month, 0)
        total += n
        rows.append({"month": month, "completed": n, "cumulative": total})
    return rows


def percent(done: int, of: int) -> Decimal | None:
    """A coverage rate in percent, rounded down to one decimal (as the pool shows it); None when nothing counts."""
    return Decimal(done * 1000 // of) / 10 if of else None
