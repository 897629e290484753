"""Figures a vote shows people: both sides of a test rounded alike, no raw fractions, no "0.01 m²" before anyone
voted (issue 13)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from jiati.consent import rules, tally

TWO_THIRDS_AREA = rules.TestSpec(
    name="area", measure="area", numerator="agreeing", denominator="participating", threshold=Fraction(2, 3)
)


def outcome(ratio: Fraction) -> tally.TestOutcome:
    return tally.TestOutcome(
        spec=TWO_THIRDS_AREA,
        numerator_value=ratio,
        denominator_value=Fraction(1),
        ratio=ratio,
        passed=ratio >= TWO_THIRDS_AREA.threshold,
    )


def test_a_share_that_meets_the_law_reads_the_same_as_the_law():
    met = outcome(Fraction(2, 3))
    assert met.ratio_shown == met.threshold_shown == "2/3 (66.7%)"


def test_a_share_just_short_never_reads_equal_to_the_requirement():
    short = outcome(Fraction(66665, 100000))
    assert not short.passed
    assert short.ratio_shown != short.threshold_shown
    assert short.ratio_shown == "66.665%" and short.threshold_shown == "2/3 (66.667%)"


def test_ratios_of_measured_sums_are_percentages_not_raw_fractions():
    assert outcome(Fraction(64281, 86944)).ratio_shown == "73.9%"
    assert outcome(Fraction(0)).ratio_shown == "0.0%"
    assert "/" not in outcome(Fraction(64281, 86944)).ratio_shown


def test_before_anyone_voted_the_need_is_an_owner_not_a_hundredth_of_a_square_metre():
    spec = rules.RoundSpec(code="x", version=1, name="x", round_number=1, rounds_total=1, tests=(TWO_THIRDS_AREA,))
    counts = tally.Counts(
        owners_total=12,
        owners_participating=0,
        owners_agreeing=0,
        area_total=Decimal("960.00"),
        area_participating=Decimal(0),
        area_agreeing=Decimal(0),
    )
    needed = tally.still_needed(counts, spec)
    text = needed.text() + " ".join(t.text() for t in needed.tests)
    assert "0.01" not in text
    assert "1 more owner voting agree" in text and "at least one owner voting agree" in text
