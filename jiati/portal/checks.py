"""The public self-check and cost estimate: plain rules on what a visitor types, no personal data, no writes.

The self-check answers "can our building get an elevator?" from the pool's rules (minimum storeys), the
stairwell's feasibility assessment when one is on record, and what the visitor says about the space. The cost
estimate models a stairwell of equal dwellings and splits a typical cost, less the subsidy in force, with the
consent app's cost-sharing arithmetic, so the figures follow the same rules as a real scheme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.consent.models import CostMethod
from jiati.consent.sharing import Unit, share_costs
from jiati.core.errors import refuse
from jiati.core.formatting import format_money
from jiati.core.money import FEN
from jiati.pool.models import Feasibility
from jiati.pool.rules import Rules, rules_for_path
from jiati.subsidies import rules as subsidy_rules

POSSIBLE = "possible"
CONDITIONAL = "conditional"
NOT_POSSIBLE = "not_possible"
HAS_ELEVATOR = "has_elevator"

SPACE_YES, SPACE_NO, SPACE_UNSURE = "yes", "no", "unsure"

# Walk-ups are at most about 11 storeys; taller buildings were built with elevators. Beyond these bounds a
# typed value is a typing mistake, and the visitor is told so rather than given an answer.
MAX_STOREYS = 40
OLDEST_YEAR = 1900
# Structures older than this need a structural appraisal before a shaft is attached.
APPRAISAL_BEFORE_YEAR = 1980


@dataclass(frozen=True)
class SelfCheck:
    verdict: str
    reasons: list[str] = field(default_factory=list)
    next_step: str = ""


def _refuse_all(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({name: [refuse(message, code="implausible")] for name, message in errors.items()})


def check_building(
    *,
    storeys: int,
    year_built: int | None,
    space: str,
    min_storeys: int,
    has_elevator: bool = False,
    assessment=None,
) -> SelfCheck:
    """Whether a retrofit is possible, why, and what to do next. Impossible values are refused, all at once."""
    errors = {}
    if storeys < 1 or storeys > MAX_STOREYS:
        errors["storeys"] = _("A building has between 1 and %(max)s storeys; please check the number.") % {
            "max": MAX_STOREYS
        }
    this_year = timezone.localdate().year
    if year_built is not None and not OLDEST_YEAR <= year_built <= this_year:
        errors["year_built"] = _("The year must be between %(first)s and %(last)s.") % {
            "first": OLDEST_YEAR,
            "last": this_year,
        }
    _refuse_all(errors)
    if has_elevator:
        return SelfCheck(HAS_ELEVATOR, [_("Your stairwell already has an elevator.")])
    if storeys < min_storeys:
        return SelfCheck(
            NOT_POSSIBLE,
            [
                _("The programme adds elevators to buildings of %(min)s storeys or more; yours has %(storeys)s.")
                % {"min": min_storeys, "storeys": storeys}
            ],
            _("For handrails, ramps or other help at home, ask your community's service window."),
        )
    if assessment is not None and assessment.result == Feasibility.NOT_FEASIBLE:
        return SelfCheck(
            NOT_POSSIBLE,
            [_("A site assessment found it not possible: %(why)s.") % {"why": "、".join(assessment.obstacle_labels())}],
            _("If things have changed (pipes moved, space freed), ask for a new assessment at the service window."),
        )
    if space == SPACE_NO and assessment is None:
        return SelfCheck(
            NOT_POSSIBLE,
            [_("An elevator needs free ground next to the stairwell, about 3 m by 3 m, clear of fire lanes.")],
            _("Ask staff to come and look: a slimmer shaft or moving a pipe sometimes makes room."),
        )
    reasons = []
    if assessment is not None and assessment.result == Feasibility.CONDITIONAL:
        reasons.append(
            _("A site assessment found it possible on conditions: %(what)s") % {"what": assessment.conditions}
        )
    if assessment is None and space == SPACE_UNSURE:
        reasons.append(_("Whether there is space is decided by a site visit."))
    if year_built is not None and year_built < APPRAISAL_BEFORE_YEAR:
        reasons.append(
            _("Buildings from before %(year)s need a check of the structure first.") % {"year": APPRAISAL_BEFORE_YEAR}
        )
    next_step = _(
        "Talk with your neighbours: at least two thirds of the owners must take part in the vote and three quarters "
        "of them agree. Choose a lead owner and come to the service window."
    )
    if reasons:
        return SelfCheck(CONDITIONAL, reasons, next_step)
    return SelfCheck(POSSIBLE, [_("Nothing we know of stands in the way.")], next_step)


@dataclass(frozen=True)
class SchemeShare:
    name: str
    how: str
    share: Decimal


@dataclass(frozen=True)
class Estimate:
    total_cost: Decimal
    subsidy: Decimal
    subsidy_note: str
    owners_part: Decimal
    dwellings: int
    shares: list[SchemeShare]
    assumptions: list[str]
    cost_source: str = ""


def typical_cost(storeys: int, rules: Rules) -> Decimal:
    """The district's typical contract price (pool settings; by default ¥400,000 + ¥30,000 a storey)."""
    return (Decimal(rules.typical_cost_base) + Decimal(rules.typical_cost_per_storey) * storeys).quantize(FEN)


def _floor_coefficients(storeys: int) -> dict[str, str]:
    """The common floor-coefficient table: floors 1–2 pay nothing, 3F 0.7, each floor above 0.1 more."""
    return {str(f): "0" if f <= 2 else str(Decimal("0.7") + Decimal("0.1") * (f - 3)) for f in range(1, storeys + 1)}


def estimate_share(
    *,
    storeys: int,
    floor: int,
    area: Decimal,
    per_floor: int,
    total_cost: Decimal | None,
    community=None,
    on: dt.date | None = None,
) -> Estimate:
    """My estimated share under the common schemes, after the subsidy in force for the area today."""
    errors = {}
    if not 2 <= storeys <= MAX_STOREYS:
        errors["storeys"] = _("A building has between 2 and %(max)s storeys; please check the number.") % {
            "max": MAX_STOREYS
        }
    elif not 1 <= floor <= storeys:
        errors["floor"] = _("Your floor must be between 1 and %(storeys)s, the building's storeys.") % {
            "storeys": storeys
        }
    if not Decimal(5) <= area <= Decimal(500):
        errors["area"] = _("The area on a home's certificate is between 5 and 500 m².")
    if not 1 <= per_floor <= 8:
        errors["per_floor"] = _("A stairwell has between 1 and 8 homes on each floor.")
    if total_cost is not None and not Decimal(10000) <= total_cost <= Decimal(5000000):
        errors["total_cost"] = _("An elevator costs between ¥10,000 and ¥5,000,000; please check the amount.")
    _refuse_all(errors)
    if total_cost is not None:
        cost, cost_source = total_cost.quantize(FEN), _("The price you entered.")
    else:
        rules = rules_for_path(community.path if community is not None else None)
        cost = typical_cost(storeys, rules)
        cost_source = _(
            "No price entered: a typical price in the district, %(base)s plus %(per_storey)s per storey, "
            "as set by %(by)s."
        ) % {
            "base": format_money(rules.typical_cost_base),
            "per_storey": format_money(rules.typical_cost_per_storey),
            "by": rules.source.region.name if rules.source is not None else _("the district office (default)"),
        }
    subsidy, subsidy_note = Decimal("0.00"), _("No subsidy policy is in force here today.")
    policy = None
    if community is not None:
        policy = subsidy_rules.applicable_policy(community=community, on=on or timezone.localdate())
    if policy is not None:
        calculation = subsidy_rules.calculate(policy, storeys=storeys, cost=cost)
        subsidy = min(calculation.total, cost)
        subsidy_note = _("Under “%(policy)s”, in force since %(start)s.") % {
            "policy": policy.name,
            "start": policy.effective_from.isoformat(),
        }
        if calculation.unmet:
            subsidy_note = _("“%(policy)s” pays only for buildings of %(min)s storeys or more.") % {
                "policy": policy.name,
                "min": policy.min_storeys,
            }
    units, mine = [], None
    for f in range(1, storeys + 1):
        for n in range(1, per_floor + 1):
            unit = Unit(dwelling_id=f * 100 + n, floor=f, room=f"{f}0{n}", area=area)
            units.append(unit)
            if f == floor and n == 1:
                mine = unit
    shares = []
    for method, parameters, how in [
        (CostMethod.AREA, {}, _("Each home pays in proportion to its area (the Civil Code's default).")),
        (
            CostMethod.FLOOR_COEFFICIENT,
            {"coefficients": _floor_coefficients(storeys)},
            _("Floors 1 and 2 pay nothing; from floor 3 up, area × a coefficient: 0.7 on floor 3, 0.1 more per floor."),
        ),
    ]:
        sharing = share_costs(units=units, total_cost=cost, subsidy=subsidy, method=method, parameters=parameters)
        line = next(line for line in sharing.lines if line.unit == mine)
        shares.append(SchemeShare(name=str(CostMethod(method).label), how=how, share=line.share))
    assumptions = [
        _("The elevator costs %(cost)s in all (design, equipment, building works).") % {"cost": format_money(cost)},
        _("Every home in the stairwell has the same area as yours, %(per_floor)s homes on each floor.")
        % {"per_floor": per_floor},
        _("Every owner pays; nobody is excused for hardship and nobody is compensated."),
        _("The real split is what the owners agree in writing; this is only a guide."),
    ]
    return Estimate(
        total_cost=cost,
        subsidy=subsidy,
        subsidy_note=subsidy_note,
        owners_part=max(cost - subsidy, Decimal("0.00")),
        dwellings=len(units),
        shares=shares,
        assumptions=assumptions,
        cost_source=cost_source,
    )
