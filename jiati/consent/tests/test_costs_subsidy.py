"""Cost sharing and the subsidy: a saved scheme keeps the subsidy it deducted; when the subsidies app approves a
different amount, the scheme's page and the project card say so and offer to recalculate as a new, audited
version. The subsidy's status is shown in words (translated), and owners see the table online."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from jiati.audit.models import AuditEntry
from jiati.consent import selectors, services
from jiati.consent.models import CostScheme
from jiati.consent.panels import project_panels
from jiati.core import hooks

OFFERS: list[dict] = []


@pytest.fixture
def subsidy(monkeypatch):
    """The subsidies app's offer through the "costs" hook (other hooks answer as usual)."""
    real = hooks.collect
    OFFERS[:] = [{"amount": Decimal("100000.00"), "status": "estimated"}]

    def collect(module, function, **kwargs):
        if (module, function) == ("costs", "subsidy_for_project"):
            return list(OFFERS)
        if (module, function) == ("costs", "approved_subsidy_for_project"):
            return [offer for offer in OFFERS if offer["status"] == "approved"]
        return real(module, function, **kwargs)

    monkeypatch.setattr("jiati.core.hooks.collect", collect)
    return OFFERS


@pytest.fixture
def scheme(project, world, subsidy):
    return services.cost_scheme_create(project=project, actor=world.users["community"], total_cost=Decimal("480000"))


def test_an_approved_subsidy_that_differs_is_shown_and_recalculated_as_a_new_version(scheme, world, client_for):
    assert (scheme.subsidy, scheme.subsidy_status) == (Decimal("100000.00"), "estimated")
    client = client_for(world.users["community"])
    url = reverse("consent:cost-detail", args=[scheme.pk])
    assert 'id="subsidy-changed"' not in client.get(url).content.decode()
    OFFERS.append({"amount": Decimal("126000.00"), "status": "approved"})
    page = client.get(url).content.decode()
    assert 'id="subsidy-changed"' in page and "126,000.00" in page and 'id="recalculate"' in page
    scheme.refresh_from_db()
    assert scheme.subsidy == Decimal("100000.00")  # the saved scheme keeps its subsidy
    response = client.post(reverse("consent:cost-recalculate", args=[scheme.pk]))
    new = CostScheme.objects.get(is_current=True)
    assert response["Location"] == reverse("consent:cost-detail", args=[new.pk])
    assert (new.version, new.subsidy, new.subsidy_status, new.method) == (2, Decimal("126000.00"), "approved", "area")
    assert new.owners_pay == Decimal("354000.00") and sum(s.share for s in new.shares.all()) == new.owners_pay
    assert "v1 recalculated" in new.note
    entry = AuditEntry.objects.filter(object_id=str(new.pk), action="create").get()
    assert entry.changes["subsidy"] == ["100000.00", "126000.00"] and entry.changes["replaces"] == [None, "v1"]
    assert 'id="subsidy-changed"' not in client.get(response["Location"]).content.decode()
    with pytest.raises(ValidationError) as exc:
        services.cost_scheme_recalculate(scheme=new, actor=world.users["community"])
    assert exc.value.error_list[0].code == "subsidy_unchanged"
    with pytest.raises(ValidationError):  # an old version is not recalculated
        services.cost_scheme_recalculate(scheme=scheme, actor=world.users["community"])
    assert CostScheme.objects.count() == 2


def test_the_project_card_says_so_too(scheme, world, project):
    OFFERS.append({"amount": Decimal("126000.00"), "status": "approved"})
    request = RequestFactory().get("/")
    request.user = world.users["community"]
    panel = project_panels(request=request, project=project)[0]
    assert panel["subsidy_change"]["amount"] == Decimal("126000.00")
    html = render_to_string("consent/_panel.html", {"panel": panel}, request=request)
    assert 'id="panel-subsidy-changed"' in html and reverse("consent:cost-recalculate", args=[scheme.pk]) in html


def test_the_api_reports_and_recalculates(scheme, world, client_for):
    client = client_for(world.users["community"])
    detail = reverse("consent-costscheme-detail", args=[scheme.pk])
    assert client.get(detail).json()["subsidy_change"] is None
    OFFERS.append({"amount": Decimal("126000.00"), "status": "approved"})
    assert client.get(detail).json()["subsidy_change"]["amount"] == "126000.00"
    response = client.post(reverse("consent-costscheme-recalculate", args=[scheme.pk]))
    assert response.status_code == 201 and response.json()["version"] == 2
    assert client.post(reverse("consent-costscheme-recalculate", args=[scheme.pk])).status_code == 400


def test_the_subsidy_status_is_shown_in_words(scheme, world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users["community"])
    page = client.get(reverse("consent:cost-detail", args=[scheme.pk])).content.decode()
    assert "(预估)" in page and "(estimated)" not in page
    assert selectors.subsidy_change(scheme) is None


def test_owners_see_the_table_online(scheme, world, client_for, client):
    url = reverse("consent:public-costs", args=[scheme.pk])
    assert client.get(url).status_code == 302  # sign in to the portal first
    owner_page = client_for(world.users["resident"]).get(url).content.decode()
    assert 'id="public-shares"' in owner_page and 'id="my-share-row"' in owner_page
    assert world.users["resident"].owner.name not in owner_page.replace("Hello", "")  # no names in the table
    assert client_for(world.users["other_district"]).get(url).status_code == 404


def test_a_cost_scheme_names_the_method_and_the_missing_total_at_once(project, world, subsidy):
    """Issue 13: a wrong method hid the missing total cost until the next submit."""
    project.estimated_cost = None
    project.save(update_fields=["estimated_cost"])
    with pytest.raises(ValidationError) as caught:
        services.cost_scheme_create(project=project, actor=world.users["community"], method="lottery")
    assert set(caught.value.message_dict) == {"method", "total_cost"}
    assert not CostScheme.objects.exists()
