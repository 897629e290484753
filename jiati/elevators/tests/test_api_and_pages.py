"""The scoping matrix (role × endpoint) and the pages, signed in and public."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.core.tests.factories import CompanyFactory, make_user
from jiati.elevators import services
from jiati.elevators.models import Elevator, FaultReport
from jiati.elevators.tests.conftest import project_in_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_elevators(world, elevator):
    """The first elevator in A1a (maintained by world's maintainer); a second in B1a by another maintainer."""
    other = CompanyFactory(name="别家维保", is_contractor=False, is_maintainer=True)
    project = project_in_service(world, "b1a", brand=None)
    project.maintainer = other
    project.contractor = CompanyFactory(name="别家施工")
    project.save()
    second = services.elevator_create_for_project(project=project, actor=world.users["admin"])
    services.fault_report(elevator=elevator, kind="stopped", phone="13800003333")
    services.fault_report(elevator=second, kind="noise", phone="13800004444")
    return elevator, second, other


# Which of the two elevators each role sees (the first in A1a, the second in B1a).
MATRIX = {
    "admin": {0, 1},
    "district": {0},
    "subdistrict": {0},
    "community": {0},
    "other_community": set(),
    "other_district": {1},
    "maintainer": {0},
    "contractor": {0},
    "resident": {0},
    "finance": {0},
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_scoping_matrix_for_elevators_faults_and_costs(world, two_elevators, client_for, role):
    elevators = two_elevators[:2]
    client = client_for(world.users[role])
    expected = {elevators[i].pk for i in MATRIX[role]}
    listed = {row["id"] for row in client.get("/api/elevators/elevators/").json()["results"]}
    assert listed == expected
    faults = {row["elevator"] for row in client.get("/api/elevators/faults/").json()["results"]}
    assert faults == expected
    for index, elevator in enumerate(elevators):
        status = client.get(f"/api/elevators/elevators/{elevator.pk}/").status_code
        assert status == (200 if index in MATRIX[role] else 404)
        page = client.get(reverse("elevators:detail", args=[elevator.pk])).status_code
        assert page == (200 if index in MATRIX[role] else 404)


def test_companies_api_scoped_to_own_company(world, client_for):
    client = client_for(world.users["maintainer"])
    ids = {row["id"] for row in client.get("/api/companies/companies/").json()["results"]}
    assert ids == {world.companies["maintainer"].pk}
    assert client.get(f"/api/companies/companies/{world.companies['contractor'].pk}/").status_code == 404
    created = client.post("/api/companies/companies/", {"name": "x", "credit_code": "1", "is_designer": True})
    assert created.status_code == 403
    staff = client_for(world.users["district"])
    bad = staff.post("/api/companies/companies/", {"name": "设计院", "credit_code": "123", "is_designer": True})
    assert bad.status_code == 400 and bad.json()["codes"]["credit_code"] == ["invalid_credit_code"]


def test_maintainer_cannot_act_on_another_maintainers_fault_and_nothing_changes(world, two_elevators, client_for):
    _first, second, _other = two_elevators
    report = FaultReport.objects.get(elevator=second)
    client = client_for(world.users["maintainer"])
    assert client.post(f"/api/elevators/faults/{report.pk}/acknowledge/").status_code == 404
    report.refresh_from_db()
    assert report.status == "reported"


def test_maintainer_records_a_visit_through_the_api_and_a_future_date_is_refused(world, elevator, client_for):
    client = client_for(world.users["maintainer"])
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    refused = client.post(f"/api/elevators/elevators/{elevator.pk}/visits/", {"visited_on": future, "items": "保养"})
    assert refused.status_code == 400 and refused.json()["codes"]["visited_on"] == ["future_date"]
    done = client.post(
        f"/api/elevators/elevators/{elevator.pk}/visits/",
        {"visited_on": timezone.localdate().isoformat(), "items": "保养"},
    )
    assert done.status_code == 201
    assert Elevator.objects.get(pk=elevator.pk).last_visit_on == timezone.localdate()


def test_pages_render_and_refused_form_keeps_what_was_typed(world, elevator, client_for):
    cache.clear()
    for user in ("district", "community", "maintainer"):
        client = client_for(world.users[user])
        for url in (
            reverse("elevators:list"),
            reverse("elevators:faults"),
            reverse("elevators:detail", args=[elevator.pk]),
        ):
            assert client.get(url).status_code == 200, (user, url)
        assert client.get(reverse("core:home")).status_code == 200
    client = client_for(world.users["maintainer"])
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(reverse("elevators:visit", args=[elevator.pk]), {"visited_on": future, "items": "更换门锁"})
    assert response.status_code == 400
    assert "更换门锁" in response.content.decode() and "cannot be in the future" in response.content.decode()
    district = client_for(world.users["district"])
    assert district.get(reverse("elevators:poster", args=[elevator.pk]))["Content-Type"] == "application/pdf"
    for url in (
        reverse("companies:list"),
        reverse("companies:detail", args=[world.companies["maintainer"].pk]),
        reverse("companies:lists"),
        reverse("companies:create"),
    ):
        assert district.get(url).status_code == 200, url


def test_public_qr_page_unknown_token_and_flood(client, world, elevator, settings):
    cache.clear()
    assert client.get(reverse("elevators:public", args=["not-a-token"])).status_code == 404
    page = client.get(reverse("elevators:public", args=[elevator.public_token]))
    body = page.content.decode()
    assert page.status_code == 200 and "96333" in body and "119" in body and "075512345678" in body
    assert body.index("96333") < body.index('name="kind"')
    url = reverse("elevators:public", args=[elevator.public_token])
    statuses = []
    for n in range(settings.JIATI_FAULT_REPORTS_PER_ADDRESS_HOUR + 1):
        statuses.append(client.post(url, {"send": "1", "kind": "noise", "phone": f"1380000{n:04d}"}).status_code)
    assert (
        statuses[-1] == 400
        and "Too many reports"
        in client.post(url, {"send": "1", "kind": "noise", "phone": "13900009999"}).content.decode()
    )


def test_public_list_page_shows_no_personal_data(client, world):
    make_user("x", Role.DISTRICT_OFFICE, region=world.regions["A"])
    response = client.get(reverse("companies:lists"))
    assert response.status_code == 200


def test_portal_section_shows_my_elevator_and_my_shares(world, elevator, rf):
    from decimal import Decimal

    from jiati.elevators.portal import portal_sections

    services.running_cost_share(
        actor=world.users["community"], elevator=elevator, year=2025, method="area", maintenance=Decimal("1200.00")
    )
    owner = world.users["resident"].owner
    [section] = portal_sections(request=rf.get("/m/"), owner=owner)
    assert section["elevators"] == [elevator]
    assert len(section["shares"]) == 1 and section["shares"][0].amount == Decimal("100.00")
    other_owner = world.users["other_district"]  # no dwellings at all
    assert other_owner.owner_id is None
    from django.template.loader import render_to_string

    html = render_to_string(section["template"], {"section": section})
    assert elevator.public_token in html and "100.00" in html
