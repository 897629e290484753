"""Keeping the summaries equal to the live data.

Choice (docs/decisions.md, "Statistics"): the summary rows of a community are recomputed from its live rows after
the commit of any transaction that saved one of its projects, subsidy files or ledger entries (signals collect
the communities; `transaction.on_commit` rebuilds each once). Recomputing a community is a few grouped queries
over an indexed column, so it costs the same whatever changed, and it cannot drift: there is no delta arithmetic
to get wrong, and a change made by any service (or the admin) is caught without each service remembering to call
us. Rebuilding after the commit, under a row lock on the community, reads only committed rows, so two concurrent
writers cannot leave an older picture behind.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from jiati.organisation.models import Region
from jiati.projects.models import Project, Stage, Status
from jiati.stats.models import MonthCount, StageCount, SubsidyTotal

ZERO = Decimal("0.00")


def _subsidy_sums(projects_q: Q) -> dict:
    """Paid (the ledger's sum) and due but unpaid (approved and not paid, plus the amount worked out for files not
    yet approved), for the projects matching `projects_q` (a filter on project fields, prefixed as given)."""
    from jiati.subsidies.models import PENDING, LedgerEntry, SubsidyApplication
    from jiati.subsidies.models import Status as FileStatus

    paid = LedgerEntry.objects.filter(_prefixed(projects_q, "application__project__")).aggregate(
        total=Coalesce(Sum("amount"), ZERO)
    )["total"]
    live = ~Q(project__status=Status.WITHDRAWN)
    sums = SubsidyApplication.objects.filter(_prefixed(projects_q, "project__")).aggregate(
        unpaid=Coalesce(
            Sum(F("approved_amount") - F("paid_amount"), filter=live & Q(status=FileStatus.APPROVED)), ZERO
        ),
        pending=Coalesce(Sum("amount_due", filter=live & Q(status__in=PENDING)), ZERO),
    )
    return {"paid": paid, "due": sums["unpaid"] + sums["pending"]}


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


@transaction.atomic
def community_refresh(*, community_id: int) -> None:
    """Rebuild one community's summary rows from its live rows (locked on the community, so rebuilds queue)."""
    community = Region.objects.select_for_update().filter(pk=community_id).first()
    if community is None:
        return
    rows = live_rows(Q(community_id=community_id))
    StageCount.objects.filter(community_id=community_id).delete()
    StageCount.objects.bulk_create(
        StageCount(community_id=community_id, path=community.path, stage=stage, status=status, projects=n)
        for (stage, status), n in rows["stages"].items()
    )
    MonthCount.objects.filter(community_id=community_id).delete()
    MonthCount.objects.bulk_create(
        MonthCount(community_id=community_id, path=community.path, month=m, started=s, completed=c)
        for m, (s, c) in rows["months"].items()
    )
    SubsidyTotal.objects.update_or_create(
        community_id=community_id, defaults={"path": community.path, "paid": rows["paid"], "due": rows["due"]}
    )


def rebuild_all() -> int:
    """Rebuild every community that has projects (after a bulk load, or to repair by hand). Returns how many."""
    ids = list(Project.objects.values_list("community_id", flat=True).distinct().order_by())
    StageCount.objects.exclude(community_id__in=ids).delete()
    MonthCount.objects.exclude(community_id__in=ids).delete()
    SubsidyTotal.objects.exclude(community_id__in=ids).delete()
    for pk in ids:
        community_refresh(community_id=pk)
    return len(ids)


def mark_changed(community_id: int | None) -> None:
    """Rebuild this community after the current transaction commits (at once outside a transaction)."""
    if community_id is not None:
        transaction.on_commit(lambda: community_refresh(community_id=community_id))
