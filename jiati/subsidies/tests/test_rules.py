"""Which policy applies (date boundaries, the most specific area) and what it pays (amounts, caps, extras)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiati.subsidies import rules, services
from jiati.subsidies.models import PolicyExtra, Source, SubsidyPolicy
from jiati.subsidies.tests.conftest import NEW_FROM, OLD_FROM, OLD_TO, eligible_project


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (OLD_FROM - dt.timedelta(days=1), None),
        (OLD_FROM, "old"),
        (OLD_TO, "old"),  # the last day is still the old policy's
        (NEW_FROM, "new"),  # the first day is already the new one's
        (dt.date(2030, 1, 1), "new"),  # open-ended
    ],
)
def test_policy_is_chosen_by_date_with_inclusive_boundaries(world, policies, day, expected):
    chosen = rules.applicable_policy(community=world.regions["A1a"], on=day)
    assert chosen == (policies[expected] if expected else None)


def test_other_district_has_no_policy(world, policies):
    assert rules.applicable_policy(community=world.regions["B1a"], on=NEW_FROM) is None


def test_district_policy_wins_over_the_city_policy(world, policies):
    city = SubsidyPolicy.objects.create(
        region=world.regions["city"],
        name="深圳市补贴",
        source=Source.CITY,
        effective_from=dt.date(2018, 1, 1),
        fixed_amount=Decimal("50000"),
        created_by=world.users["admin"],
    )
    assert rules.applicable_policy(community=world.regions["A1a"], on=OLD_TO) == policies["old"]
    assert rules.applicable_policy(community=world.regions["B1a"], on=OLD_TO) == city
    assert rules.applicable_policy(community=world.regions["A1a"], on=dt.date(2018, 6, 1)) == city


def test_the_project_date_that_decides_is_the_filing_then_completion(world, policies):
    project = eligible_project(world, filed_on=OLD_TO)
    application = project.subsidy_application
    assert application.policy == policies["old"]
    assert application.policy_basis == {"basis": "filed", "date": "2025-06-30"}
    text = rules.basis_text(application.policy_basis, application.policy)
    assert "2025-06-30" in text and policies["old"].name in text
    other = eligible_project(world, "a1b", filed_on=NEW_FROM)
    assert other.subsidy_application.policy == policies["new"]


def test_without_a_filing_date_the_completion_or_eligibility_date_decides(world, policies):
    project = eligible_project(world)  # no filing event: it became eligible today
    application = project.subsidy_application
    assert application.policy_basis["basis"] == "eligible"
    assert application.policy == policies["new"]


def _policy(**kwargs):
    defaults = {
        "fixed_amount": Decimal("0"),
        "per_storey_amount": Decimal("0"),
        "storeys_above": 0,
        "cost_share_percent": Decimal("0"),
        "cap": None,
        "min_storeys": 4,
    }
    return SubsidyPolicy(**(defaults | kwargs))


def test_fixed_plus_per_storey():
    policy = _policy(fixed_amount=Decimal("100000"), per_storey_amount=Decimal("10000"), storeys_above=4)
    assert rules.calculate(policy, storeys=4, cost=None).total == Decimal("100000.00")
    assert rules.calculate(policy, storeys=9, cost=None).total == Decimal("150000.00")
    lines = rules.calculate(policy, storeys=9, cost=None).lines
    assert [line["code"] for line in lines] == ["fixed", "per_storey"]
    assert lines[1]["storeys"] == 5


def test_share_of_cost_rounds_to_the_fen_half_up():
    policy = _policy(cost_share_percent=Decimal("33.33"))
    # 33.33% of 100,000.05 = 33,330.016665 → 33,330.02
    assert rules.calculate(policy, storeys=6, cost=Decimal("100000.05")).total == Decimal("33330.02")
    # 40% of 0.0125-ish boundaries: 40% of 10.01 = 4.004 → 4.00; of 10.02 = 4.008 → 4.01
    policy = _policy(cost_share_percent=Decimal("40"))
    assert rules.calculate(policy, storeys=6, cost=Decimal("10.01")).total == Decimal("4.00")
    assert rules.calculate(policy, storeys=6, cost=Decimal("10.02")).total == Decimal("4.01")


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        (Decimal("499999.99"), Decimal("200000.00")),  # 40% = 199,999.996 → rounds to 200,000.00, the cap
        (Decimal("499999.97"), Decimal("199999.99")),  # 199,999.988 → 199,999.99, under the cap
        (Decimal("500000.00"), Decimal("200000.00")),  # exactly at the cap
        (Decimal("800000.00"), Decimal("200000.00")),  # capped
    ],
)
def test_cap_boundaries(cost, expected):
    policy = _policy(cost_share_percent=Decimal("40"), cap=Decimal("200000"))
    calculation = rules.calculate(policy, storeys=6, cost=cost)
    assert calculation.total == expected
    assert ("cap" in [line["code"] for line in calculation.lines]) == (cost > Decimal("500000.00"))


def test_extras_come_on_top_of_the_cap():
    policy = _policy(cost_share_percent=Decimal("40"), cap=Decimal("200000"))
    extra = PolicyExtra(pk=1, name="管线迁改", max_amount=Decimal("30000"))
    calculation = rules.calculate(policy, storeys=6, cost=Decimal("800000"), extras={extra: Decimal("12345.67")})
    assert calculation.total == Decimal("212345.67")


def test_fewer_storeys_than_the_minimum_pays_nothing_and_says_why():
    policy = _policy(fixed_amount=Decimal("100000"), min_storeys=4)
    calculation = rules.calculate(policy, storeys=3, cost=None)
    assert calculation.total == Decimal("0.00")
    assert calculation.unmet == [{"code": "min_storeys", "storeys": 3, "min": 4}]
    assert "3" in rules.unmet_text(calculation.unmet[0]) and "4" in rules.unmet_text(calculation.unmet[0])


def test_unknown_cost_leaves_the_share_out():
    policy = _policy(fixed_amount=Decimal("10000"), cost_share_percent=Decimal("40"))
    calculation = rules.calculate(policy, storeys=6, cost=None)
    assert calculation.total == Decimal("10000.00") and calculation.cost_missing


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", "negative"),
        ("abc", "not_a_number"),
        ("1.001", "finer_than_fen"),
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        (None, "not_a_number"),
        ("", "not_a_number"),
    ],
)
def test_money_input_is_refused_clearly(value, code):
    with pytest.raises(ValidationError) as caught:
        rules.money(value, field="amount")
    assert caught.value.error_dict["amount"][0].code == code


def test_money_accepts_yuan_with_separators():
    assert rules.money("1,234.5", field="amount") == Decimal("1234.50")
    assert rules.yuan(Decimal("1234567.8")) == "¥1,234,567.80"


def test_estimate_is_shown_for_a_project_before_eligibility(world, policies):
    from jiati.projects import services as project_services
    from jiati.subsidies.costs import subsidy_for_project

    project = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a2a"])
    assert subsidy_for_project(project=project) == []  # no cost yet: a share of nothing
    project.estimated_cost = Decimal("450000")
    project.save()
    assert subsidy_for_project(project=project) == [{"amount": Decimal("180000.00"), "status": "estimated"}]
    project.estimated_cost = Decimal("900000")
    project.save()
    assert subsidy_for_project(project=project) == [{"amount": Decimal("200000.00"), "status": "estimated"}]
    other = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["b1a"])
    assert subsidy_for_project(project=other) == []  # no policy in that district


def test_policy_overlap_and_bad_amounts_are_refused_and_nothing_is_saved(world, policies):
    district = world.users["district"]
    before = SubsidyPolicy.objects.count()
    cases = [
        ({"effective_from": dt.date(2025, 6, 30)}, "overlap"),  # touches the old policy's last day
        ({"effective_from": dt.date(2030, 1, 1)}, "overlap"),  # inside the open-ended new one
        ({"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2019, 1, 1)}, "overlap"),
        ({"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2009, 1, 1)}, "dates_reversed"),
        (
            {"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2010, 12, 31), "fixed_amount": "-5"},
            "negative",
        ),
        (
            {"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2010, 12, 31), "fixed_amount": "十万"},
            "not_a_number",
        ),
        (
            {"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2010, 12, 31), "fixed_amount": 0},
            "no_amount_rule",
        ),
        (
            {"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2010, 12, 31), "cost_share_percent": "120"},
            "share_over_100",
        ),
        ({"effective_from": dt.date(2010, 1, 1), "effective_to": dt.date(2010, 12, 31), "cap": "0"}, "not_positive"),
    ]
    for overrides, code in cases:
        kwargs = {"fixed_amount": Decimal("1000")} | overrides
        with pytest.raises(ValidationError) as caught:
            services.policy_create(
                actor=district, region=world.regions["A"], name="新政策", source=Source.DISTRICT, **kwargs
            )
        codes = [e.code for errors in caught.value.error_dict.values() for e in errors]
        assert codes == [code], overrides
    assert SubsidyPolicy.objects.count() == before
    # The gap before the old policy is free; another district's area is not the same scope.
    services.policy_create(
        actor=district,
        region=world.regions["A"],
        name="早期政策",
        source=Source.DISTRICT,
        effective_from=dt.date(2010, 1, 1),
        effective_to=dt.date(2018, 12, 31),
        fixed_amount=Decimal("50000"),
    )


def test_only_the_district_office_defines_policies_for_its_own_area(world, policies):
    from django.core.exceptions import PermissionDenied

    for role in ("finance", "subdistrict", "community", "contractor", "resident"):
        with pytest.raises(PermissionDenied):
            services.policy_create(
                actor=world.users[role],
                region=world.regions["A"],
                name="x",
                source=Source.DISTRICT,
                effective_from=dt.date(2010, 1, 1),
                effective_to=dt.date(2010, 2, 1),
                fixed_amount=1,
            )
    with pytest.raises(PermissionDenied):  # another district's area
        services.policy_create(
            actor=world.users["other_district"],
            region=world.regions["A"],
            name="x",
            source=Source.DISTRICT,
            effective_from=dt.date(2010, 1, 1),
            effective_to=dt.date(2010, 2, 1),
            fixed_amount=1,
        )


def test_closing_a_policy_and_the_files_it_decided(world, policies):
    project = eligible_project(world, filed_on=dt.date(2026, 3, 1))
    assert project.subsidy_application.policy == policies["new"]
    with pytest.raises(ValidationError) as caught:
        services.policy_close(actor=world.users["district"], policy=policies["new"], effective_to=dt.date(2026, 2, 28))
    assert caught.value.error_dict["effective_to"][0].code == "in_use_after"
    closed = services.policy_close(
        actor=world.users["district"], policy=policies["new"], effective_to=dt.date(2026, 12, 31)
    )
    assert closed.effective_to == dt.date(2026, 12, 31)


def test_the_policy_date_is_read_in_one_query_with_each_basis(world, django_assert_num_queries):
    """Issue 18: the days a project left approvals, inspection and registration come in one query (it was up to
    three on every project page); each still decides in its order."""
    import datetime as dt

    from django.utils import timezone

    from jiati.projects.models import EventKind, ProjectEvent, Stage
    from jiati.subsidies.tests.conftest import aware, eligible_project

    project = eligible_project(world)  # in the subsidy stage, left registration today
    with django_assert_num_queries(1):
        assert rules.reference_date(project) == (rules.BASIS_ELIGIBLE, timezone.localdate())
    inspected, filed = dt.date(2024, 5, 6), dt.date(2023, 3, 4)
    for stage, day in [(Stage.INSPECTION, inspected), (Stage.APPROVALS, filed)]:
        ProjectEvent.objects.create(
            project=project, kind=EventKind.STAGE, from_stage=stage, to_stage=stage, at=aware(day)
        )
        ProjectEvent.objects.create(  # a later leaving of the same stage does not count
            project=project, kind=EventKind.STAGE, from_stage=stage, to_stage=stage, at=aware(day + dt.timedelta(9))
        )
        with django_assert_num_queries(1):
            basis = rules.reference_date(project)
        assert basis == (
            (rules.BASIS_COMPLETED, inspected) if stage == Stage.INSPECTION else (rules.BASIS_FILED, filed)
        )
