"""Reads of the pool: the candidates with their state, coverage figures, priority inputs, targets' progress and
cluster suggestions. Every figure is one aggregate in the database (no Python loop over rows), scoped to the
user, and each one is the count of the same filter the list behind it applies (`filtersets.COVERAGE_FILTERS`),
so a figure and its list always agree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from jiati.housing.models import Dwelling, Ownership, Stairwell
from jiati.pool import ages, rules
from jiati.pool.models import (
    FEASIBLE_RESULTS,
    Assessment,
    MobilityNeed,
    Survey,
    Target,
)
from jiati.projects.models import STAGE_ORDER, EventKind, Project, ProjectEvent, Stage, Status

# Construction has begun (开工) from the foundation on; "in service" is the last stage.
STARTED_STAGES = tuple(STAGE_ORDER[STAGE_ORDER.index(Stage.FOUNDATION) : STAGE_ORDER.index(Stage.IN_SERVICE)])


def live_projects():
    return Project.objects.exclude(status=Status.WITHDRAWN)


def pool_q(min_storeys: int) -> Q:
    """Candidates: enough storeys and no elevator — or a live project already (the elevator it gets keeps it in the
    pool's figures)."""
    return Q(has_elevator=False, storeys__gte=min_storeys) | Q(
        Exists(live_projects().filter(stairwell_id=OuterRef("pk")))
    )


def with_pool_state(queryset):
    """Annotate the pool state of each stairwell in SQL: feasible, willing, started, in service, its live project."""
    current_assessment = Assessment.objects.filter(stairwell_id=OuterRef("pk"), is_current=True)
    current_survey = Survey.objects.filter(stairwell_id=OuterRef("pk"), is_current=True)
    project = live_projects().filter(stairwell_id=OuterRef("pk"))
    return queryset.annotate(
        feasibility=Subquery(current_assessment.values("result")[:1]),
        is_feasible=Exists(current_assessment.filter(result__in=FEASIBLE_RESULTS)),
        is_willing=Exists(current_survey.filter(is_willing=True)),
        survey_id=Subquery(current_survey.values("pk")[:1]),
        project_id=Subquery(project.values("pk")[:1]),
        project_stage=Subquery(project.values("stage")[:1]),
        is_started=Exists(project.filter(stage__in=STARTED_STAGES)),
        is_in_service=Exists(project.filter(stage=Stage.IN_SERVICE)),
    )


def pool_stairwells(*, user, region=None):
    """The pool as this user sees it (under `region` if given), with its state annotated."""
    the_rules = rules.rules_for_user(user, region)
    queryset = Stairwell.objects.visible_to(user).filter(pool_q(the_rules.min_storeys))
    if region is not None:
        queryset = queryset.filter(community__path__startswith=region.path)
    return with_pool_state(queryset)


def with_priority(queryset):
    """Annotate the stored priority score in hundredths (`StairwellPriority`; 0 until the first refresh)."""
    return queryset.annotate(priority=Coalesce(F("pool_priority__score_hundredths"), 0))


def priority_order(queryset):
    """Highest priority first, ties newest first: the order of the sorted page, its export and the API."""
    return queryset.order_by("-priority", "-pk")


# The coverage figures, each a filter on the annotated pool (also the list's `coverage` filter).
COVERAGE_FILTERS: dict[str, Q] = {
    "pool": Q(),
    "feasible": Q(is_feasible=True),
    "willing_feasible": Q(is_feasible=True, is_willing=True),
    "started": Q(is_started=True),
    "in_service": Q(is_in_service=True),
    "feasible_done": Q(is_feasible=True) & (Q(is_started=True) | Q(is_in_service=True)),
    "willing_feasible_done": Q(is_feasible=True, is_willing=True) & (Q(is_started=True) | Q(is_in_service=True)),
}


@dataclass(frozen=True)
class Coverage:
    pool: int
    feasible: int
    willing_feasible: int
    started: int
    in_service: int
    feasible_done: int
    willing_feasible_done: int

    @property
    def willing_rate(self) -> Fraction | None:
        """愿装尽装: started or in service among the willing-and-feasible."""
        return Fraction(self.willing_feasible_done, self.willing_feasible) if self.willing_feasible else None

    @property
    def feasible_rate(self) -> Fraction | None:
        """可装尽装: started or in service among the feasible."""
        return Fraction(self.feasible_done, self.feasible) if self.feasible else None


def coverage(*, user, region=None) -> Coverage:
    """The coverage of a region (or of the user's whole area): one aggregate query."""
    counts = pool_stairwells(user=user, region=region).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in COVERAGE_FILTERS.items()}
    )
    return Coverage(**counts)


def coverage_by_child(*, user, region) -> list[tuple]:
    """(child region, coverage) for each subdistrict or community directly under `region`: one query per child."""
    from jiati.organisation.models import Region

    children = Region.objects.visible_to(user).filter(parent=region).order_by("path")
    return [(child, coverage(user=user, region=child)) for child in children]


def rate_text(rate: Fraction | None) -> str:
    if rate is None:
        return "—"
    return f"{rate.numerator * 1000 // rate.denominator / 10:.1f}%"


# --- priority -------------------------------------------------------------------------------------------------------


def priority_inputs(stairwells: list[Stairwell]) -> dict[int, rules.PriorityInputs]:
    """The score inputs of these stairwells (a page of a list, or one): a fixed number of queries."""
    ids = [s.pk for s in stairwells]
    if not ids:
        return {}
    today = timezone.localdate()
    owner_ids = defaultdict(set)
    id_numbers = {}
    for stairwell_id, owner_id, kind, id_number in Ownership.objects.filter(dwelling__stairwell_id__in=ids).values_list(
        "dwelling__stairwell_id", "owner_id", "owner__kind", "owner__id_number"
    ):
        if kind == "person":
            owner_ids[stairwell_id].add(owner_id)
            id_numbers[owner_id] = id_number
    dwellings = dict(
        Dwelling.objects.filter(stairwell_id__in=ids)
        .values("stairwell_id")
        .annotate(n=Count("pk"))
        .values_list("stairwell_id", "n")
    )
    needs = dict(
        MobilityNeed.objects.filter(stairwell_id__in=ids, is_active=True)
        .values("stairwell_id")
        .annotate(n=Count("dwelling_id", distinct=True))
        .values_list("stairwell_id", "n")
    )
    assessed = dict(
        Assessment.objects.filter(stairwell_id__in=ids, is_current=True).values_list("stairwell_id", "result")
    )
    willing = dict(
        Survey.objects.filter(stairwell_id__in=ids, is_current=True).values_list("stairwell_id", "willing_count")
    )
    estates = {s.estate_id for s in stairwells}
    feasible_per_estate = dict(
        Assessment.objects.filter(estate_id__in=estates, is_current=True, result__in=FEASIBLE_RESULTS)
        .values("estate_id")
        .annotate(n=Count("pk"))
        .values_list("estate_id", "n")
    )
    clustered = set(
        live_projects().filter(stairwell_id__in=ids, cluster__isnull=False).values_list("stairwell_id", flat=True)
    )
    result = {}
    for stairwell in stairwells:
        numbers = [id_numbers[o] for o in owner_ids[stairwell.pk]]
        elderly, known = ages.elderly_count(numbers, on=today)
        result[stairwell.pk] = rules.PriorityInputs(
            owners_elderly=elderly,
            owners_known_age=known,
            dwellings=dwellings.get(stairwell.pk, 0),
            dwellings_with_mobility_need=needs.get(stairwell.pk, 0),
            storeys=stairwell.storeys,
            feasibility=assessed.get(stairwell.pk),
            willing=willing.get(stairwell.pk, 0),
            cluster_potential=stairwell.pk in clustered
            or feasible_per_estate.get(stairwell.estate_id, 0) >= rules.CLUSTER_MIN_FEASIBLE,
            ages_change_on=ages.next_elderly_day(numbers, on=today),
        )
    return result


def priority_scores(stairwells: list[Stairwell], the_rules: rules.Rules) -> dict[int, rules.Score]:
    return {pk: rules.priority_score(inputs, the_rules) for pk, inputs in priority_inputs(stairwells).items()}


# --- targets --------------------------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year in the district's time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def progress_counts(*, region, year: int) -> dict[str, int]:
    """Projects whose construction started, and elevators that entered service, in this region in this year."""
    start, end = year_bounds(year)
    events = ProjectEvent.objects.filter(
        kind=EventKind.STAGE,
        at__gte=start,
        at__lt=end,
        project__community__path__startswith=region.path,
    ).exclude(project__status=Status.WITHDRAWN)
    return events.aggregate(
        projects_started=Count("project", filter=Q(to_stage=Stage.FOUNDATION), distinct=True),
        elevators_in_service=Count("project", filter=Q(to_stage=Stage.IN_SERVICE), distinct=True),
    )


def targets_with_progress(*, user, year: int) -> list[dict]:
    """The visible targets of a year with their progress: two grouped queries (counts per community), summed up
    the tree per target — a loop over communities, never over projects."""
    from jiati.organisation.models import Region

    targets = list(Target.objects.visible_to(user).filter(year=year).select_related("region__parent", "set_by"))
    if not targets:
        return []
    start, end = year_bounds(year)
    prefixes = Q()
    for target in targets:
        prefixes |= Q(project__community__path__startswith=target.region.path)
    per_community = (
        ProjectEvent.objects.filter(prefixes, kind=EventKind.STAGE, at__gte=start, at__lt=end)
        .exclude(project__status=Status.WITHDRAWN)
        .values("project__community_id")
        .annotate(
            started=Count("project", filter=Q(to_stage=Stage.FOUNDATION), distinct=True),
            in_service=Count("project", filter=Q(to_stage=Stage.IN_SERVICE), distinct=True),
        )
    )
    counts = {row["project__community_id"]: row for row in per_community}
    paths = dict(Region.objects.filter(pk__in=counts).values_list("pk", "path"))
    rows = []
    for target in targets:
        under = [counts[pk] for pk, path in paths.items() if path.startswith(target.region.path)]
        started = sum(row["started"] for row in under)
        in_service = sum(row["in_service"] for row in under)
        rows.append(
            {
                "target": target,
                "started": started,
                "in_service": in_service,
                "started_percent": _percent(started, target.projects_started),
                "in_service_percent": _percent(in_service, target.elevators_in_service),
            }
        )
    return rows


def _percent(done: int, target: int) -> int | None:
    return min(done * 100 // target, 100) if target else None


# --- clusters -------------------------------------------------------------------------------------------------------


def cluster_suggestions(*, user, limit: int = 20) -> list[dict]:
    """Estates with several feasible stairwells in the pool not yet in a cluster: candidates for one design."""
    from jiati.housing.models import Estate

    feasible = (
        pool_stairwells(user=user)
        .filter(is_feasible=True)
        .exclude(Exists(live_projects().filter(stairwell_id=OuterRef("pk"), cluster__isnull=False)))
    )
    counts = list(
        feasible.values("estate_id")
        .annotate(n=Count("pk"), willing=Count("pk", filter=Q(is_willing=True)))
        .filter(n__gte=rules.CLUSTER_MIN_FEASIBLE)
        .order_by("-n", "estate_id")[:limit]
    )
    estates = Estate.objects.in_bulk([row["estate_id"] for row in counts])
    return [{"estate": estates[row["estate_id"]], "feasible": row["n"], "willing": row["willing"]} for row in counts]


def cluster_members(cluster) -> list[Project]:
    return list(
        Project.objects.filter(cluster=cluster)
        .with_schedule_state()
        .select_related("stairwell__building")
        .annotate(dwellings=Count("stairwell__dwellings", distinct=True))
        .annotate(area=Sum("stairwell__dwellings__exclusive_area"))
        .order_by("stairwell__building__number", "stairwell__number")
    )


def cluster_allocation(cluster, members: list[Project] | None = None) -> list[dict]:
    """Each shared work's cost split across the member projects to the fen by its rule (largest remainder, the same
    arithmetic as owners' cost sharing: the parts always add up to the cost)."""
    from jiati.consent.sharing import apportion, fen_to_yuan, to_fen
    from jiati.pool.models import AllocationRule, ClusterWork

    members = members if members is not None else cluster_members(cluster)
    order = {p.pk: index for index, p in enumerate(members)}
    allocations = []
    for work in ClusterWork.objects.filter(cluster=cluster).order_by("id"):
        if not members:
            allocations.append({"work": work, "parts": []})
            continue
        if work.rule == AllocationRule.DWELLINGS:
            weights = [(p.pk, Fraction(p.dwellings or 0)) for p in members]
        elif work.rule == AllocationRule.AREA:
            weights = [(p.pk, Fraction(p.area or 0)) for p in members]
        else:
            weights = [(p.pk, Fraction(1)) for p in members]
        if sum(w for _k, w in weights) <= 0:
            weights = [(p.pk, Fraction(1)) for p in members]
        parts = apportion(to_fen(work.cost), weights, order)
        allocations.append({"work": work, "parts": [(p, fen_to_yuan(parts[p.pk])) for p in members]})
    return allocations
