"""The named figures of a region, read from its own summary rows (services keep them equal to the live rows).

A region's rows hold its whole subtree, so any region's figures are a handful of indexed rows; the national
figures are the sum of the root regions' rows. Overdue is counted against today from the projects per due date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from jiati.accounts.scoping import sees_everything
from jiati.core.hooks import collect
from jiati.core.money import fen_to_yuan
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


def own_rows(model, region: Region | None):
    """A summary's rows for a region: its own rows, or the root regions' rows for the whole country."""
    return model.objects.filter(depth=1) if region is None else model.objects.filter(region_id=region.pk)


def figures(*, user, region: Region | None) -> Figures:
    """The region's figures from the summaries (the caller has checked the region with `region_for`)."""
    out = Figures(region=region)
    by_stage: dict[str, int] = defaultdict(int)
    for stage, status, n, blocked in (
        own_rows(StageCount, region)
        .values_list("stage", "status")
        .annotate(n=Sum("projects"), b=Sum("blocked"))
        .values_list("stage", "status", "n", "b")
        .order_by()
    ):
        _count(out, by_stage, stage, status, n)
        if status == Status.ACTIVE and stage != Stage.IN_SERVICE:
            out.blocked += blocked
    out.by_stage = {s.value: by_stage.get(s.value, 0) for s in Stage}
    for month, started, completed in (
        own_rows(MonthCount, region)
        .values_list("month")
        .annotate(s=Sum("started"), c=Sum("completed"))
        .values_list("month", "s", "c")
        .order_by("month")
    ):
        if started:
            out.started_by_month[month] = started
        if completed:
            out.completed_by_month[month] = completed
    today = timezone.localdate()
    out.overdue = own_rows(DueCount, region).filter(due__lt=today).aggregate(n=Sum("projects"))["n"] or 0
    totals = own_rows(RegionTotal, region).aggregate(p=Sum("paid_fen"), d=Sum("due_fen"), v=Sum("votes_passed"))
    out.subsidy_paid = fen_to_yuan(totals["p"] or 0)
    out.subsidy_due = fen_to_yuan(totals["d"] or 0)
    out.votes_passed = totals["v"] or 0
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
    """Per child region: projects (not withdrawn), under way, in service, subsidy paid and due: two reads of the
    children's own summary rows."""
    out = {r.pk: {"projects": 0, "in_service": 0, "under_way": 0, "paid": ZERO, "due": ZERO} for r in regions}
    ids = list(out)
    for pk, stage, status, n in StageCount.objects.filter(region_id__in=ids).values_list(
        "region_id", "stage", "status", "projects"
    ):
        if status == Status.WITHDRAWN:
            continue
        out[pk]["projects"] += n
        if stage == Stage.IN_SERVICE:
            out[pk]["in_service"] += n
        elif status == Status.ACTIVE:
            out[pk]["under_way"] += n
    for pk, paid, due in RegionTotal.objects.filter(region_id__in=ids).values_list("region_id", "paid_fen", "due_fen"):
        out[pk]["paid"] = fen_to_yuan(paid)
        out[pk]["due"] = fen_to_yuan(due)
    return out


def hooked_figures(*, user, region: Region | None) -> list[dict]:
    """What the other apps offer for this region (hook `figures.region_figures`)."""
    return collect("figures", "region_figures", user=user, region=region)
