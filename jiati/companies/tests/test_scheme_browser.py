"""In a real browser, phone and desktop: the district edits the score scheme; a negative weight comes back with
what was typed, the fixed version is saved as the next one."""

from __future__ import annotations

import datetime as dt

import pytest

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_district_saves_a_new_scheme_version(size, page, phone_page, live_server, tmp_path):
    from django.core.cache import cache

    from jiati.companies import ranking
    from jiati.companies.models import ScoreScheme

    cache.clear()
    world = build_world()
    district = world.users["district"]
    district.set_password("pass-Word-2026")
    district.save()
    ranking.scheme_create(
        actor=district, name="试行", valid_from=dt.date(2024, 1, 1),
        area_weights={"operation_maintenance": "1"}, deductions={"fault": "1"},
    )  # fmt: skip
    tab = phone_page if size == "phone" else page
    login(tab, live_server, "district")
    tab.goto(f"{live_server.url}/companies/schemes/")
    assert tab.input_value("#id_points_fault") == "1"
    tab.fill("#id_weight_civilised_construction", "-2")
    tab.fill("#id_points_petition", "3")
    tab.click("button[name=save]")
    tab.screenshot(path=str(tmp_path / f"scheme-{size}.png"), full_page=True)
    assert "-2" in tab.locator("form .alert-danger").inner_text()
    assert tab.input_value("#id_points_petition") == "3"
    tab.fill("#id_weight_civilised_construction", "2")
    tab.fill("#id_valid_from", "2027-01-01")
    tab.click("button[name=save]")
    tab.wait_for_selector(".alert-success")
    latest = ScoreScheme.objects.get(version=2)
    assert latest.deductions == {"fault": "1", "petition": "3"} and latest.area_weights["civilised_construction"] == "2"
