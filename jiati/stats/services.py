"""Keeping the summaries equal to the live data.

Choice (docs/decisions.md, "Statistics"): the summary rows of a community are recomputed from its live rows after
the commit of any transaction that saved one of its projects, blockers, plans, subsidy files, ledger entries or
votes (signals collect the communities; `transaction.on_commit` rebuilds each once); then each of its ancestors'
rows are recomputed as the sum of that ancestor's children's rows, up to the root. Recomputing costs the same
whatever changed, and it cannot drift: there is no delta arithmetic to get wrong, and a change made by any service
(or the admin) is caught without each service remembering to call us. The rebuild runs after the commit with the
region chain locked root first, so it reads only committed rows and two concurrent rebuilds queue instead of
leaving an older picture behind.

`rebuild_all` does the same for the whole tree set-based: one grouped query per figure over all projects, then one
roll-up statement per level (a national load of 181,000 projects is rebuilt in seconds, not community by community).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from jiati.core.money import yuan_to_fen
from jiati.organisation.models import Region
from jiati.projects.models import Project, Stage, Status
from jiati.stats.models import DueCount, MonthCount, RegionTotal, StageCount

ZERO = Decimal("0.00")
SUMMARIES = (StageCount, MonthCount, DueCount, RegionTotal)
# The columns each summary's roll-up groups by and the ones it adds up.
_ROLL_UP = {
    StageCount: (("stage", "status"), ("projects", "blocked")),
    MonthCount: (("month",), ("started", "completed")),
    DueCount: (("due",), ("projects",)),
    RegionTotal: ((), ("paid_fen", "due_fen", "votes_passed")),
}


def depth_of(path: str) -> int:
    """A region's depth from its path ("/440000/" is 1)."""
    return path.count("/") - 1


def _subsidy_sums(projects_q: Q) -> dict:
    """Paid (the ledger's sum) and due but unpaid (approved and not paid, plus the amount worked out for files not
    yet approved), for the projects matching `projects_q` (a filter on project fields, prefixed as given)."""
    from jiati.subsidies.models import LedgerEntry, SubsidyApplication

    paid = LedgerEntry.objects.filter(_prefixed(projects_q, "application__project__")).aggregate(
        total=Coalesce(Sum("amount"), ZERO)
    )["total"]
    sums = SubsidyApplication.objects.filter(_prefixed(projects_q, "project__")).aggregate(**_due_sums())
    return {"paid": paid, "due": sums["unpaid"] + sums["pending"]}


def _due_sums() -> dict:
    from jiati.subsidies.models import PENDING
    from jiati.subsidies.models import Status as FileStatus

    live = ~Q(project__status=Status.WITHDRAWN)
    return {
        "unpaid": Coalesce(
            Sum(F("approved_amount") - F("paid_amount"), filter=live & Q(status=FileStatus.APPROVED)), ZERO
        ),
        "pending": Coalesce(Sum("amount_due", filter=live & Q(status__in=PENDING)), ZERO),
    }


def _prefixed(q: Q, prefix: str) -> Q:
    """The same filter with every lookup prefixed (a filter on projects, applied from a related model)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        out.children.append(_prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]))
    return out


def live_rows(projects_q: Q) -> dict:
    """The raw figures the summaries hold, computed from the live tables for the projects matching `projects_q`."""
    projects = Project.objects.filter(projects_q)
    stages = {
        (row["stage"], row["status"]): row["n"]
        for row in projects.values("stage", "status").annotate(n=Count("id")).order_by()
    }
    months: dict = {}
    for row in projects.annotate(m=TruncMonth("created_at")).values("m").annotate(n=Count("id")).order_by():
        months.setdefault(_day(row["m"]), [0, 0])[0] += row["n"]
    done = projects.filter(stage=Stage.IN_SERVICE).exclude(status=Status.WITHDRAWN)
    for row in done.annotate(m=TruncMonth("stage_entered_at")).values("m").annotate(n=Count("id")).order_by():
        months.setdefault(_day(row["m"]), [0, 0])[1] += row["n"]
    return {"stages": stages, "months": months, **_subsidy_sums(projects_q)}


def _day(value):
    return value.date() if hasattr(value, "date") else value


def _community_rows(projects_q: Q) -> dict:
    """Summary rows (unsaved) of the communities of the projects matching `projects_q`, from their live rows."""
    from jiati.consent.models import Vote
    from jiati.subsidies.models import LedgerEntry, SubsidyApplication

    projects = Project.objects.filter(projects_q)
    rows: dict = {model: [] for model in SUMMARIES}
    totals: dict = defaultdict(lambda: [0, 0, 0])
    for c, stage, status, n, blocked in (
        projects.values_list("community_id", "stage", "status")
        .annotate(n=Count("id"), b=Count("id", filter=Q(open_blockers__gt=0)))
        .values_list("community_id", "stage", "status", "n", "b")
        .order_by()
    ):
        rows[StageCount].append(StageCount(region_id=c, stage=stage, status=status, projects=n, blocked=blocked))
    months: dict = defaultdict(lambda: [0, 0])
    for c, m, n in (
        projects.annotate(m=TruncMonth("created_at")).values_list("community_id", "m").annotate(n=Count("id"))
    ).order_by():
        months[c, _day(m)][0] += n
    done = projects.filter(stage=Stage.IN_SERVICE).exclude(status=Status.WITHDRAWN)
    for c, m, n in (
        done.annotate(m=TruncMonth("stage_entered_at")).values_list("community_id", "m").annotate(n=Count("id"))
    ).order_by():
        months[c, _day(m)][1] += n
    rows[MonthCount] = [MonthCount(region_id=c, month=m, started=s, completed=d) for (c, m), (s, d) in months.items()]
    live = projects.filter(status=Status.ACTIVE, stage_due__isnull=False).exclude(stage=Stage.IN_SERVICE)
    for c, due, n in live.values_list("community_id", "stage_due").annotate(n=Count("id")).order_by():
        rows[DueCount].append(DueCount(region_id=c, due=due, projects=n))
    for c, paid in (
        LedgerEntry.objects.filter(_prefixed(projects_q, "application__project__"))
        .values_list("application__project__community_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        totals[c][0] += yuan_to_fen(paid)
    for c, unpaid, pending in (
        SubsidyApplication.objects.filter(_prefixed(projects_q, "project__"))
        .values_list("project__community_id")
        .annotate(**_due_sums())
        .order_by()
    ):
        totals[c][1] += yuan_to_fen(unpaid + pending)
    for c, n in (
        Vote.objects.filter(_prefixed(projects_q, "project__"), passed=True)
        .values_list("project__community_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        totals[c][2] += n
    rows[RegionTotal] = [
        RegionTotal(region_id=c, paid_fen=p, due_fen=d, votes_passed=v) for c, (p, d, v) in totals.items()
    ]
    return rows


def _write_community_rows(rows: dict) -> int:
    """Save the rows; returns the deepest depth written (0 if none)."""
    ids = {row.region_id for model_rows in rows.values() for row in model_rows}
    depths = {pk: depth_of(path) for pk, path in Region.objects.filter(pk__in=ids).values_list("pk", "path")}
    for model, model_rows in rows.items():
        for row in model_rows:
            row.depth = depths[row.region_id]
        model.objects.bulk_create(model_rows, batch_size=5000)
    return max(depths.values(), default=0)


def _roll_up(*, parent_id: int | None = None, depth: int | None = None) -> None:
    """Rows of one region (`parent_id`), or of every region at `depth`, as the sums of their children's rows."""
    region = Region._meta.db_table
    for model, (keys, sums) in _ROLL_UP.items():
        table = connection.ops.quote_name(model._meta.db_table)
        if parent_id is not None:
            model.objects.filter(region_id=parent_id).delete()
            where, params = "r.parent_id = %s", [parent_id]
        else:
            where, params = "s.depth = %s AND r.parent_id IS NOT NULL", [depth + 1]
        key_cols = "".join(f", s.{k}" for k in keys)
        insert_cols = ", ".join(["region_id", "depth", *keys, *sums])
        sum_cols = ", ".join(f"SUM(s.{c})" for c in sums)
        sql = (
            f"INSERT INTO {table} ({insert_cols}) "  # noqa: S608 - table and column names are ours, values bound
            f"SELECT r.parent_id, s.depth - 1{key_cols}, {sum_cols} "
            f"FROM {table} s JOIN {region} r ON r.id = s.region_id "
            f"WHERE {where} GROUP BY r.parent_id, s.depth{key_cols}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@transaction.atomic
def community_refresh(*, community_id: int) -> None:
    """Rebuild one community's rows from its live rows, then its ancestors' rows from their children's rows.

    The chain of regions is locked root first (one order for every rebuild, so they queue and never deadlock)."""
    community = Region.objects.filter(pk=community_id).values_list("path", flat=True).first()
    if community is None:
        return
    codes = community.strip("/").split("/")
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    locked = Region.objects.select_for_update().filter(path__in=paths).order_by("path")
    chain = list(locked.values_list("pk", flat=True))
    for model in SUMMARIES:
        model.objects.filter(region_id=community_id).delete()
    _write_community_rows(_community_rows(Q(community_id=community_id)))
    for ancestor in reversed(chain[:-1]):
        _roll_up(parent_id=ancestor)


@transaction.atomic
def rebuild_all() -> int:
    """Rebuild every region's rows from the live tables (after a bulk load, or to repair by hand), set-based: one
    grouped query per figure over every project, then one roll-up per level. Returns how many summary rows."""
    for model in SUMMARIES:
        model.objects.all().delete()
    deepest = _write_community_rows(_community_rows(Q()))
    for depth in range(deepest - 1, 0, -1):
        _roll_up(depth=depth)
    return sum(model.objects.count() for model in SUMMARIES)


def mark_changed(community_id: int | None) -> None:
    """Rebuild this community after the current transaction commits (at once outside a transaction)."""
    if community_id is not None:
        transaction.on_commit(lambda: community_refresh(community_id=community_id))
