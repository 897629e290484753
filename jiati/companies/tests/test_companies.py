"""Companies: the directory staff see, what a company's own people see, the list page, its filters and export."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from openpyxl import load_workbook

from jiati.companies.models import Company
from jiati.core.tests.factories import CompanyFactory


@pytest.mark.parametrize("role", ["admin", "district", "finance", "subdistrict", "community", "property"])
def test_staff_see_the_whole_directory(world, role):
    assert set(Company.objects.visible_to(world.users[role])) == set(Company.objects.all())


@pytest.mark.parametrize("role", ["contractor", "maintainer"])
def test_a_company_sees_only_itself(world, role):
    assert list(Company.objects.visible_to(world.users[role])) == [world.companies[role]]


def test_residents_and_strangers_see_no_company(world):
    assert not Company.objects.visible_to(world.users["resident"]).exists()
    assert not Company.objects.visible_to(AnonymousUser()).exists()


def test_the_list_page_filters_and_exports(world, client_for):
    CompanyFactory(name="奥的斯电梯", brand="奥的斯", is_manufacturer=True, is_contractor=False)
    client = client_for(world.users["district"])
    page = client.get(reverse("companies:list")).content.decode()
    assert "加梯建设" in page and "维保公司" in page and "奥的斯电梯" in page
    response = client.get(reverse("companies:list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == set(Company.objects.values_list("name", flat=True))


def test_a_contractor_lists_only_its_own_company(world, client_for):
    page = client_for(world.users["contractor"]).get(reverse("companies:list")).content.decode()
    assert "加梯建设" in page and "维保公司" not in page


def test_the_list_needs_a_sign_in(client, db):
    response = client.get(reverse("companies:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_filters_find_makers_and_search_by_name_or_brand(world, client_for):
    CompanyFactory(name="奥的斯电梯", brand="奥的斯", is_manufacturer=True, is_contractor=False)
    client = client_for(world.users["community"])
    makers = client.get(reverse("companies:list"), {"kind": "maker"}).content.decode()
    assert "奥的斯电梯" in makers and "加梯建设" not in makers and "维保公司" not in makers
    found = client.get(reverse("companies:list"), {"q": "维保"}).content.decode()
    assert "维保公司" in found and "加梯建设" not in found
    by_brand = client.get(reverse("companies:list"), {"q": "奥的斯"}).content.decode()
    assert "奥的斯电梯" in by_brand and "维保公司" not in by_brand
