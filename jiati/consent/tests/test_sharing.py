"""Cost sharing: by area, floor coefficients, floor percentages, custom weights; compensation, hardship and
the subsidy; every share to the fen and the shares adding up exactly."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiati.consent import services
from jiati.consent.models import CostScheme, CostShare
from jiati.consent.sharing import ShareInputError, Unit, apportion, share_costs
from jiati.housing.models import Dwelling


def units(per_floor=2, floors=6, area="80.00"):
    return [
        Unit(dwelling_id=f * 10 + u, floor=f, room=f"{f}0{u}", area=Decimal(area))
        for f in range(1, floors + 1)
        for u in range(1, per_floor + 1)
    ]


def shares(result) -> dict[str, Decimal]:
    return {line.unit.room: line.share for line in result.lines}


def test_by_area_the_shares_add_up_to_the_fen():
    # 100,000.00 over three equal dwellings: 33,333.33 ×3 = 99,999.99; the spare fen goes to one dwelling.
    three = [Unit(1, 1, "101", Decimal("70")), Unit(2, 2, "201", Decimal("70")), Unit(3, 3, "301", Decimal("70"))]
    result = share_costs(units=three, total_cost=Decimal("100000.00"))
    assert sorted(shares(result).values()) == [Decimal("33333.33"), Decimal("33333.33"), Decimal("33333.34")]
    assert sum(shares(result).values()) == Decimal("100000.00")
    assert shares(result)["301"] == Decimal("33333.34")  # ties go to the top floor, which gains most


def test_largest_remainders_on_exact_fractions():
    parts = apportion(100, [("a", Fraction(1)), ("b", Fraction(1)), ("c", Fraction(1))], {"a": 1, "b": 2, "c": 3})
    assert parts == {"a": 34, "b": 33, "c": 33}
    parts = apportion(10, [("a", Fraction(2, 3)), ("b", Fraction(1, 3))], {"a": 1, "b": 2})
    assert parts == {"a": 7, "b": 3}


def test_guangzhou_floor_coefficients():
    """domain.md §3: floors 1–2 pay nothing; 3F 0.7 … 9F 1.3; coefficient × area × cost ÷ Σ coefficient × area."""
    coefficients = {
        "1": "0",
        "2": "0",
        "3": "0.7",
        "4": "0.8",
        "5": "0.9",
        "6": "1.0",
        "7": "1.1",
        "8": "1.2",
        "9": "1.3",
    }
    nine = units(per_floor=1, floors=9, area="75.00")
    result = share_costs(
        units=nine,
        total_cost=Decimal("630000.00"),
        method="floor_coefficient",
        parameters={"coefficients": coefficients},
    )
    by_room = shares(result)
    assert by_room["101"] == by_room["201"] == Decimal("0.00")
    # Σ coefficient × area = 7.0 × 75 = 525; one unit of coefficient × area pays 630000/525 = 1200 yuan.
    assert by_room["301"] == Decimal("63000.00")  # 0.7 × 75 × 1200
    assert by_room["901"] == Decimal("117000.00")  # 1.3 × 75 × 1200
    assert sum(by_room.values()) == Decimal("630000.00")


def test_hangzhou_floor_percentages():
    """Floors 1–2 nothing; 3–6 pay 10 %, 20 %, 30 %, 40 % of the owners' part, split within a floor by area."""
    six = units(per_floor=2, floors=6)
    result = share_costs(
        units=six,
        total_cost=Decimal("400000.00"),
        method="floor_percent",
        parameters={"percents": {"1": "0", "2": "0", "3": "10", "4": "20", "5": "30", "6": "40"}},
    )
    by_room = shares(result)
    assert by_room["301"] == by_room["302"] == Decimal("20000.00")
    assert by_room["601"] == Decimal("80000.00")
    assert sum(by_room.values()) == Decimal("400000.00")
    with pytest.raises(ShareInputError, match="add up to 90"):
        share_costs(
            units=six,
            total_cost=Decimal("1"),
            method="floor_percent",
            parameters={"percents": {"1": "0", "2": "0", "3": "10", "4": "20", "5": "30", "6": "30"}},
        )


def test_custom_weights_by_room():
    result = share_costs(
        units=units(per_floor=1, floors=3),
        total_cost=Decimal("1000.00"),
        method="custom",
        parameters={"weights": {"101": "0", "201": "1", "301": "3"}},
    )
    assert shares(result) == {"101": Decimal("0.00"), "201": Decimal("250.00"), "301": Decimal("750.00")}


def test_subsidy_deducted_and_compensation_paid_by_the_others():
    six = units(per_floor=1, floors=6)
    result = share_costs(
        units=six,
        total_cost=Decimal("500000.00"),
        subsidy=Decimal("126000.00"),
        method="floor_coefficient",
        parameters={
            "coefficients": {"1": "0", "2": "0", "3": "1", "4": "1", "5": "1", "6": "1"},
            "compensation": {"1": "6000.00"},
        },
    )
    assert result.owners_part == Decimal("374000.00")
    assert result.compensation_total == Decimal("6000.00")
    assert result.owners_pay == Decimal("380000.00")
    lines = {line.unit.room: line for line in result.lines}
    assert lines["101"].net == Decimal("-6000.00")  # receives compensation, pays nothing
    assert lines["301"].share == Decimal("95000.00")
    assert sum(line.net for line in result.lines) == Decimal("374000.00")


def test_a_household_in_hardship_is_covered_by_the_others():
    three = [Unit(1, 3, "301", Decimal("80")), Unit(2, 4, "401", Decimal("80")), Unit(3, 5, "501", Decimal("80"))]
    result = share_costs(units=three, total_cost=Decimal("90000.00"), parameters={"hardship": [1]})
    lines = {line.unit.room: line for line in result.lines}
    assert lines["301"].share == Decimal("0.00") and lines["301"].covered == Decimal("30000.00")
    assert lines["401"].share == lines["501"].share == Decimal("45000.00")
    assert sum(line.share for line in result.lines) == Decimal("90000.00")
    with pytest.raises(ShareInputError, match="Somebody must pay"):
        share_costs(units=three, total_cost=Decimal("1.00"), parameters={"hardship": [1, 2, 3]})


def test_subsidy_above_the_cost_leaves_nothing_to_pay():
    result = share_costs(units=units(floors=1), total_cost=Decimal("100.00"), subsidy=Decimal("150.00"))
    assert result.owners_pay == Decimal("0.00") and all(line.share == 0 for line in result.lines)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total_cost": Decimal("0")}, "greater than zero"),
        ({"total_cost": Decimal("100.001")}, "to the fen"),
        ({"method": "floor_coefficient", "parameters": {"coefficients": {"1": "0"}}}, "floor"),
        ({"method": "floor_coefficient", "parameters": {"coefficients": {"1": "-1", "2": "1"}}}, "zero or more"),
        ({"method": "custom", "parameters": {"weights": {}}}, "weight"),
        ({"method": "lottery"}, "Unknown method"),
        ({"parameters": {"hardship": [999]}}, "hardship"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    values = {"units": units(floors=2), "total_cost": Decimal("1000.00")} | kwargs
    with pytest.raises(ShareInputError, match=message):
        share_costs(**values)


# --- the service ------------------------------------------------------------------------


def test_scheme_versions_with_the_approved_subsidy_from_the_hook(project, world, monkeypatch):
    offers = [{"amount": Decimal("100000.00"), "status": "estimated"}]
    monkeypatch.setattr("jiati.core.hooks.collect", lambda *args, **kwargs: list(offers))
    community = world.users["community"]
    first = services.cost_scheme_create(project=project, actor=community, total_cost=Decimal("480000.00"))
    assert (first.subsidy, first.subsidy_status, first.owners_pay) == (
        Decimal("100000.00"),
        "estimated",
        Decimal("380000.00"),
    )
    assert CostShare.objects.filter(scheme=first).count() == 12
    assert sum(CostShare.objects.filter(scheme=first).values_list("share", flat=True)) == Decimal("380000.00")
    offers.append({"amount": Decimal("126000.00"), "status": "approved"})
    second = services.cost_scheme_create(project=project, actor=community, total_cost=Decimal("480000.00"))
    assert (second.version, second.subsidy, second.subsidy_status) == (2, Decimal("126000.00"), "approved")
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert project.events.filter(data__consent="cost_scheme").count() == 2


def test_scheme_refusals_change_nothing(project, world):
    community = world.users["community"]
    with pytest.raises(ValidationError) as exc:
        services.cost_scheme_create(
            project=project, actor=community, method="floor_coefficient", total_cost=Decimal("1000"), parameters={}
        )
    assert "parameters" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.cost_scheme_create(project=project, actor=world.users["property"], total_cost=Decimal("1000"))
    assert not CostScheme.objects.exists()


def test_scheme_defaults_to_the_projects_estimate(project, world):
    project.estimated_cost = Decimal("555555.55")
    project.save(update_fields=["estimated_cost"])
    scheme = services.cost_scheme_create(project=project, actor=world.users["community"])
    total = sum(s.net for s in scheme.shares.all())
    assert scheme.total_cost == Decimal("555555.55") and total == scheme.owners_pay - 0
    assert Dwelling.objects.filter(stairwell=project.stairwell).count() == scheme.shares.count()
