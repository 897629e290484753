"""The pool's arithmetic, pure and exact: which settings apply, the willingness threshold, the priority score.

No floats: shares are `Fraction`s, the score's terms `Decimal`s rounded to 0.01 each, and the score is the sum of
the rounded terms, so the explanation on a stairwell's page always adds up to the score shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from jiati.pool.models import Feasibility, PoolSettings, _path_prefixes

CENT = Decimal("0.01")

DEFAULTS = {
    "min_storeys": 4,
    "willing_numerator": 2,
    "willing_denominator": 3,
    "weight_elderly": 25,
    "weight_mobility": 20,
    "weight_floors": 15,
    "weight_feasibility": 15,
    "weight_willingness": 20,
    "weight_cluster": 5,
    "typical_cost_base": 400_000,
    "typical_cost_per_storey": 30_000,
}
WEIGHT_FIELDS = (
    "weight_elderly",
    "weight_mobility",
    "weight_floors",
    "weight_feasibility",
    "weight_willingness",
    "weight_cluster",
)
# Floors: a 4-storey stairwell scores 1/6, one of 9 storeys or more scores in full.
FLOORS_FULL_FROM = 9
# An estate with at least this many feasible stairwells in the pool can take an estate-wide design.
CLUSTER_MIN_FEASIBLE = 3


@dataclass(frozen=True)
class Rules:
    """The pool settings in force for a region (a saved row's values, or the defaults)."""

    min_storeys: int
    willing_numerator: int
    willing_denominator: int
    weight_elderly: int
    weight_mobility: int
    weight_floors: int
    weight_feasibility: int
    weight_willingness: int
    weight_cluster: int
    typical_cost_base: int
    typical_cost_per_storey: int
    source: PoolSettings | None = None

    @property
    def willing_share(self) -> Fraction:
        return Fraction(self.willing_numerator, self.willing_denominator)

    def weights(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in WEIGHT_FIELDS}


def rules_for_path(path: str | None) -> Rules:
    """The settings of the nearest region at or above this path that has some, else the defaults."""
    if path:
        rows = {
            row.region.path: row
            for row in PoolSettings.objects.filter(region__path__in=_path_prefixes(path)).select_related("region")
        }
        for prefix in reversed(_path_prefixes(path)):
            if prefix in rows:
                row = rows[prefix]
                return Rules(**{name: getattr(row, name) for name in DEFAULTS}, source=row)
    return Rules(**DEFAULTS)


class RulesBook:
    """Every region's settings read once, for work over many communities (a bulk refresh of priorities)."""

    def __init__(self) -> None:
        self._rows = {row.region.path: row for row in PoolSettings.objects.select_related("region")}
        self._cache: dict[str, Rules] = {}

    def for_path(self, path: str) -> Rules:
        if path not in self._cache:
            found = next((self._rows[p] for p in reversed(_path_prefixes(path)) if p in self._rows), None)
            self._cache[path] = (
                Rules(**{name: getattr(found, name) for name in DEFAULTS}, source=found) if found else Rules(**DEFAULTS)
            )
        return self._cache[path]


def rules_for_user(user, region=None) -> Rules:
    if region is not None:
        return rules_for_path(region.path)
    if getattr(user, "region_id", None):
        return rules_for_path(user.region.path)
    return Rules(**DEFAULTS)


def is_willing(*, willing: int, dwellings: int, rules: Rules) -> bool:
    """At least the configured share of the stairwell's dwellings answered "willing" (≥, exactly)."""
    if dwellings <= 0:
        return False
    return willing * rules.willing_denominator >= rules.willing_numerator * dwellings


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    weight: int
    value: Fraction  # 0..1
    explanation: str
    points: Decimal  # weight × value × 100 ÷ Σ weights, to 0.01


@dataclass(frozen=True)
class Score:
    terms: tuple[Term, ...]
    total: Decimal  # the sum of the terms' points

    @property
    def weight_sum(self) -> int:
        return sum(t.weight for t in self.terms)


@dataclass(frozen=True)
class PriorityInputs:
    """What the score of one stairwell is computed from (`selectors.priority_inputs`)."""

    owners_elderly: int
    owners_known_age: int
    dwellings: int
    dwellings_with_mobility_need: int
    storeys: int
    feasibility: str | None  # the current assessment's result, None if not assessed
    willing: int
    cluster_potential: bool
    ages_change_on: dt.date | None = None  # not a score input: the next day an owner turns 70 (the share changes)


TERM_LABELS = {
    "weight_elderly": _("Owners aged 70 or more"),
    "weight_mobility": _("Recorded mobility needs"),
    "weight_floors": _("Floors"),
    "weight_feasibility": _("Feasibility"),
    "weight_willingness": _("Willingness"),
    "weight_cluster": _("Cluster potential"),
}
FEASIBILITY_VALUE = {
    Feasibility.FEASIBLE: Fraction(1),
    Feasibility.CONDITIONAL: Fraction(1, 2),
    None: Fraction(1, 4),  # not assessed yet: worth a visit
    Feasibility.NOT_FEASIBLE: Fraction(0),
}


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def _percent(value: Fraction) -> str:
    return f"{Decimal(value.numerator * 100) / Decimal(value.denominator):.0f}%"


def priority_score(inputs: PriorityInputs, rules: Rules) -> Score:
    """The transparent score (0–100): each term is weight × value (0–1), scaled so that the weights sum to 100."""
    from django.utils.translation import gettext

    values: dict[str, tuple[Fraction, str]] = {
        "weight_elderly": (
            _share(inputs.owners_elderly, inputs.owners_known_age),
            gettext("%(n)s of %(m)s owners whose age is known are 70 or older")
            % {"n": inputs.owners_elderly, "m": inputs.owners_known_age},
        ),
        "weight_mobility": (
            _share(inputs.dwellings_with_mobility_need, inputs.dwellings),
            gettext("%(n)s of %(m)s dwellings have a recorded mobility need")
            % {"n": inputs.dwellings_with_mobility_need, "m": inputs.dwellings},
        ),
        "weight_floors": (
            Fraction(min(max(inputs.storeys - 3, 0), FLOORS_FULL_FROM - 3), FLOORS_FULL_FROM - 3),
            gettext("%(n)s storeys (full marks from %(full)s)") % {"n": inputs.storeys, "full": FLOORS_FULL_FROM},
        ),
        "weight_feasibility": (
            FEASIBILITY_VALUE[inputs.feasibility],
            str(dict(Feasibility.choices).get(inputs.feasibility, gettext("Not assessed yet"))),
        ),
        "weight_willingness": (
            _share(inputs.willing, inputs.dwellings),
            gettext("%(n)s of %(m)s dwellings answered “willing”") % {"n": inputs.willing, "m": inputs.dwellings},
        ),
        "weight_cluster": (
            Fraction(1 if inputs.cluster_potential else 0),
            gettext("The estate has %(n)s or more feasible stairwells, or the project is in a cluster")
            % {"n": CLUSTER_MIN_FEASIBLE}
            if inputs.cluster_potential
            else gettext("No estate-wide design in sight"),
        ),
    }
    weights = rules.weights()
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise ValueError("all weights are zero")
    terms = []
    for name in WEIGHT_FIELDS:
        value, explanation = values[name]
        exact = Fraction(weights[name] * 100) * value / weight_sum
        points = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)
        terms.append(
            Term(
                key=name.removeprefix("weight_"),
                label=str(TERM_LABELS[name]),
                weight=weights[name],
                value=value,
                explanation=f"{explanation} ({_percent(value)})",
                points=points,
            )
        )
    return Score(terms=tuple(terms), total=sum((t.points for t in terms), Decimal("0.00")))
