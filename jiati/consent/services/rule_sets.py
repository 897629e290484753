"""Writes on rule sets: the district office adds a new version of a rule set (or a new rule set) as data.

A version, once created, is never edited: votes record the version that decides them, and a closed vote keeps
the round it was decided under in its stored result. Other thresholds, scopes or rounds are a new version;
`retire_older` takes the earlier versions out of use for new votes (votes already held keep theirs).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.consent import permissions
from jiati.consent.models import RuleRound, RuleSet, RuleTest, Scope
from jiati.core.errors import Refusals, refuse

MAX_ROUNDS = 3
# (measure, counted, out of) → the test's stable name; the combinations a rule may use.
TEST_NAMES = {
    ("area", "participating", "total"): "participating_area",
    ("owners", "participating", "total"): "participating_owners",
    ("area", "agreeing", "participating"): "agreeing_area",
    ("owners", "agreeing", "participating"): "agreeing_owners",
    ("area", "agreeing", "total"): "agreeing_area_of_total",
    ("owners", "agreeing", "total"): "agreeing_owners_of_total",
}
FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_threshold(value) -> Fraction:
    """ "2/3" (or an exact decimal such as "0.75", or a Fraction) → a Fraction in (0, 1]. Raises ValueError."""
    if isinstance(value, Fraction):
        number = value
    else:
        text = str(value or "").strip().replace("／", "/")
        match = FRACTION.match(text)
        if match:
            if int(match.group(2)) == 0:
                raise ValueError(text)
            number = Fraction(int(match.group(1)), int(match.group(2)))
        else:
            try:
                number = Fraction(Decimal(text))
            except (InvalidOperation, ValueError):
                raise ValueError(text) from None
    if not (0 < number <= 1):
        raise ValueError(str(value))
    return number


def _scopes(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [s.strip() for s in (value or []) if s and s.strip()]


def _clean_round(number: int, data: dict) -> dict:
    field = f"round_{number}"
    scope = data.get("scope") or Scope.STAIRWELL
    if scope not in Scope.values:
        raise refuse(_("Round %(n)s: choose who votes.") % {"n": number}, code="invalid_scope", field=field)
    allowed = _scopes(data.get("allowed_scopes")) or [scope]
    if any(s not in Scope.values for s in allowed):
        raise refuse(_("Round %(n)s: unknown scope.") % {"n": number}, code="invalid_scope", field=field)
    if scope not in allowed:
        allowed.insert(0, scope)
    others_scope = data.get("others_scope") or Scope.BUILDING
    if others_scope not in Scope.values:
        raise refuse(
            _("Round %(n)s: choose whose objections count.") % {"n": number}, code="invalid_scope", field=field
        )
    tests = []
    seen = set()
    for test in data.get("tests") or []:
        key = (test.get("measure"), test.get("numerator"), test.get("denominator"))
        if key not in TEST_NAMES:
            raise refuse(
                _(
                    "Round %(n)s: a test counts participating or agreeing owners or area, out of all or of the "
                    "participants."
                )
                % {"n": number},
                code="invalid_test",
                field=field,
            )
        if key in seen:
            raise refuse(_("Round %(n)s: the same test twice.") % {"n": number}, code="duplicate_test", field=field)
        seen.add(key)
        try:
            threshold = parse_threshold(test.get("threshold"))
        except ValueError:
            raise refuse(
                _("Round %(n)s: “%(value)s” is not a threshold; write a fraction such as 2/3 (more than 0, at most 1).")
                % {"n": number, "value": test.get("threshold")},
                code="invalid_threshold",
                field=field,
            ) from None
        tests.append({"key": key, "threshold": threshold})
    if not tests:
        raise refuse(_("Round %(n)s needs at least one test.") % {"n": number}, code="no_tests", field=field)
    return {
        "scope": scope,
        "allowed": ",".join(dict.fromkeys(allowed)),
        "no_objection_from_others": bool(data.get("no_objection_from_others")),
        "others_scope": others_scope,
        "tests": tests,
    }


def _summary(rounds: list[dict]) -> str:
    parts = []
    for number, data in enumerate(rounds, start=1):
        tests = ", ".join(
            f"{TEST_NAMES[t['key']]} ≥ {t['threshold'].numerator}/{t['threshold'].denominator}" for t in data["tests"]
        )
        extra = f", no objection from others ({data['others_scope']})" if data["no_objection_from_others"] else ""
        parts.append(f"#{number} {data['scope']} [{data['allowed']}]{extra}: {tests}")
    return "; ".join(parts)


@transaction.atomic
def rule_set_create(
    *,
    actor,
    code: str,
    name: str,
    rounds: list[dict],
    jurisdiction: str = "",
    legal_basis: str = "",
    description: str = "",
    make_default: bool = False,
    retire_older: bool = False,
) -> RuleSet:
    """Create the next version of the rule set `code` (version 1 of a new code). Each round is a dict:
    `scope`, `allowed_scopes` (list or comma-separated), `no_objection_from_others`, `others_scope` and `tests`
    (each `measure`, `numerator`, `denominator`, `threshold` as a fraction "p/q"). Earlier versions are never
    changed; `retire_older` only takes them out of use for new votes."""
    if not permissions.can_edit_rules(actor):
        raise PermissionDenied
    code = slugify(code or "")[:40]
    with Refusals() as checked:  # every wrong field at once (issue 13)
        if not code:
            checked.add(
                refuse(_("Give the rule set a code (letters, digits, hyphens)."), code="required", field="code")
            )
        if not (name or "").strip():
            checked.add(refuse(_("Give the rule set a name."), code="required", field="name"))
        cleaned = []
        if not rounds:
            checked.add(refuse(_("A rule set needs at least one round."), code="no_rounds", field="rounds"))
        elif len(rounds) > MAX_ROUNDS:
            checked.add(
                refuse(
                    _("A rule set has at most %(n)s rounds.") % {"n": MAX_ROUNDS},
                    code="too_many_rounds",
                    field="rounds",
                )
            )
        else:
            cleaned = [checked(_clean_round, number, data) for number, data in enumerate(rounds, start=1)]
    older = list(RuleSet.objects.select_for_update().filter(code=code))
    version = (RuleSet.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    if retire_older and any(r.is_default for r in older):
        make_default = True  # the default must stay in use
    if make_default:
        RuleSet.objects.filter(is_default=True).update(is_default=False)
    try:
        with transaction.atomic():
            rule_set = RuleSet.objects.create(
                code=code,
                version=version,
                name=name.strip()[:120],
                jurisdiction=(jurisdiction or "").strip()[:120],
                legal_basis=(legal_basis or "").strip()[:255],
                description=(description or "").strip(),
                is_default=make_default,
                is_active=True,
                created_by=actor,
            )
    except IntegrityError:
        raise refuse(
            _("Someone created a version of this rule set at the same moment; try again."), code="version_taken"
        ) from None
    for number, data in enumerate(cleaned, start=1):
        rule_round = RuleRound.objects.create(
            rule_set=rule_set,
            number=number,
            scope=data["scope"],
            allowed_scopes=data["allowed"],
            no_objection_from_others=data["no_objection_from_others"],
            others_scope=data["others_scope"],
        )
        RuleTest.objects.bulk_create(
            RuleTest(
                round=rule_round,
                position=position,
                name=TEST_NAMES[test["key"]],
                measure=test["key"][0],
                numerator=test["key"][1],
                denominator=test["key"][2],
                threshold_numerator=test["threshold"].numerator,
                threshold_denominator=test["threshold"].denominator,
            )
            for position, test in enumerate(data["tests"], start=1)
        )
    retired = []
    if retire_older:
        retired = [r.label for r in older if r.is_active]
        RuleSet.objects.filter(code=code).exclude(pk=rule_set.pk).update(is_active=False)
    audit_record(
        actor=actor,
        instance=rule_set,
        action=AuditAction.CREATE,
        changes={
            "rule_set": [None, rule_set.label],
            "rounds": [None, _summary(cleaned)],
            "default": [None, make_default],
            "retired": [None, ", ".join(retired)] if retired else [None, None],
        },
    )
    return rule_set


def rule_set_rounds_data(rule_set: RuleSet) -> list[dict]:
    """A stored rule set's rounds in the shape `rule_set_create` takes (to start a new version from it)."""
    rounds = []
    for rule_round in rule_set.rounds.order_by("number").prefetch_related("tests"):
        rounds.append(
            {
                "scope": rule_round.scope,
                "allowed_scopes": rule_round.scopes(),
                "no_objection_from_others": rule_round.no_objection_from_others,
                "others_scope": rule_round.others_scope,
                "tests": [
                    {
                        "measure": t.measure,
                        "numerator": t.numerator,
                        "denominator": t.denominator,
                        "threshold": f"{t.threshold_numerator}/{t.threshold_denominator}",
                    }
                    for t in rule_round.tests.all()
                ],
            }
        )
    return rounds
