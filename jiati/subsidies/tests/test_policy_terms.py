"""Policy terms added after review: an amount per stop (landings served) beside the amount per storey, and a
document list that distinguishes "not set" (the usual documents) from "none required"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiati.subsidies import rules, services
from jiati.subsidies.models import DEFAULT_REQUIRED_DOCUMENTS, Source, SubsidyPolicy
from jiati.subsidies.tests.conftest import eligible_project


def codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errors in exc.error_dict.values() for e in errors]
    return [e.code for e in exc.error_list]


def policy(**terms) -> SubsidyPolicy:
    values = {
        "fixed_amount": Decimal("0"),
        "per_storey_amount": Decimal("0"),
        "storeys_above": 0,
        "per_stop_amount": Decimal("0"),
        "stops_above": 0,
        "cost_share_percent": Decimal("0"),
        "cap": None,
        "min_storeys": 4,
        "required_documents": None,
    }
    return SubsidyPolicy(name="test", **(values | terms))


# --- per stop ---------------------------------------------------------------------------


def test_per_stop_counts_the_landings_served_not_the_storeys():
    terms = policy(fixed_amount=Decimal("50000"), per_stop_amount=Decimal("8000.50"), stops_above=1)
    # A 7-storey stairwell whose elevator stops at 6 landings (not the ground floor lobby): 5 stops above the 1st.
    result = rules.calculate(terms, storeys=7, stops=6, cost=None)
    assert result.total == Decimal("90002.50")  # 50,000 + 5 × 8,000.50
    line = result.lines[-1]
    assert line["code"] == "per_stop" and line["stops"] == 5 and line["above"] == 1
    assert rules.line_text(line) == "¥8,000.50 per stop × 5 stops (above stop 1)"
    # Without a number of stops the elevator serves every storey.
    assert rules.calculate(terms, storeys=7, cost=None).total == Decimal("98003.00")  # 50,000 + 6 × 8,000.50


def test_per_stop_and_per_storey_together_are_capped():
    terms = policy(per_storey_amount=Decimal("10000"), per_stop_amount=Decimal("10000"), cap=Decimal("150000"))
    result = rules.calculate(terms, storeys=9, stops=9, cost=None)
    assert result.total == Decimal("150000.00")
    assert [line["code"] for line in result.lines] == ["per_storey", "per_stop", "cap"]


def test_a_policy_paying_only_per_stop_is_accepted_and_bad_terms_are_refused(world):
    district = world.users["district"]
    base = {"actor": district, "region": world.regions["A"], "name": "按停站", "source": Source.DISTRICT}
    import datetime as dt

    base["effective_from"] = dt.date(2010, 1, 1)
    base["effective_to"] = dt.date(2010, 12, 31)
    for bad, code in [
        ({"per_stop_amount": "-1"}, "negative"),
        ({"per_stop_amount": "一万"}, "not_a_number"),
        ({"per_stop_amount": "1000", "stops_above": 201}, "stops_range"),
        ({"per_stop_amount": "1000", "stops_above": "x"}, "stops_range"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.policy_create(**base, **bad)
        assert codes(caught.value) == [code], bad
    assert not SubsidyPolicy.objects.exists()
    created = services.policy_create(**base, per_stop_amount="12000", stops_above=1)
    assert created.per_stop_amount == Decimal("12000.00") and created.stops_above == 1


def test_the_file_keeps_its_stops_and_the_window_can_correct_them(world):
    district = world.users["district"]
    import datetime as dt

    services.policy_create(
        actor=district,
        region=world.regions["A"],
        name="按停站补贴",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        per_stop_amount="15000",
    )
    application = eligible_project(world).subsidy_application
    assert application.stops == application.storeys == 6
    assert application.amount_due == Decimal("90000.00")
    services.application_update(application=application, actor=world.users["community"], stops="5")
    application.refresh_from_db()
    assert application.stops == 5 and application.amount_due == Decimal("75000.00")
    for bad in ("0", "abc", "201"):
        with pytest.raises(ValidationError) as caught:
            services.application_update(application=application, actor=world.users["community"], stops=bad)
        assert codes(caught.value) == ["stops_range"]
    application.refresh_from_db()
    assert application.stops == 5


def test_per_stop_through_the_policy_page_and_the_api(world, client_for):
    client = client_for(world.users["district"])
    response = client.post(
        reverse("subsidies:policy-new"),
        {
            "region": world.regions["A"].pk,
            "name": "停站版",
            "source": "district",
            "effective_from": "2010-01-01",
            "effective_to": "2010-12-31",
            "per_stop_amount": "9000",
            "stops_above": 1,
            "storeys_above": 0,
            "min_storeys": 4,
            "required_documents": ["application_form"],
        },
    )
    assert response.status_code == 302
    created = SubsidyPolicy.objects.get(name="停站版")
    assert created.per_stop_amount == Decimal("9000.00") and created.stops_above == 1
    page = client.get(reverse("subsidies:policy-detail", args=[created.pk])).content.decode()
    assert 'id="policy-per-stop"' in page and "¥9,000.00" in page
    response = client.post(
        reverse("subsidy-policy-list"),
        {
            "region": world.regions["A"].pk,
            "name": "停站版API",
            "source": "city",
            "effective_from": "2011-01-01",
            "effective_to": "2011-12-31",
            "per_stop_amount": "7000.5",
            "stops_above": 2,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["per_stop_amount"] == "7000.50" and response.json()["stops_above"] == 2
    response = client.post(
        reverse("subsidy-policy-list"),
        {
            "region": world.regions["A"].pk,
            "name": "坏",
            "source": "city",
            "effective_from": "2012-01-01",
            "effective_to": "2012-12-31",
            "per_stop_amount": "-7",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["codes"] == {"per_stop_amount": ["negative"]}


# --- required documents: not set vs none ---------------------------------------------------


def test_not_set_means_the_usual_documents_and_an_empty_list_means_none():
    assert rules.required_documents(policy(required_documents=None)) == DEFAULT_REQUIRED_DOCUMENTS
    assert rules.required_documents(policy(required_documents=[])) == []
    assert rules.required_documents(policy(required_documents=[], cost_share_percent=Decimal("40"))) == []
    assert rules.required_documents(policy(required_documents=["invoice"], cost_share_percent=Decimal("40"))) == [
        "invoice",
        "audited_cost",
    ]


def test_a_policy_requiring_no_documents_lets_a_file_be_submitted_without_any(world):
    import datetime as dt

    from jiati.housing.models import Ownership

    services.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="免材料",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount="80000",
        required_documents=[],
    )
    created = SubsidyPolicy.objects.get(name="免材料")
    assert created.required_documents == []
    application = eligible_project(world).subsidy_application
    assert rules.documents_status(application) == []
    community = world.users["community"]
    owner = Ownership.objects.filter(dwelling__stairwell=application.project.stairwell).first().owner
    services.application_update(
        application=application,
        actor=community,
        applicant_owner=owner,
        payee_name="业主共同账户",
        payee_bank_name="工商银行",
        payee_bank_account="6222020200012345678",
    )
    submitted = services.application_submit(application=application, actor=community)
    assert submitted.status == "community" and not submitted.documents.exists()


def test_the_api_and_the_page_distinguish_not_set_from_none(world, client_for):
    client = client_for(world.users["district"])
    body = {"region": world.regions["A"].pk, "source": "district", "fixed_amount": "1000"}
    none = client.post(
        reverse("subsidy-policy-list"),
        body
        | {"name": "无需材料", "effective_from": "2010-01-01", "effective_to": "2010-12-31", "required_documents": []},
        content_type="application/json",
    ).json()
    unset = client.post(
        reverse("subsidy-policy-list"),
        body | {"name": "常规材料", "effective_from": "2011-01-01", "effective_to": "2011-12-31"},
        content_type="application/json",
    ).json()
    assert (none["required_documents"], none["documents_required"]) == ([], [])
    assert (unset["required_documents"], unset["documents_required"]) == (None, DEFAULT_REQUIRED_DOCUMENTS)
    page = client.get(reverse("subsidies:policy-detail", args=[none["id"]])).content.decode()
    assert "None required" in page
    # On the page, ticking no document is "none required".
    response = client.post(
        reverse("subsidies:policy-new"),
        body
        | {
            "name": "页面无材料",
            "effective_from": "2012-01-01",
            "effective_to": "2012-12-31",
            "storeys_above": 0,
            "min_storeys": 4,
        },
    )
    assert response.status_code == 302
    assert SubsidyPolicy.objects.get(name="页面无材料").required_documents == []


def test_a_policy_names_every_wrong_field_at_once(world):
    """Issue 13: the source, the dates, the share, the storeys and the deadline were refused one per submit."""
    import datetime as dt

    with pytest.raises(ValidationError) as caught:
        services.policy_create(
            actor=world.users["district"],
            region=world.regions["A"],
            name=" ",
            source="lottery",
            effective_from=dt.date(2010, 12, 31),
            effective_to=dt.date(2010, 1, 1),
            fixed_amount="1000",
            cost_share_percent="120",
            min_storeys=500,
            application_deadline_days=0,
        )
    assert set(caught.value.message_dict) == {
        "name",
        "source",
        "effective_to",
        "cost_share_percent",
        "min_storeys",
        "application_deadline_days",
    }
    assert not SubsidyPolicy.objects.exists()
