"""Cost-sharing arithmetic: who pays what, in yuan to the fen, adding up exactly.

Methods (domain.md §3):
- by exclusive area — the legal default (Civil Code Art. 283): weight = area;
- floor coefficient × area — e.g. Guangzhou, floors 1–2 at 0, 3F 0.7 … 9F 1.3: weight = coefficient × area;
- share of the total per floor — e.g. Hangzhou, floors 3–6 pay 10/20/30/40 %: split within a floor by area;
- custom — a weight per dwelling.

Compensation to low floors is paid by the paying owners (it is added to what they share). A household in
hardship pays nothing: its share, computed as if it paid, is recorded as covered and the others' weights
carry it. Subsidy is deducted before sharing. The fen are apportioned by the largest-remainder method on
exact fractions, so the shares always add up to the total, and no float is ever used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

from jiati.core.money import FEN, fen_to_yuan  # noqa: F401  (fen_to_yuan is part of this module's API)


class ShareInputError(ValueError):
    def __init__(self, message: str, field: str = "parameters"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Unit:
    dwelling_id: int
    floor: int
    room: str
    area: Decimal


@dataclass(frozen=True)
class ShareLine:
    unit: Unit
    weight: Fraction
    weight_text: str
    share: Decimal
    covered: Decimal
    compensation: Decimal

    @property
    def net(self) -> Decimal:
        return self.share - self.compensation


@dataclass(frozen=True)
class Sharing:
    lines: tuple[ShareLine, ...]
    owners_part: Decimal  # total cost − subsidy (never below zero)
    compensation_total: Decimal
    owners_pay: Decimal  # what the paying owners share: owners' part + compensation


def to_fen(value: Decimal) -> int:
    scaled = Decimal(value) * 100
    if scaled != scaled.to_integral_value():
        raise ShareInputError(_("Amounts are in yuan to the fen (two decimal places at most)."), field="amount")
    return int(scaled)


def decimal_of(value, *, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ShareInputError(_("“%(value)s” is not a number (%(what)s).") % {"value": value, "what": what}) from None
    if not number.is_finite() or number < 0:
        raise ShareInputError(_("%(what)s must be zero or more.") % {"what": what})
    return number


def apportion(total_fen: int, weights: list[tuple[object, Fraction]], tiebreak: dict) -> dict:
    """Split `total_fen` in proportion to the weights, each part a whole number of fen, summing exactly:
    floors of the exact quotas, then one fen each to the largest remainders (ties: `tiebreak` order)."""
    weight_sum = sum((w for _key, w in weights), Fraction(0))
    if weight_sum <= 0:
        raise ShareInputError(_("Nobody would pay: every weight is zero."))
    parts, remainders = {}, []
    for key, weight in weights:
        quota = Fraction(total_fen) * weight / weight_sum
        whole = quota.numerator // quota.denominator
        parts[key] = whole
        remainders.append((quota - whole, tiebreak[key], key))
    left = total_fen - sum(parts.values())
    for _remainder, _order, key in sorted(remainders, key=lambda r: (-r[0], r[1]))[:left]:
        parts[key] += 1
    return parts


def _floor_table(parameters: dict, name: str, floors: set[int], what: str) -> dict[int, Decimal]:
    table = {}
    raw = parameters.get(name) or {}
    for key, value in raw.items():
        try:
            floor = int(key)
        except (TypeError, ValueError):
            raise ShareInputError(_("“%(value)s” is not a floor number.") % {"value": key}) from None
        table[floor] = decimal_of(value, what=_("%(what)s of floor %(floor)s") % {"what": what, "floor": floor})
    missing = sorted(floors - set(table))
    if missing:
        raise ShareInputError(
            _("Give the %(what)s of floor(s) %(floors)s.") % {"what": what, "floors": ", ".join(map(str, missing))}
        )
    return table


def _weights(units: list[Unit], method: str, parameters: dict) -> dict[int, tuple[Fraction, str]]:
    floors = {u.floor for u in units}
    if method == "area":
        return {u.dwelling_id: (Fraction(u.area), f"{u.area}") for u in units}
    if method == "floor_coefficient":
        coefficients = _floor_table(parameters, "coefficients", floors, _("coefficient"))
        return {
            u.dwelling_id: (Fraction(coefficients[u.floor]) * Fraction(u.area), f"{coefficients[u.floor]} × {u.area}")
            for u in units
        }
    if method == "floor_percent":
        percents = _floor_table(parameters, "percents", floors, _("percentage"))
        total = sum((percents[f] for f in floors), Decimal(0))
        if total != 100:
            raise ShareInputError(
                _("The floors' percentages add up to %(total)s, not 100.") % {"total": format(total.normalize(), "f")}
            )
        floor_area: dict[int, Decimal] = {}
        for u in units:
            floor_area[u.floor] = floor_area.get(u.floor, Decimal(0)) + u.area
        return {
            u.dwelling_id: (
                Fraction(percents[u.floor]) * Fraction(u.area) / Fraction(floor_area[u.floor]),
                f"{format(percents[u.floor].normalize(), 'f')}% × {u.area}/{floor_area[u.floor]}",
            )
            for u in units
        }
    if method == "custom":
        raw = parameters.get("weights") or {}
        weights = {}
        for u in units:
            value = raw.get(str(u.dwelling_id), raw.get(u.room))
            if value is None:
                raise ShareInputError(_("Give a weight for dwelling %(room)s.") % {"room": u.room})
            number = decimal_of(value, what=_("weight of %(room)s") % {"room": u.room})
            weights[u.dwelling_id] = (Fraction(number), f"{number}")
        return weights
    raise ShareInputError(_("Unknown method “%(method)s”.") % {"method": method}, field="method")


def share_costs(
    *,
    units: Iterable[Unit],
    total_cost: Decimal,
    subsidy: Decimal = Decimal(0),
    method: str = "area",
    parameters: dict | None = None,
) -> Sharing:
    """Split the owners' part of `total_cost` between `units`. Raises ShareInputError naming what is wrong."""
    parameters = parameters or {}
    units = sorted(units, key=lambda u: (u.floor, u.room, u.dwelling_id))
    if not units:
        raise ShareInputError(_("The stairwell has no dwellings to share the cost."))
    if total_cost is None or Decimal(total_cost) <= 0:
        raise ShareInputError(_("The total cost must be greater than zero."), field="total_cost")
    owners_part_fen = max(0, to_fen(total_cost) - to_fen(subsidy or Decimal(0)))
    compensation_per_floor = {
        int(k): decimal_of(v, what=_("compensation")) for k, v in (parameters.get("compensation") or {}).items()
    }
    compensation = {u.dwelling_id: to_fen(compensation_per_floor.get(u.floor, Decimal(0))) for u in units}
    hardship = {int(d) for d in parameters.get("hardship") or []}
    unknown = hardship - {u.dwelling_id for u in units}
    if unknown:
        raise ShareInputError(_("A household in hardship must be a dwelling of this stairwell."), field="hardship")
    weights = _weights(units, method, parameters)
    to_share_fen = owners_part_fen + sum(compensation.values())
    order = {u.dwelling_id: (-u.floor, u.room, u.dwelling_id) for u in units}  # spare fen go to the top first
    as_if_all_pay = apportion(to_share_fen, [(u.dwelling_id, weights[u.dwelling_id][0]) for u in units], order)
    payers = [
        (u.dwelling_id, weights[u.dwelling_id][0] if u.dwelling_id not in hardship else Fraction(0)) for u in units
    ]
    if hardship and not any(w for _d, w in payers):
        raise ShareInputError(_("Somebody must pay: every paying household is marked as in hardship."), "hardship")
    final = apportion(to_share_fen, payers, order)
    lines = tuple(
        ShareLine(
            unit=u,
            weight=weights[u.dwelling_id][0],
            weight_text=weights[u.dwelling_id][1],
            share=fen_to_yuan(final[u.dwelling_id]),
            covered=fen_to_yuan(as_if_all_pay[u.dwelling_id]) if u.dwelling_id in hardship else Decimal("0.00"),
            compensation=fen_to_yuan(compensation[u.dwelling_id]),
        )
        for u in units
    )
    return Sharing(
        lines=lines,
        owners_part=fen_to_yuan(owners_part_fen),
        compensation_total=fen_to_yuan(sum(compensation.values())),
        owners_pay=fen_to_yuan(to_share_fen),
    )
