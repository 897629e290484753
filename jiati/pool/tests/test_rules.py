"""The pool's arithmetic: the willingness threshold at its boundary, the priority score adding up."""

from decimal import Decimal
from fractions import Fraction

import pytest

from jiati.pool import rules
from jiati.pool.models import Feasibility

DEFAULT = rules.Rules(**rules.DEFAULTS)


@pytest.mark.parametrize(
    ("willing", "dwellings", "expected"),
    [(8, 12, True), (7, 12, False), (2, 3, True), (1, 3, False), (12, 12, True), (0, 0, False)],
)
def test_two_thirds_is_willing_at_the_boundary(willing, dwellings, expected):
    assert rules.is_willing(willing=willing, dwellings=dwellings, rules=DEFAULT) is expected


def test_a_share_that_does_not_divide_evenly_is_exact():
    three_quarters = rules.Rules(**{**rules.DEFAULTS, "willing_numerator": 3, "willing_denominator": 4})
    assert rules.is_willing(willing=9, dwellings=12, rules=three_quarters)
    assert not rules.is_willing(willing=8, dwellings=12, rules=three_quarters)
    # 7 of 9 = 0.777…: above 3/4; 6 of 9 = 0.666…: below.
    assert rules.is_willing(willing=7, dwellings=9, rules=three_quarters)
    assert not rules.is_willing(willing=6, dwellings=9, rules=three_quarters)


INPUTS = [
    rules.PriorityInputs(3, 7, 12, 1, 6, Feasibility.FEASIBLE, 5, True),
    rules.PriorityInputs(0, 0, 0, 0, 4, None, 0, False),
    rules.PriorityInputs(1, 3, 7, 2, 11, Feasibility.CONDITIONAL, 6, False),
    rules.PriorityInputs(5, 9, 18, 0, 9, Feasibility.NOT_FEASIBLE, 17, True),
]
WEIGHTS = [
    DEFAULT,
    rules.Rules(
        **{
            **rules.DEFAULTS,
            "weight_elderly": 7,
            "weight_mobility": 3,
            "weight_floors": 1,
            "weight_feasibility": 0,
            "weight_willingness": 11,
            "weight_cluster": 2,
        }
    ),
    rules.Rules(
        **{
            **rules.DEFAULTS,
            "weight_elderly": 1,
            "weight_mobility": 0,
            "weight_floors": 0,
            "weight_feasibility": 0,
            "weight_willingness": 0,
            "weight_cluster": 0,
        }
    ),
]


@pytest.mark.parametrize("inputs", INPUTS)
@pytest.mark.parametrize("the_rules", WEIGHTS)
def test_the_terms_add_up_to_the_score(inputs, the_rules):
    score = rules.priority_score(inputs, the_rules)
    assert [t.key for t in score.terms] == ["elderly", "mobility", "floors", "feasibility", "willingness", "cluster"]
    assert sum((t.points for t in score.terms), Decimal(0)) == score.total
    assert Decimal(0) <= score.total <= Decimal(100)
    for term in score.terms:
        exact = Fraction(term.weight * 100) * term.value / score.weight_sum
        assert abs(Fraction(term.points) - exact) <= Fraction(1, 200)


def test_score_of_a_known_stairwell_term_by_term():
    # 3 of 7 aged owners, 1 of 12 mobility, 6 storeys (3/6), feasible, 5 of 12 willing, cluster potential.
    score = rules.priority_score(INPUTS[0], DEFAULT)
    points = {t.key: t.points for t in score.terms}
    assert points == {
        "elderly": Decimal("10.71"),  # 25 × 3/7
        "mobility": Decimal("1.67"),  # 20 × 1/12
        "floors": Decimal("7.50"),  # 15 × 1/2
        "feasibility": Decimal("15.00"),
        "willingness": Decimal("8.33"),  # 20 × 5/12
        "cluster": Decimal("5.00"),
    }
    assert score.total == Decimal("48.21")


def test_the_elderly_term_never_lists_ages():
    score = rules.priority_score(INPUTS[0], DEFAULT)
    elderly = next(t for t in score.terms if t.key == "elderly")
    assert "3 of 7" in elderly.explanation and "43%" in elderly.explanation
