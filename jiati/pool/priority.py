"""The stored priority score (`StairwellPriority`): refreshed from the live rows when an input changes, rescored in
one UPDATE when a region's weights change.

Why stored: the pool is sorted and filtered by priority over a whole district (the nation: ~1.8 M stairwells), which
a score computed page by page cannot do. Why it does not drift:
- a refresh recomputes a stairwell's inputs from the live rows with the same selector and arithmetic the stairwell's
  page uses to explain the score (`selectors.priority_inputs`, `rules.priority_score`) — never a delta;
- the pool's services refresh what they change inside their own transaction; saves in housing and projects (owners,
  ownerships, dwellings, storeys, cluster membership), which may not import the pool, are caught by signals and
  refreshed once after their commit (as the statistics summaries are, docs/decisions.md "Statistics");
- a refresh locks the stored rows first, so of two concurrent refreshes the later one reads what the earlier one
  committed;
- an owner turning 70 changes the share with nothing saved: `ages_change_on` is the next such day, and the daily
  sweep refreshes the stairwells whose day has come;
- the set-based rescore computes, in SQL integers, exactly what `rules.priority_score` computes with `Decimal`s:
  each term is round-half-up(weight × 10000 × n ÷ (d × Σ weights)) hundredths, the score their sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from jiati.core import after_commit
from jiati.housing.models import Stairwell
from jiati.pool import rules, selectors
from jiati.pool.models import Feasibility, PoolSettings, StairwellPriority

BATCH = 500
STORED_INPUTS = (
    "owners_elderly",
    "owners_known_age",
    "dwellings",
    "dwellings_with_mobility_need",
    "storeys",
    "willing",
    "cluster_potential",
    "ages_change_on",
)


def hundredths(score: rules.Score) -> int:
    return int(score.total * 100)


@transaction.atomic
def priority_refresh(*, stairwell_ids: Iterable[int]) -> int:
    """Recompute the stored inputs and score of these stairwells from the live rows. Returns how many."""
    ids = sorted({pk for pk in stairwell_ids if pk})
    book = rules.RulesBook()
    for start in range(0, len(ids), BATCH):
        _refresh(ids[start : start + BATCH], book)
    return len(ids)


def _refresh(ids: list[int], book: rules.RulesBook) -> None:
    # Lock first (in id order, so two refreshes cannot deadlock); then read: on PostgreSQL each statement after the
    # lock sees what the holder before us committed.
    list(StairwellPriority.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    stairwells = list(
        Stairwell.objects.filter(pk__in=ids).select_related("community").only("pk", "estate_id", "storeys", "community")
    )
    inputs = selectors.priority_inputs(stairwells)
    now = timezone.now()
    rows = []
    for stairwell in stairwells:
        values = inputs[stairwell.pk]
        score = rules.priority_score(values, book.for_path(stairwell.community.path))
        rows.append(
            StairwellPriority(
                stairwell_id=stairwell.pk,
                community_id=stairwell.community_id,
                **{name: getattr(values, name) for name in STORED_INPUTS},
                feasibility=values.feasibility or "",  # "" = not assessed yet
                score_hundredths=hundredths(score),
                computed_at=now,
            )
        )
    StairwellPriority.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["stairwell"],
        update_fields=["community", *STORED_INPUTS, "feasibility", "score_hundredths", "computed_at"],
    )


def priority_refresh_estates(*, estate_ids: Iterable[int]) -> int:
    """Refresh every stairwell of these estates: one estate's assessments change its neighbours' cluster potential."""
    return priority_refresh(
        stairwell_ids=Stairwell.objects.filter(estate_id__in=set(estate_ids)).values_list("pk", flat=True)
    )


def priority_rebuild(*, community_ids: Iterable[int] | None = None) -> int:
    """Recompute every stairwell (of these communities), a batch per transaction: after a bulk load, or to repair."""
    queryset = Stairwell.objects.order_by("pk")
    if community_ids is not None:
        queryset = queryset.filter(community_id__in=list(community_ids))
    done, last = 0, 0
    while True:
        ids = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        done += priority_refresh(stairwell_ids=ids)
        last = ids[-1]


def priority_refresh_aged() -> int:
    """The daily sweep: stairwells where an owner has turned 70 since the score was computed, and any stairwell
    without a stored score yet (written in bulk, or before the score was stored)."""
    today = timezone.localdate()
    aged = set(StairwellPriority.objects.filter(ages_change_on__lte=today).values_list("pk", flat=True))
    missing = set(Stairwell.objects.filter(pool_priority__isnull=True).values_list("pk", flat=True))
    ids = sorted(aged | missing)
    return sum(priority_refresh(stairwell_ids=ids[i : i + BATCH]) for i in range(0, len(ids), BATCH))


# --- a new weight set: one UPDATE -------------------------------------------------------------------------------


def _points(weight: int, value: Fraction, weight_sum: int) -> int:
    """A term in hundredths, rounded half up: exactly `rules.priority_score`'s rounding."""
    return math.floor(Fraction(weight * 10000) * value / weight_sum + Fraction(1, 2))


def _share_term(weight: int, weight_sum: int, part: str, whole: str):
    """round-half-up(weight × 10000 × part ÷ (whole × Σ)) in integer SQL: ⌊(2·w·10000·part + whole·Σ) ÷ (2·whole·Σ)⌋."""
    if weight == 0:
        return Value(0, output_field=BigIntegerField())
    part_, whole_ = Cast(F(part), BigIntegerField()), Cast(F(whole), BigIntegerField())
    return Case(
        When(
            **{f"{whole}__gt": 0},
            then=(part_ * Value(2 * weight * 10000) + whole_ * Value(weight_sum)) / (whole_ * Value(2 * weight_sum)),
        ),
        default=Value(0),
        output_field=BigIntegerField(),
    )


def score_expression(the_rules: rules.Rules):
    """The score in hundredths from a row's stored inputs, as one SQL expression."""
    weights = the_rules.weights()
    total = sum(weights.values())
    w_floors, w_feasible, w_cluster = weights["weight_floors"], weights["weight_feasibility"], weights["weight_cluster"]
    full = rules.FLOORS_FULL_FROM - 3
    floors = Case(
        When(storeys__lte=3, then=Value(0)),
        *[
            When(storeys=storeys, then=Value(_points(w_floors, Fraction(storeys - 3, full), total)))
            for storeys in range(4, rules.FLOORS_FULL_FROM)
        ],
        default=Value(_points(w_floors, Fraction(1), total)),
        output_field=BigIntegerField(),
    )
    feasibility = Case(
        When(feasibility="", then=Value(_points(w_feasible, rules.FEASIBILITY_VALUE[None], total))),
        *[
            When(feasibility=result, then=Value(_points(w_feasible, rules.FEASIBILITY_VALUE[result], total)))
            for result in Feasibility
        ],
        default=Value(0),
        output_field=BigIntegerField(),
    )
    cluster = Case(
        When(cluster_potential=True, then=Value(_points(w_cluster, Fraction(1), total))),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    return (
        _share_term(weights["weight_elderly"], total, "owners_elderly", "owners_known_age")
        + _share_term(weights["weight_mobility"], total, "dwellings_with_mobility_need", "dwellings")
        + floors
        + feasibility
        + _share_term(weights["weight_willingness"], total, "willing", "dwellings")
        + cluster
    )


def governed_regions(region):
    """The regions whose pool settings are this region's: its subtree, less the regions under it (and their
    subtrees) with settings of their own."""
    from jiati.organisation.models import Region

    governed = Region.objects.filter(path__startswith=region.path)
    for path in (
        PoolSettings.objects.filter(region__path__startswith=region.path)
        .exclude(region=region)
        .values_list("region__path", flat=True)
    ):
        governed = governed.exclude(path__startswith=path)
    return governed


def priority_rescore(*, region) -> int:
    """After a region's weights change: every stored score its settings govern, in one UPDATE from the stored
    inputs. Returns how many rows."""
    return StairwellPriority.objects.filter(community_id__in=governed_regions(region).values("pk")).update(
        score_hundredths=score_expression(rules.rules_for_path(region.path)), computed_at=timezone.now()
    )


# --- saves elsewhere: refreshed once, after their commit ------------------------------------------------------

_PENDING = "pool_priority"


def mark_changed(stairwell_ids: Iterable[int | None]) -> None:
    """Refresh these stairwells after the current transaction commits (at once outside a transaction), each once
    however many saves touched it."""
    after_commit.refresh_once(_PENDING, stairwell_ids, _refresh_marked)


def _refresh_marked(ids: set[int]) -> None:
    priority_refresh(stairwell_ids=ids)


def flush_pending() -> None:
    """Refresh the stairwells marked so far (a test calls it as if its setup had committed)."""
    priority_refresh(stairwell_ids=after_commit.take(_PENDING))
