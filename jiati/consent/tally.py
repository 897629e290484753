"""The tally: counts → the tests of a rule round → a verdict, and what is still needed to pass.

One code path decides every result: a live vote (counts aggregated by the database), a closed vote
(counts frozen on the row), the `vote_tally` command and the staff upload page (counts from a
spreadsheet). Arithmetic is exact — integers, `Fraction` and `Decimal` — and every test is ≥.

Counting (SPC interpretation on building ownership, Arts. 8–9): one head per owner however many
dwellings he holds (the same `owner` value on several rows is one owner), the developer's unsold stock
one head; abstaining counts as taking part without agreeing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal, InvalidOperation
from fractions import Fraction
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jiati.consent.rules import RoundSpec, TestSpec
from jiati.core.formatting import format_area, format_compared_shares
from jiati.core.money import AREA_STEP
from jiati.core.tabular import TabularError, open_table

# --- counts and verdicts -----------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    owners_total: int
    owners_participating: int
    owners_agreeing: int
    area_total: Decimal
    area_participating: Decimal
    area_agreeing: Decimal
    # Open objections from owners outside the roll (None: not checked, e.g. a spreadsheet).
    objections_from_others: int | None = None

    def value(self, measure: str, basis: str) -> Fraction:
        if measure == "owners":
            number = {
                "total": self.owners_total,
                "participating": self.owners_participating,
                "agreeing": self.owners_agreeing,
            }[basis]
            return Fraction(number)
        area = {"total": self.area_total, "participating": self.area_participating, "agreeing": self.area_agreeing}[
            basis
        ]
        return Fraction(area)


def fraction_text(value: Fraction | None) -> str:
    """Always "p/q" (never "1" for one), reduced."""
    value = value if value is not None else Fraction(0)
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class TestOutcome:
    spec: TestSpec
    numerator_value: Fraction
    denominator_value: Fraction
    ratio: Fraction | None  # None when the denominator is zero (the test then fails)
    passed: bool

    @property
    def ratio_text(self) -> str:
        return fraction_text(self.ratio)

    @property
    def threshold_text(self) -> str:
        return fraction_text(self.spec.threshold)

    @property
    def percent(self) -> int:
        """For a progress bar only (whole percent, rounded down); the decision uses the exact fraction."""
        if self.ratio is None:
            return 0
        return min(100, math.floor(self.ratio * 100))

    @property
    def threshold_percent(self) -> int:
        return math.ceil(self.spec.threshold * 100)

    @property
    def percent_text(self) -> str:
        """e.g. "73.2%", rounded down, for reading only."""
        if self.ratio is None:
            return "—"
        value = Decimal(self.ratio.numerator) * 100 / Decimal(self.ratio.denominator)
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_DOWN)}%"

    @property
    def threshold_text_percent(self) -> str:
        t = self.spec.threshold
        value = Decimal(t.numerator) * 100 / Decimal(t.denominator)
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_CEILING)}%"

    @cached_property
    def _shown(self) -> tuple[str, str]:
        # Worked out once: a verdict's table shows each test's pair four times (issue 18). No language in it.
        return format_compared_shares(self.ratio, self.spec.threshold)

    @property
    def ratio_shown(self) -> str:
        """The share reached, for people: "2/3 (66.7%)" or "73.9%", rounded as the threshold beside it is."""
        return self._shown[0]

    @property
    def threshold_shown(self) -> str:
        """The share required, for people: "2/3 (66.7%)"."""
        return self._shown[1]

    @property
    def numerator_text(self) -> str:
        return _measure_text(self.spec.measure, self.numerator_value)

    @property
    def denominator_text(self) -> str:
        return _measure_text(self.spec.measure, self.denominator_value)

    def label(self) -> str:
        return rule_test_label(self.spec)

    def as_json(self) -> dict:
        return {
            "name": self.spec.name,
            "ratio": self.ratio_text,
            "threshold": self.threshold_text,
            "passed": self.passed,
        }


def _measure_text(measure: str, value: Fraction) -> str:
    if measure == "owners":
        return str(value.numerator // value.denominator)
    return format_area(Decimal(value.numerator) / Decimal(value.denominator))


# Lazy: a label is translated when shown, in the reader's language, and only the one shown (building the whole
# table on every call translated eight labels for one, four times a verdict on the project page; issue 18).
_TEST_LABELS = {
    ("area", "participating", "total"): gettext_lazy("Participating area / all exclusive area"),
    ("owners", "participating", "total"): gettext_lazy("Participating owners / all owners"),
    ("area", "agreeing", "participating"): gettext_lazy("Agreeing area / participating area"),
    ("owners", "agreeing", "participating"): gettext_lazy("Agreeing owners / participating owners"),
    ("area", "agreeing", "total"): gettext_lazy("Agreeing area / all exclusive area"),
    ("owners", "agreeing", "total"): gettext_lazy("Agreeing owners / all owners"),
    ("area", "participating", "participating"): gettext_lazy("Participating area / participating area"),
    ("owners", "participating", "participating"): gettext_lazy("Participating owners / participating owners"),
}


def rule_test_label(spec: TestSpec) -> str:
    return str(_TEST_LABELS[(spec.measure, spec.numerator, spec.denominator)])


def area_text(value: Decimal) -> str:
    """An area for reading and for JSON: always two decimals (85.3 → "85.30"), never rounded away."""
    value = Decimal(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(AREA_STEP)
    return str(value)


def _amount(measure: str, value: Fraction | None) -> int | Decimal | None:
    """A need, rounded up (never understated): whole owners, or m² to the hundredth."""
    if value is None:
        return None
    if measure == "owners":
        return max(0, math.ceil(value))
    return _ceil_area(value)


def _amount_json(measure: str, value) -> int | str | None:
    if value is None:
        return None
    return int(value) if measure == "owners" else area_text(value)


def _amount_from_json(measure: str, value) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if measure == "owners" else Decimal(str(value))


@dataclass(frozen=True)
class TestNeed:
    """Exactly what one failing test needs, on its own.

    `kind` says how the test can be met:
    - "take_part" (participating / all): `more` owners (or m²) who have not voted taking part, whatever they choose;
    - "agree" (agreeing / all): `more` agreeing, whether they have not voted yet or change their vote to agree;
    - "agree_or_switch" (agreeing / participating): either `more` who have not voted, voting agree, or `switch`
      who voted otherwise changing to agree (`more` is None when those who have not voted are not enough);
    - "anyone" (a ratio of the participants with nobody taking part yet): someone taking part.
    """

    spec: TestSpec
    kind: str
    more: int | Decimal | None = None
    switch: int | Decimal | None = None

    def label(self) -> str:
        return rule_test_label(self.spec)

    def text(self) -> str:
        owners = self.spec.measure == "owners"
        more, switch = self.more, self.switch
        if self.kind == "take_part":
            if owners:
                return ngettext(
                    "%(n)s more owner taking part (agreeing, disagreeing or abstaining)",
                    "%(n)s more owners taking part (agreeing, disagreeing or abstaining)",
                    more,
                ) % {"n": more}
            return _("%(area)s m² more taking part (agreeing, disagreeing or abstaining)") % {"area": area_text(more)}
        if self.kind == "agree":
            if owners:
                return ngettext(
                    "%(n)s more owner agreeing (one who has not voted, or one changing to agree)",
                    "%(n)s more owners agreeing (owners who have not voted, or owners changing to agree)",
                    more,
                ) % {"n": more}
            return _("%(area)s m² more agreeing (not yet voted, or changing to agree)") % {"area": area_text(more)}
        if self.kind == "anyone":  # nobody has taken part yet: the first owner, whatever the measure
            return _("at least one owner taking part")
        if self.kind == "anyone_agree":
            return _("at least one owner voting agree")
        # agree_or_switch
        if more is not None and switch:
            if owners:
                return ngettext(
                    "%(n)s more owner who has not voted, voting agree; or %(s)s who voted otherwise changing to agree",
                    "%(n)s more owners who have not voted, voting agree; "
                    "or %(s)s who voted otherwise changing to agree",
                    more,
                ) % {"n": more, "s": switch}
            return _(
                "%(area)s m² more from owners who have not voted, voting agree; or %(switch)s m² of those who "
                "voted otherwise changing to agree"
            ) % {"area": area_text(more), "switch": area_text(switch)}
        if more is not None:
            if owners:
                return ngettext(
                    "%(n)s more owner who has not voted, voting agree",
                    "%(n)s more owners who have not voted, voting agree",
                    more,
                ) % {"n": more}
            return _("%(area)s m² more from owners who have not voted, voting agree") % {"area": area_text(more)}
        if owners:
            return ngettext(
                "%(n)s owner who voted otherwise changing to agree (those who have not voted are not enough)",
                "%(n)s owners who voted otherwise changing to agree (those who have not voted are not enough)",
                switch or 0,
            ) % {"n": switch or 0}
        return _(
            "%(area)s m² of those who voted otherwise changing to agree (those who have not voted are not enough)"
        ) % {"area": area_text(switch or 0)}

    def as_json(self) -> dict:
        measure = self.spec.measure
        return {
            "name": self.spec.name,
            "measure": measure,
            "kind": self.kind,
            "more": _amount_json(measure, self.more),
            "switch": _amount_json(measure, self.switch),
        }


@dataclass(frozen=True)
class Needed:
    """What would make a failing round pass. The owner-count tests and the area tests are separate conditions,
    and both must be met.

    The headline numbers take the shortest way: owners who have not voted, voting agree (`*_more`); when even
    all of them are not enough, owners who voted otherwise changing to agree as well (`*_switch`). `tests`
    says exactly what each failing test needs on its own."""

    owners_more: int = 0
    owners_switch: int = 0
    area_more: Decimal = Decimal(0)
    area_switch: Decimal = Decimal(0)
    objections: int = 0
    tests: tuple[TestNeed, ...] = ()

    @property
    def nothing(self) -> bool:
        return not (self.owners_more or self.owners_switch or self.area_more or self.area_switch or self.objections)

    def owners_text(self) -> str:
        if self.owners_switch and self.owners_more:
            return ngettext(
                "the %(n)s owner who has not voted agreeing, plus %(s)s changing to agree",
                "all %(n)s owners who have not voted agreeing, plus %(s)s changing to agree",
                self.owners_more,
            ) % {"n": self.owners_more, "s": self.owners_switch}
        if self.owners_switch:
            return ngettext("%(n)s owner changing to agree", "%(n)s owners changing to agree", self.owners_switch) % {
                "n": self.owners_switch
            }
        if self.owners_more:
            return ngettext("%(n)s more owner voting agree", "%(n)s more owners voting agree", self.owners_more) % {
                "n": self.owners_more
            }
        return ""

    def area_text(self) -> str:
        if self.area_switch and self.area_more:
            return _("all %(area)s m² not yet voted agreeing, plus %(switch)s m² changing to agree") % {
                "area": area_text(self.area_more),
                "switch": area_text(self.area_switch),
            }
        if self.area_switch:
            return _("%(area)s m² changing to agree") % {"area": area_text(self.area_switch)}
        if self.area_more:
            return _("%(area)s m² more voting agree") % {"area": area_text(self.area_more)}
        return ""

    def objections_text(self) -> str:
        if not self.objections:
            return ""
        return ngettext(
            "%(n)s open objection from other owners settled",
            "%(n)s open objections from other owners settled",
            self.objections,
        ) % {"n": self.objections}

    def parts(self) -> list[str]:
        parts = []
        if owners := self.owners_text():
            parts.append(_("owner count: %(what)s") % {"what": owners})
        if area := self.area_text():
            parts.append(_("exclusive area: %(what)s") % {"what": area})
        if objections := self.objections_text():
            parts.append(objections)
        return parts

    def text(self) -> str:
        """e.g. "owner count: 2 more owners voting agree; exclusive area: 85.30 m² more voting agree (both are
        required)" — the lead owner's most useful number. The owner-count and area conditions are separate:
        each must be met."""
        parts = self.parts()
        if not parts:
            return ""
        joined = _("; ").join(parts)
        if len(parts) == 2:
            joined = _("%(parts)s (both are required)") % {"parts": joined}
        elif len(parts) > 2:
            joined = _("%(parts)s (all of these are required)") % {"parts": joined}
        return joined

    def as_json(self) -> dict:
        return {
            "owners_more": self.owners_more,
            "owners_switch": self.owners_switch,
            "area_more": area_text(self.area_more),
            "area_switch": area_text(self.area_switch),
            "objections": self.objections,
            "tests": [t.as_json() for t in self.tests],
        }

    @classmethod
    def from_json(cls, data: dict, spec: RoundSpec) -> Needed:
        """What was stored with a closed vote (older results have no per-test needs)."""
        specs = {t.name: t for t in spec.tests}
        tests = []
        for item in data.get("tests") or []:
            test = specs.get(item.get("name"))
            if test is None:
                continue
            tests.append(
                TestNeed(
                    spec=test,
                    kind=item.get("kind", "agree_or_switch"),
                    more=_amount_from_json(test.measure, item.get("more")),
                    switch=_amount_from_json(test.measure, item.get("switch")),
                )
            )
        return cls(
            owners_more=int(data.get("owners_more") or 0),
            owners_switch=int(data.get("owners_switch") or 0),
            area_more=Decimal(str(data.get("area_more") or 0)),
            area_switch=Decimal(str(data.get("area_switch") or 0)),
            objections=int(data.get("objections") or 0),
            tests=tuple(tests),
        )


@dataclass(frozen=True)
class Verdict:
    spec: RoundSpec
    counts: Counts
    tests: tuple[TestOutcome, ...]
    passed: bool
    needed: Needed
    objections_checked: bool = False

    def as_json(self) -> dict:
        """The `vote_tally --json` object (also stored on a closed vote)."""
        c = self.counts
        data = {
            "passed": self.passed,
            "owners_total": c.owners_total,
            "owners_participating": c.owners_participating,
            "owners_agreeing": c.owners_agreeing,
            "area_total": str(c.area_total),
            "area_participating": str(c.area_participating),
            "area_agreeing": str(c.area_agreeing),
            "tests": [t.as_json() for t in self.tests],
            "rule_set": self.spec.label,
            "round": self.spec.round_number,
            "still_needed": self.needed.as_json(),
        }
        if self.spec.no_objection_from_others:
            data["objections_from_others"] = c.objections_from_others
        return data


def evaluate(counts: Counts, spec: RoundSpec) -> Verdict:
    """Apply every test of the round to the counts. A zero denominator fails its test."""
    outcomes = []
    for test in spec.tests:
        numerator = counts.value(test.measure, test.numerator)
        denominator = counts.value(test.measure, test.denominator)
        ratio = numerator / denominator if denominator else None
        outcomes.append(
            TestOutcome(
                spec=test,
                numerator_value=numerator,
                denominator_value=denominator,
                ratio=ratio,
                passed=ratio is not None and ratio >= test.threshold,
            )
        )
    objections_checked = spec.no_objection_from_others and counts.objections_from_others is not None
    objections_ok = not objections_checked or counts.objections_from_others == 0
    passed = bool(outcomes) and all(o.passed for o in outcomes) and objections_ok
    return Verdict(
        spec=spec,
        counts=counts,
        tests=tuple(outcomes),
        passed=passed,
        needed=still_needed(counts, spec),
        objections_checked=objections_checked,
    )


def stored_verdict(result: dict, counts: Counts, spec: RoundSpec, passed: bool) -> Verdict:
    """A closed vote's verdict as it was recorded when it closed: the counts frozen on the row, each test's ratio
    and outcome, the overall result and what was still needed, from the stored result — nothing is decided
    again from rows that could have changed since (ballots, objections, the rule set)."""
    stored_tests = {t.get("name"): t for t in result.get("tests") or []}
    outcomes = []
    for test in spec.tests:
        numerator = counts.value(test.measure, test.numerator)
        denominator = counts.value(test.measure, test.denominator)
        row = stored_tests.get(test.name)
        if row is not None:
            ratio = Fraction(row["ratio"]) if denominator else None
            test_passed = bool(row["passed"])
        else:  # pragma: no cover - a result stored without this test (not written by vote_close)
            ratio = numerator / denominator if denominator else None
            test_passed = ratio is not None and ratio >= test.threshold
        outcomes.append(
            TestOutcome(
                spec=test,
                numerator_value=numerator,
                denominator_value=denominator,
                ratio=ratio,
                passed=test_passed,
            )
        )
    needed_data = result.get("still_needed")
    needed = Needed.from_json(needed_data, spec) if needed_data is not None else still_needed(counts, spec)
    return Verdict(
        spec=spec,
        counts=counts,
        tests=tuple(outcomes),
        passed=bool(passed),
        needed=Needed() if passed else needed,
        objections_checked=spec.no_objection_from_others and counts.objections_from_others is not None,
    )


def _bound_new(test: TestSpec, total: Fraction, participating: Fraction, agreeing: Fraction) -> Fraction | None:
    """The least amount x of newly participating-and-agreeing owners/area for this test to pass,
    or None if no amount of new agreeing voters is enough (only changes of mind can help)."""
    t = test.threshold
    if test.denominator == "total":
        current = agreeing if test.numerator == "agreeing" else participating
        return max(Fraction(0), t * total - current)
    if test.numerator == "participating":  # participating / participating: 1 once anyone takes part
        return Fraction(0)
    gap = t * participating - agreeing  # (A + x) ≥ t (P + x)  ⇔  (1 − t) x ≥ t P − A
    if gap <= 0:
        return Fraction(0)
    if t == 1:
        return None
    return gap / (1 - t)


def _needed_for(measure: str, counts: Counts, spec: RoundSpec) -> tuple[Fraction, Fraction]:
    tests = [t for t in spec.tests if t.measure == measure]
    total = counts.value(measure, "total")
    participating = counts.value(measure, "participating")
    agreeing = counts.value(measure, "agreeing")
    remaining = total - participating
    bounds = [_bound_new(t, total, participating, agreeing) for t in tests]
    needs_someone = participating == 0 and any(t.denominator == "participating" for t in tests)
    if all(b is not None for b in bounds):
        more = max(bounds, default=Fraction(0))
        if needs_someone and more == 0:
            # Someone must take part; in m² that is an owner, not "0.01 m²" (still_needed says "one owner").
            more = Fraction(1) if measure == "owners" else Fraction(0)
        if more <= remaining:
            return more, Fraction(0)
    # Even if all who have not voted agree, changes of mind are needed: A' = A + R, P' = N.
    all_agreeing = agreeing + remaining
    switch = Fraction(0)
    for t in tests:
        if t.numerator == "agreeing":
            switch = max(switch, t.threshold * total - all_agreeing)
    return remaining, switch


def _ceil_area(value: Fraction) -> Decimal:
    """Round an area up to 0.01 m² (what is needed must not be understated)."""
    if value <= 0:
        return Decimal(0)
    hundredths = math.ceil(value * 100)
    return (Decimal(hundredths) / 100).quantize(AREA_STEP, rounding=ROUND_CEILING)


def _test_need(test: TestSpec, counts: Counts) -> TestNeed:
    """What this (failing) test needs on its own."""
    t = test.threshold
    total = counts.value(test.measure, "total")
    participating = counts.value(test.measure, "participating")
    agreeing = counts.value(test.measure, "agreeing")
    remaining = total - participating
    smallest = Fraction(1) if test.measure == "owners" else Fraction(AREA_STEP)
    measure = test.measure
    if test.denominator == "total":
        if test.numerator == "participating":
            return TestNeed(spec=test, kind="take_part", more=_amount(measure, t * total - participating))
        return TestNeed(spec=test, kind="agree", more=_amount(measure, t * total - agreeing))
    if participating == 0:  # a share of the participants, and nobody has taken part yet
        # Counted in m², "0.01 m² more" would be true and useless: the need is an owner, of whatever area.
        if test.numerator == "participating":
            return TestNeed(spec=test, kind="anyone", more=_amount(measure, smallest))
        return TestNeed(spec=test, kind="anyone_agree", more=_amount(measure, smallest))
    gap = t * participating - agreeing
    switch = gap if gap > 0 else Fraction(0)
    more = None if t == 1 else max(gap / (1 - t), Fraction(0))
    if more is not None and more > remaining:
        more = None
    return TestNeed(spec=test, kind="agree_or_switch", more=_amount(measure, more), switch=_amount(measure, switch))


def still_needed(counts: Counts, spec: RoundSpec) -> Needed:
    owners_more, owners_switch = _needed_for("owners", counts, spec)
    area_more, area_switch = _needed_for("area", counts, spec)
    owner_tests_pass = all(_passes(t, counts) for t in spec.tests if t.measure == "owners")
    area_tests_pass = all(_passes(t, counts) for t in spec.tests if t.measure == "area")
    if counts.owners_participating == 0 and not (owner_tests_pass and area_tests_pass):
        # Nobody has voted: at least one owner is needed, even where only area is counted.
        owners_more = max(owners_more, Fraction(1))
        owner_tests_pass = False
    return Needed(
        owners_more=0 if owner_tests_pass else math.ceil(owners_more),
        owners_switch=0 if owner_tests_pass else math.ceil(owners_switch),
        area_more=Decimal(0) if area_tests_pass else _ceil_area(area_more),
        area_switch=Decimal(0) if area_tests_pass else _ceil_area(area_switch),
        objections=(counts.objections_from_others or 0) if spec.no_objection_from_others else 0,
        tests=tuple(_test_need(t, counts) for t in spec.tests if not _passes(t, counts)),
    )


def _passes(test: TestSpec, counts: Counts) -> bool:
    denominator = counts.value(test.measure, test.denominator)
    return bool(denominator) and counts.value(test.measure, test.numerator) / denominator >= test.threshold


# --- spreadsheets -------------------------------------------------------------------

HEADER_WORDS = {
    "dwelling": ("dwelling", "房号"),
    "owner": ("owner", "业主"),
    "area": ("area", "面积"),
    "choice": ("choice", "意见"),
}
CHOICE_WORDS = {
    "agree": "agree",
    "disagree": "disagree",
    "abstain": "abstain",
    "absent": "absent",
    "同意": "agree",
    "不同意": "disagree",
    "弃权": "abstain",
    "未参与": "absent",
}
AREA_UNITS = ("平方米", "m²", "m2", "㎡")
MAX_REPORTED_ERRORS = 50


@dataclass
class RowProblem:
    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class TallyInputError(Exception):
    """The file cannot be tallied; each problem names its row."""

    problems: list[RowProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @property
    def first_row(self) -> int | None:
        return next((p.row for p in self.problems if p.row is not None), None)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _area(value) -> Decimal:
    """A cell → an exact Decimal. Spreadsheet numbers arrive as binary floats: their shortest decimal
    form (what the user typed) is used, never float arithmetic."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    for unit in AREA_UNITS:
        text = text.removesuffix(unit).strip()
    return Decimal(text)


def read_rows(source, filename: str) -> Iterator[list]:
    """The raw rows of a .csv or .xlsx file (a path, an upload or bytes) from row 1, blank ones included, so that
    row numbers match what the user sees. Read by the one hardened reader (`jiati.core.tabular`, as the housing
    import reads): the file's size, its cells, rows and parts are bounded, each refusal naming its cause. Numbers
    arrive as floats; `_area` reads their shortest decimal form, never float arithmetic."""
    if Path(filename).suffix.lower() not in (".csv", ".xlsx"):
        raise TallyInputError([RowProblem(None, _("Use a .csv or .xlsx file (got “%(name)s”).") % {"name": filename})])
    return _rows(source, filename)


def _rows(source, filename: str) -> Iterator[list]:
    try:
        with open_table(source, name=filename, max_bytes=settings.JIATI_TALLY_MAX_BYTES) as table:
            expected = 1
            for number, cells in table.rows:
                if number < expected:  # Excel writes rows in order; numbering could not be trusted
                    message = _("the rows of the sheet are out of order; open it in Excel and save it again.")
                    raise TallyInputError([RowProblem(number, message)])
                for _blank in range(expected, number):
                    yield []
                yield cells
                expected = number + 1
    except TabularError as exc:
        raise TallyInputError([RowProblem(exc.row if exc.cell else None, exc.message)]) from exc


@dataclass
class _Owner:
    choice: str
    word: str
    row: int
    area: Decimal = Decimal(0)


def counts_from_rows(rows: Iterable) -> Counts:
    """Tally raw spreadsheet rows (header row first). Refuses the whole file, naming every bad row."""
    problems: list[RowProblem] = []

    def problem(row, message):
        problems.append(RowProblem(row, message))
        if len(problems) >= MAX_REPORTED_ERRORS:
            raise TallyInputError(problems)

    iterator = iter(enumerate(rows, start=1))
    columns: dict[str, int] | None = None
    for number, raw in iterator:
        cells = [_cell_text(c).lower() for c in (raw or ())]
        if not any(cells):
            continue
        columns = {}
        for key, words in HEADER_WORDS.items():
            for index, cell in enumerate(cells):
                if cell.lstrip("\ufeff") in words:
                    columns[key] = index
                    break
        missing = [f"{words[0]}/{words[1]}" for key, words in HEADER_WORDS.items() if key not in columns]
        if missing:
            raise TallyInputError(
                [
                    RowProblem(
                        number,
                        _("the header row lacks the column(s) %(columns)s (expected dwelling,owner,area,choice).")
                        % {"columns": ", ".join(missing)},
                    )
                ]
            )
        break
    if columns is None:
        raise TallyInputError([RowProblem(None, _("The file is empty."))])

    owners: dict[str, _Owner] = {}
    dwellings: dict[str, int] = {}
    data_rows = 0
    for number, raw in iterator:
        raw = list(raw or ())
        values = {key: (raw[index] if index < len(raw) else None) for key, index in columns.items()}
        texts = {key: _cell_text(value) for key, value in values.items()}
        if not any(texts.values()):
            continue
        data_rows += 1
        dwelling, owner, choice_word = texts["dwelling"], texts["owner"], texts["choice"]
        if not dwelling:
            problem(number, _("the dwelling is missing."))
        elif dwelling in dwellings:
            problem(
                number,
                _("dwelling “%(dwelling)s” is already on row %(row)s.")
                % {"dwelling": dwelling, "row": dwellings[dwelling]},
            )
        else:
            dwellings[dwelling] = number
        if not owner:
            problem(number, _("the owner is missing."))
        if texts["area"] == "":
            problem(number, _("the area is missing."))
            area = None
        else:
            try:
                area = _area(values["area"])
                if not area.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problem(number, _("the area “%(value)s” is not a number.") % {"value": texts["area"]})
                area = None
            else:
                if area <= 0:
                    problem(number, _("the area must be greater than zero (got %(value)s).") % {"value": texts["area"]})
                    area = None
        choice = CHOICE_WORDS.get(choice_word.lower())
        if choice is None:
            problem(
                number,
                _("“%(word)s” is not a choice; use agree, disagree, abstain, absent (同意, 不同意, 弃权, 未参与).")
                % {"word": choice_word},
            )
        if not owner or choice is None or area is None:
            continue
        seen = owners.get(owner)
        if seen is None:
            owners[owner] = _Owner(choice=choice, word=choice_word, row=number, area=area)
        elif seen.choice != choice:
            problem(
                number,
                _("owner “%(owner)s” chose “%(choice)s” here but “%(earlier)s” on row %(row)s.")
                % {"owner": owner, "choice": choice_word, "earlier": seen.word, "row": seen.row},
            )
        else:
            seen.area += area
    if problems:
        raise TallyInputError(problems)
    if not data_rows:
        raise TallyInputError([RowProblem(None, _("The file has a header row but no rows below it."))])
    participating = [o for o in owners.values() if o.choice != "absent"]
    agreeing = [o for o in participating if o.choice == "agree"]
    return Counts(
        owners_total=len(owners),
        owners_participating=len(participating),
        owners_agreeing=len(agreeing),
        area_total=sum((o.area for o in owners.values()), Decimal(0)),
        area_participating=sum((o.area for o in participating), Decimal(0)),
        area_agreeing=sum((o.area for o in agreeing), Decimal(0)),
    )


def tally_file(source, filename: str, spec: RoundSpec) -> Verdict:
    """The verdict on a spreadsheet of a paper vote (the command, the staff page and the API all call this with
    the file as it came: a path or an upload, never read whole into memory; a file past JIATI_TALLY_MAX_BYTES is
    refused before it is read)."""
    return evaluate(counts_from_rows(read_rows(source, filename)), spec)
