"""The rule sets shipped with Jiati, as data, and how a round of one becomes a `RoundSpec` for the tally.

The data migration loads `BUILTIN_RULE_SETS` into `RuleSet`/`RuleRound`/`RuleTest`; after that the
database is the source (the district office adds new versions with other thresholds on the rule-set page;
a version, once created, is never edited). `vote_tally` falls back to these definitions when the database
has not been set up — missing, empty or unmigrated — without creating anything, so it works "without
setting anything up".

Every threshold is "以上": the boundary passes (Civil Code Art. 1259), so every test is ≥.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction

from django.db import DatabaseError, connection
from django.utils import translation
from django.utils.translation import gettext_noop, pgettext_lazy

from jiati.consent.models import RuleRound, RuleSet

DEFAULT_RULE = "civil-code-278"

# name, measure, numerator, denominator, threshold (p, q)
ART_278_TESTS = [
    ("participating_area", "area", "participating", "total", (2, 3)),
    ("participating_owners", "owners", "participating", "total", (2, 3)),
    ("agreeing_area", "area", "agreeing", "participating", (3, 4)),
    ("agreeing_owners", "owners", "agreeing", "participating", (3, 4)),
]
PROPERTY_LAW_76_TESTS = [
    ("agreeing_area_of_total", "area", "agreeing", "total", (2, 3)),
    ("agreeing_owners_of_total", "owners", "agreeing", "total", (2, 3)),
]

# Descriptions are stored as their English source and shown in the reader's language (RuleSet.shown_description);
# the Chinese they were first stored as is kept here for the data migration that converts existing rows.
FORMER_DESCRIPTIONS = {
    "参与表决的专有面积和人数均达三分之二以上，参与表决者中同意的专有面积和人数均达四分之三以上。": "civil-code-278",
    "以楼栋为单位：同意的专有面积和人数均占全楼三分之二以上。": "shenzhen-2018",
    "本单元业主按民法典第278条表决通过，且本楼其他业主在表决期间没有未处理的异议。": "beijing-stairwell",
    "第一轮由全小区业主决定是否同意加装电梯，第二轮由本楼栋业主表决具体方案，两轮均按民法典第278条。": (
        "shanghai-two-rounds"
    ),
}

BUILTIN_RULE_SETS: list[dict] = [
    {
        "code": "civil-code-278",
        "version": 1,
        "name": "民法典第二百七十八条",
        "jurisdiction": "全国",
        "legal_basis": "《民法典》第278条第1款第7项、第2款；最高人民法院建筑物区分所有权解释第8、9条",
        "description": gettext_noop(
            "Owners holding two thirds of the exclusive area, and two thirds of the owners, take part; of those "
            "taking part, owners holding three quarters of the area, and three quarters of the owners, agree."
        ),
        "is_default": True,
        "rounds": [{"number": 1, "scope": "stairwell", "allowed": "stairwell,building", "tests": ART_278_TESTS}],
    },
    {
        "code": "shenzhen-2018",
        "version": 1,
        "name": "深圳（2018）楼栋表决",
        "jurisdiction": "深圳市",
        "legal_basis": "深圳市既有住宅加装电梯指导意见（2018）；原《物权法》第76条",
        "description": gettext_noop(
            "By building: owners holding two thirds of the building's exclusive area, and two thirds of its owners, "
            "agree."
        ),
        "rounds": [{"number": 1, "scope": "building", "allowed": "building", "tests": PROPERTY_LAW_76_TESTS}],
    },
    {
        "code": "beijing-stairwell",
        "version": 1,
        "name": "北京 单元表决、其他业主无异议",
        "jurisdiction": "北京市",
        "legal_basis": "北京市老旧小区加装电梯工作意见",
        "description": gettext_noop(
            "The stairwell's owners pass the vote under Art. 278 of the Civil Code, and no other owner of the "
            "building has an open objection during the vote."
        ),
        "rounds": [
            {
                "number": 1,
                "scope": "stairwell",
                "allowed": "stairwell",
                "no_objection": True,
                "others_scope": "building",
                "tests": ART_278_TESTS,
            }
        ],
    },
    {
        "code": "shanghai-two-rounds",
        "version": 1,
        "name": "上海 两轮表决（先小区、后楼栋）",
        "jurisdiction": "上海市",
        "legal_basis": "上海市既有多层住宅加装电梯的若干意见",
        "description": gettext_noop(
            "In the first round the owners of the whole estate decide whether an elevator may be added; in the "
            "second the building's owners vote on the plan. Both rounds follow Art. 278 of the Civil Code."
        ),
        "rounds": [
            {"number": 1, "scope": "estate", "allowed": "estate", "tests": ART_278_TESTS},
            {"number": 2, "scope": "building", "allowed": "building", "tests": ART_278_TESTS},
        ],
    },
]


# The built-in rule sets' name, jurisdiction and legal basis are stored as they were first loaded (Chinese); their
# English sources (context "built-in rule set") are shown in the reader's language. The key is the rule set's code
# and version, and the stored text still being the built-in one: a version the office adds keeps what it typed.
BUILTIN_TEXTS: dict[str, dict] = {
    "civil-code-278": {
        "name": pgettext_lazy("built-in rule set", "Civil Code, Art. 278"),
        "jurisdiction": pgettext_lazy("built-in rule set", "Nationwide"),
        "legal_basis": pgettext_lazy(
            "built-in rule set",
            "Civil Code Art. 278(1)(7) and (2); Supreme People's Court interpretation on the ownership of "
            "building units, Arts. 8 and 9",
        ),
    },
    "shenzhen-2018": {
        "name": pgettext_lazy("built-in rule set", "Shenzhen (2018): vote by building"),
        "jurisdiction": pgettext_lazy("built-in rule set", "Shenzhen"),
        "legal_basis": pgettext_lazy(
            "built-in rule set",
            "Shenzhen guidance on adding elevators to existing homes (2018); former Property Law Art. 76",
        ),
    },
    "beijing-stairwell": {
        "name": pgettext_lazy("built-in rule set", "Beijing: vote by stairwell, no objection from other owners"),
        "jurisdiction": pgettext_lazy("built-in rule set", "Beijing"),
        "legal_basis": pgettext_lazy(
            "built-in rule set", "Beijing working opinions on adding elevators to old estates"
        ),
    },
    "shanghai-two-rounds": {
        "name": pgettext_lazy("built-in rule set", "Shanghai: two rounds (estate first, then building)"),
        "jurisdiction": pgettext_lazy("built-in rule set", "Shanghai"),
        "legal_basis": pgettext_lazy(
            "built-in rule set", "Shanghai opinions on adding elevators to existing multi-storey homes"
        ),
    },
}


def builtin_shown(code: str, version: int, field: str, stored: str) -> str:
    """A built-in rule set's name / jurisdiction / legal basis in the reader's language; anything else as stored."""
    definition = next((d for d in BUILTIN_RULE_SETS if d["code"] == code and d["version"] == version), None)
    source = BUILTIN_TEXTS.get(code, {}).get(field)
    if definition is None or source is None:
        return stored
    with translation.override("en"):
        english = str(source)
    return str(source) if stored in (definition[field], english) else stored


@dataclass(frozen=True)
class TestSpec:
    name: str
    measure: str  # "area" | "owners"
    numerator: str  # "participating" | "agreeing"
    denominator: str  # "total" | "participating"
    threshold: Fraction


@dataclass(frozen=True)
class RoundSpec:
    """Everything the tally needs to decide one round, and the label recorded on the result."""

    code: str
    version: int
    name: str
    round_number: int
    rounds_total: int
    tests: tuple[TestSpec, ...]
    no_objection_from_others: bool = False
    others_scope: str = "building"  # whose objections count: owners of this area who are not on the roll

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def shown_name(self) -> str:
        """The rule set's name in the reader's language if it is a built-in one."""
        return builtin_shown(self.code, self.version, "name", self.name)

    def as_json(self) -> dict:
        """What is stored with a closed vote's result, so its verdict never depends on rows that could change."""
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "round_number": self.round_number,
            "rounds_total": self.rounds_total,
            "no_objection_from_others": self.no_objection_from_others,
            "others_scope": self.others_scope,
            "tests": [
                {
                    "name": t.name,
                    "measure": t.measure,
                    "numerator": t.numerator,
                    "denominator": t.denominator,
                    "threshold": f"{t.threshold.numerator}/{t.threshold.denominator}",
                }
                for t in self.tests
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> RoundSpec:
        return cls(
            code=data["code"],
            version=int(data["version"]),
            name=data["name"],
            round_number=int(data["round_number"]),
            rounds_total=int(data["rounds_total"]),
            no_objection_from_others=bool(data.get("no_objection_from_others")),
            others_scope=data.get("others_scope") or "building",
            tests=tuple(
                TestSpec(
                    name=t["name"],
                    measure=t["measure"],
                    numerator=t["numerator"],
                    denominator=t["denominator"],
                    threshold=Fraction(t["threshold"]),
                )
                for t in data["tests"]
            ),
        )


def _spec_from_builtin(definition: dict, round_number: int) -> RoundSpec:
    rounds = definition["rounds"]
    chosen = next((r for r in rounds if r["number"] == round_number), None)
    if chosen is None:
        raise LookupError(f"{definition['code']} has no round {round_number}")
    return RoundSpec(
        code=definition["code"],
        version=definition["version"],
        name=definition["name"],
        round_number=round_number,
        rounds_total=len(rounds),
        tests=tuple(
            TestSpec(name=n, measure=m, numerator=a, denominator=b, threshold=Fraction(*t))
            for n, m, a, b, t in chosen["tests"]
        ),
        no_objection_from_others=chosen.get("no_objection", False),
        others_scope=chosen.get("others_scope", "building"),
    )


def builtin_spec(code: str, round_number: int = 1) -> RoundSpec:
    """A built-in rule set's round, without the database (tests, and the command before setup)."""
    for definition in BUILTIN_RULE_SETS:
        if definition["code"] == code:
            return _spec_from_builtin(definition, round_number)
    raise LookupError(code)


def spec_for_round(rule_round, *, rounds_total: int | None = None, tests=None) -> RoundSpec:
    """A stored `RuleRound` → its `RoundSpec`: two queries at most, none when the caller read the rule set's round
    count and the round's tests (in order) already (`selectors.round_specs`, for many rounds at once)."""
    rule_set = rule_round.rule_set
    if rounds_total is None:
        rounds_total = rule_set.rounds.count()
    if tests is None:
        tests = rule_round.tests.order_by("position", "id")
    return RoundSpec(
        code=rule_set.code,
        version=rule_set.version,
        name=rule_set.name,
        round_number=rule_round.number,
        rounds_total=rounds_total,
        tests=tuple(
            TestSpec(
                name=t.name,
                measure=t.measure,
                numerator=t.numerator,
                denominator=t.denominator,
                threshold=t.threshold,
            )
            for t in tests
        ),
        no_objection_from_others=rule_round.no_objection_from_others,
        others_scope=rule_round.others_scope,
    )


def parse_rule_label(value: str) -> tuple[str, int | None]:
    """ "civil-code-278" or "civil-code-278@2" → (code, version or None for the latest in use)."""
    code, _sep, version = (value or DEFAULT_RULE).strip().partition("@")
    if version and not version.isdigit():
        raise LookupError(value)
    return code, int(version) if version else None


def database_is_set_up() -> bool:
    """Whether the default database exists, without creating it: connecting to a missing SQLite file would
    create an empty one (the command "without setting anything up" must leave no file behind). Whether it
    is migrated shows when it is read (a DatabaseError, and the built-in definitions decide)."""

    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        name = str(connection.settings_dict.get("NAME") or "")
        if not name or not os.path.isfile(name) or os.path.getsize(name) == 0:
            return False
    return True


def _stored_spec(code: str, version: int | None, round_number: int | None, label: str) -> RoundSpec | None:
    """The spec from the database, None when the database is missing or not migrated (or has no rule sets)."""

    if not database_is_set_up():
        return None
    try:
        rule_sets = RuleSet.objects.filter(code=code)
        rule_set = (
            rule_sets.filter(version=version).first()
            if version is not None
            else rule_sets.filter(is_active=True).order_by("-version").first()
        )
        if rule_set is not None:
            number = round_number or 1
            rule_round = RuleRound.objects.select_related("rule_set").filter(rule_set=rule_set, number=number).first()
            if rule_round is None:
                raise LookupError(f"{rule_set.label} has no round {number}")
            return spec_for_round(rule_round)
        if RuleSet.objects.exists():
            raise LookupError(label)
    except DatabaseError:
        pass  # not migrated (no tables yet): the built-in definitions decide
    return None


def find_spec(label: str, round_number: int | None = None) -> RoundSpec:
    """The spec for a rule label, from the database if it is set up, else from the built-in definitions.

    Raises LookupError naming what was not found."""
    code, version = parse_rule_label(label)
    spec = _stored_spec(code, version, round_number, label)
    if spec is not None:
        return spec
    for definition in BUILTIN_RULE_SETS:
        if definition["code"] == code and (version is None or definition["version"] == version):
            return _spec_from_builtin(definition, round_number or 1)
    raise LookupError(label)


def known_rule_labels() -> list[str]:

    if database_is_set_up():
        try:
            labels = [r.label for r in RuleSet.objects.filter(is_active=True).order_by("code", "-version")]
            if labels:
                return labels
        except DatabaseError:
            pass
    return [f"{d['code']}@{d['version']}" for d in BUILTIN_RULE_SETS]


def builtin_descriptions() -> frozenset[str]:
    """The built-in descriptions' English sources (translated when shown)."""
    return frozenset(d["description"] for d in BUILTIN_RULE_SETS)


def install_builtin_rule_sets(rule_set_model, round_model, test_model) -> None:
    """Create the built-in rule sets that are missing (used by the data migration and the tests)."""
    for definition in BUILTIN_RULE_SETS:
        rule_set, created = rule_set_model.objects.get_or_create(
            code=definition["code"],
            version=definition["version"],
            defaults={
                "name": definition["name"],
                "jurisdiction": definition["jurisdiction"],
                "legal_basis": definition["legal_basis"],
                "description": definition["description"],
                "is_default": definition.get("is_default", False),
            },
        )
        if not created:
            continue
        # The data migration runs with the historical model, which may predate later fields.
        has_others_scope = any(f.name == "others_scope" for f in round_model._meta.get_fields())
        for round_definition in definition["rounds"]:
            extra = {"others_scope": round_definition.get("others_scope", "building")} if has_others_scope else {}
            rule_round = round_model.objects.create(
                rule_set=rule_set,
                number=round_definition["number"],
                scope=round_definition["scope"],
                allowed_scopes=round_definition["allowed"],
                no_objection_from_others=round_definition.get("no_objection", False),
                **extra,
            )
            for position, (name, measure, numerator, denominator, (p, q)) in enumerate(
                round_definition["tests"], start=1
            ):
                test_model.objects.create(
                    round=rule_round,
                    position=position,
                    name=name,
                    measure=measure,
                    numerator=numerator,
                    denominator=denominator,
                    threshold_numerator=p,
                    threshold_denominator=q,
                )
