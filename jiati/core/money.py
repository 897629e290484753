"""Money and area, exact and in one place: yuan with two decimals (fen), areas in m² with two decimals.

Amounts are `Decimal` yuan everywhere (never floats); shares that must add up exactly are computed in whole
fen (integers) and turned back into yuan here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")  # one fen, the smallest amount of money
AREA_STEP = Decimal("0.01")  # areas are recorded to the hundredth of a square metre
ZERO = Decimal("0.00")


def to_yuan(value, *, rounding: str | None = None) -> Decimal:
    """`value` (Decimal, int, str or a float's text) as yuan to the fen; `rounding` as decimal's (default: banker's)."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount.quantize(FEN, rounding=rounding) if rounding else amount.quantize(FEN)


def round_yuan(value) -> Decimal:
    """Yuan to the fen, halves rounded up (the way a payment or a subsidy is rounded)."""
    return to_yuan(value, rounding=ROUND_HALF_UP)


def yuan_to_fen(value) -> int:
    """Whole fen in an amount of yuan (exact when the amount has at most two decimals)."""
    return int(to_yuan(value).scaleb(2))


def fen_to_yuan(fen: int) -> Decimal:
    """Yuan for a whole number of fen."""
    return Decimal(fen).scaleb(-2).quantize(FEN)


def has_whole_fen(value: Decimal) -> bool:
    """True when the amount needs no more than two decimals."""
    return value == value.quantize(FEN)


def to_area(value) -> Decimal:
    """An area in m² to the hundredth."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount.quantize(AREA_STEP)


def has_whole_area_step(value: Decimal) -> bool:
    """True when the area needs no more than two decimals."""
    return value == value.quantize(AREA_STEP)


def yuan(value) -> str:
    """An amount shown to a person, exact to the fen: ¥1,234,567.89, -¥12.00, "—" when unknown."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(FEN)
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"
