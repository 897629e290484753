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

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Length, Replace, TruncDate, TruncMonth

from jiati.core import after_commit
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


def _depth(path_field: str):
    """A region's depth computed in SQL from its path: the number of "/" less one."""
    return Length(path_field) - Length(Replace(path_field, Value("/"), Value(""))) - 1


def _insert(model, columns: str, select: str, queries: list) -> None:
    """INSERT INTO the model's table (`columns`) the rows of `select`, whose {0}, {1}… are the queries' SQL."""
    compiled = [q.query.get_compiler(using=q.db).as_sql() for q in queries]
    sql = select.format(*(f"({part})" for part, _params in compiled))
    params = [p for _part, part_params in compiled for p in part_params]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


def _insert_community_rows(projects_q: Q) -> None:
    """The summary rows of the communities of the projects matching `projects_q`, computed from their live rows by
    the database: one INSERT … SELECT per summary, the SELECTs written by the ORM (the same on every database)."""
    from jiati.consent.models import Vote
    from jiati.subsidies.models import LedgerEntry, SubsidyApplication

    projects = Project.objects.filter(projects_q).annotate(d=_depth("community__path"))
    stages = (
        projects.values_list("community_id", "d", "stage", "status")
        .annotate(n=Count("id"), b=Count("id", filter=Q(open_blockers__gt=0)))
        .order_by()
    )
    _insert(
        StageCount,
        "region_id, depth, stage, status, projects, blocked",
        "SELECT community_id, d, stage, status, n, b FROM {0} s",
        [stages],
    )
    # Months in the district's calendar: the local date's month.
    started = (
        projects.annotate(m=TruncMonth(TruncDate("created_at")))
        .values_list("community_id", "d", "m")
        .annotate(n=Count("id"))
    ).order_by()
    done = projects.filter(stage=Stage.IN_SERVICE).exclude(status=Status.WITHDRAWN)
    completed = (
        done.annotate(m=TruncMonth(TruncDate("stage_entered_at")))
        .values_list("community_id", "d", "m")
        .annotate(n=Count("id"))
    ).order_by()
    _insert(
        MonthCount,
        "region_id, depth, month, started, completed",
        "SELECT community_id, d, m, SUM(s), SUM(c) FROM ("
        "SELECT community_id, d, m, n AS s, 0 AS c FROM {0} a UNION ALL SELECT community_id, d, m, 0, n FROM {1} b"
        ") u GROUP BY community_id, d, m",
        [started, completed],
    )
    live = projects.filter(status=Status.ACTIVE, stage_due__isnull=False).exclude(stage=Stage.IN_SERVICE)
    dues = live.values_list("community_id", "d", "stage_due").annotate(n=Count("id")).order_by()
    _insert(DueCount, "region_id, depth, due, projects", "SELECT community_id, d, stage_due, n FROM {0} s", [dues])
    paid = (
        LedgerEntry.objects.filter(_prefixed(projects_q, "application__project__"))
        .annotate(c=F("application__project__community_id"), d=_depth("application__project__community__path"))
        .values_list("c", "d")
        .annotate(p=Sum("amount"))
        .order_by()
    )
    due = (
        SubsidyApplication.objects.filter(_prefixed(projects_q, "project__"))
        .annotate(c=F("project__community_id"), d=_depth("project__community__path"))
        .values_list("c", "d")
        .annotate(**_due_sums())
        .order_by()
    )
    votes = (
        Vote.objects.filter(_prefixed(projects_q, "project__"), passed=True)
        .annotate(c=F("project__community_id"), d=_depth("project__community__path"))
        .values_list("c", "d")
        .annotate(n=Count("id"))
        .order_by()
    )
    _insert(
        RegionTotal,
        "region_id, depth, paid_fen, due_fen, votes_passed",
        "SELECT c, d, CAST(ROUND(SUM(p) * 100) AS BIGINT), CAST(ROUND(SUM(du) * 100) AS BIGINT), SUM(v) FROM ("
        "SELECT c, d, p, 0 AS du, 0 AS v FROM {0} a UNION ALL SELECT c, d, 0, unpaid + pending, 0 FROM {1} b "
        "UNION ALL SELECT c, d, 0, 0, n FROM {2} e) u GROUP BY c, d",
        [paid, due, votes],
    )


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
    _insert_community_rows(Q(community_id=community_id))
    for ancestor in reversed(chain[:-1]):
        _roll_up(parent_id=ancestor)


@transaction.atomic
def rebuild_all() -> int:
    """Rebuild every region's rows from the live tables (after a bulk load, or to repair by hand), set-based: one
    INSERT … SELECT per summary over every project, then one roll-up per level. Returns how many summary rows."""
    after_commit.take(_PENDING)  # every community is rebuilt here: the commit need not redo the ones marked so far
    for model in SUMMARIES:
        model.objects.all().delete()
    _insert_community_rows(Q())
    deepest = StageCount.objects.order_by("-depth").values_list("depth", flat=True).first() or 0
    for depth in range(deepest - 1, 0, -1):
        _roll_up(depth=depth)
    return sum(model.objects.count() for model in SUMMARIES)


_PENDING = "stats_communities"


def mark_changed(community_id: int | None) -> None:
    """Rebuild this community after the current transaction commits (at once outside a transaction), once however
    many saves in the transaction touched it."""
    after_commit.refresh_once(_PENDING, [community_id], _refresh_marked)


def _refresh_marked(community_ids: set[int]) -> None:
    for community_id in sorted(community_ids):
        community_refresh(community_id=community_id)
