"""The API: the same services and refusals (stable codes), idempotent payments, a valid schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.subsidies.models import LedgerEntry, Status, SubsidyApplication, SubsidyPolicy
from jiati.subsidies.tests.conftest import OLD_TO, complete, eligible_project


def api(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data or {}, content_type="application/json", **headers)


def test_policy_through_the_api_with_clear_refusals(world, policies, client_for):
    client = client_for(world.users["district"])
    body = {
        "region": world.regions["A"].pk,
        "name": "2010版",
        "source": "district",
        "effective_from": "2010-01-01",
        "effective_to": "2010-12-31",
        "fixed_amount": "-100",
    }
    response = api(client, "post", reverse("subsidy-policy-list"), body)
    assert response.status_code == 400
    assert response.json()["codes"] == {"fixed_amount": ["negative"]}
    response = api(client, "post", reverse("subsidy-policy-list"), body | {"fixed_amount": "abc"})
    assert response.json()["codes"] == {"fixed_amount": ["not_a_number"]}
    response = api(client, "post", reverse("subsidy-policy-list"), body | {"effective_to": None, "fixed_amount": "1"})
    assert response.json()["codes"] == {"effective_from": ["overlap"]}
    response = api(
        client,
        "post",
        reverse("subsidy-policy-list"),
        body | {"fixed_amount": "80000", "extras": [{"name": "管线迁改", "max_amount": "20000"}]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["extras"][0]["max_amount"] == "20000.00"
    assert SubsidyPolicy.objects.count() == 3
    listed = client_for(world.users["community"]).get(reverse("subsidy-policy-list")).json()["results"]
    assert len(listed) == 3  # the district's policies are public to its communities
    assert client_for(world.users["other_district"]).get(reverse("subsidy-policy-list")).json()["results"] == []


def test_the_review_path_and_payment_through_the_api(world, policies, budgets, client_for):
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    url = lambda name: reverse(f"subsidy-application-{name}", args=[application.pk])  # noqa: E731
    community = client_for(world.users["community"])
    assert api(community, "post", url("submit")).status_code == 200
    response = api(community, "post", url("review"), {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert (
        api(community, "post", url("review"), {"decision": "forward", "comment": "齐全"}).json()["status"]
        == "subdistrict"
    )
    subdistrict = client_for(world.users["subdistrict"])
    assert api(subdistrict, "post", url("review"), {"decision": "forward", "comment": "同意"}).status_code == 200
    finance = client_for(world.users["finance"])
    response = api(finance, "post", url("approve"), {"amount": "999999", "comment": "核定"})
    assert response.status_code == 400 and response.json()["codes"] == {"amount": ["over_due"]}
    response = api(finance, "post", url("approve"), {"comment": "核定"})
    assert response.json()["approved_amount"] == "120000.00" and response.json()["status"] == "approved"
    body = {
        "application": application.pk,
        "amount": "50000",
        "voucher_no": "PZ-API-1",
        "paid_on": timezone.localdate().isoformat(),
    }
    first = api(finance, "post", reverse("subsidy-payment-list"), body, HTTP_IDEMPOTENCY_KEY="abc")
    retry = api(finance, "post", reverse("subsidy-payment-list"), body, HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"] and LedgerEntry.objects.count() == 1
    clash = api(finance, "post", reverse("subsidy-payment-list"), body | {"amount": "1"}, HTTP_IDEMPOTENCY_KEY="xyz")
    assert clash.status_code == 400 and clash.json()["codes"] == {"voucher_no": ["voucher_used"]}
    over = api(
        finance, "post", reverse("subsidy-payment-list"), body | {"voucher_no": "PZ-API-2", "amount": "70000.01"}
    )
    assert over.json()["codes"] == {"amount": ["over_unpaid"]}
    entry = LedgerEntry.objects.get()
    reverse_url = reverse("subsidy-payment-reverse", args=[entry.pk])
    response = api(
        finance,
        "post",
        reverse_url,
        {"voucher_no": "CZ-1", "reversed_on": timezone.localdate().isoformat(), "reason": "退回"},
    )
    assert response.status_code == 201 and response.json()["amount"] == "-50000.00"
    assert SubsidyApplication.objects.get(pk=application.pk).status == Status.APPROVED
    reviews = community.get(reverse("subsidy-review-list"), {"application": application.pk}).json()["results"]
    assert [r["decision"] for r in reviews] == ["approve", "forward", "forward"]  # newest first


def test_tracker_endpoint(world, policies, client_for):
    eligible_project(world, filed_on=OLD_TO)
    data = client_for(world.users["district"]).get(reverse("subsidy-tracker-list")).json()
    assert data["totals"]["counts"]["not_applied"] == 1
    assert data["headline"]["pending_due"] == "120000.00" and data["headline"]["reconciled"] is True


def test_budget_through_the_api(world, client_for):
    finance = client_for(world.users["finance"])
    response = api(finance, "post", reverse("subsidy-budget-list"), {"year": 2026, "source": "city", "amount": "1.001"})
    assert response.json()["codes"] == {"amount": ["finer_than_fen"]}
    response = api(finance, "post", reverse("subsidy-budget-list"), {"year": 2026, "source": "city", "amount": "100"})
    assert response.status_code == 200 and response.json()["amount"] == "100.00"
    response = api(
        client_for(world.users["community"]),
        "post",
        reverse("subsidy-budget-list"),
        {"year": 2026, "source": "city", "amount": "100"},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_schema_is_valid_and_lists_the_subsidy_endpoints(world, client_for):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = set(schema["paths"])
    for path in (
        "/api/subsidies/applications/{id}/approve/",
        "/api/subsidies/payments/",
        "/api/subsidies/payments/{id}/reverse/",
        "/api/subsidies/policies/",
        "/api/subsidies/reviews/",
        "/api/subsidies/budgets/",
        "/api/subsidies/tracker/",
    ):
        assert path in paths
