"""On a phone-sized browser, community staff walk today's site: the checklist of the step, a finding with its
note and a photo; a refusal comes back with everything as typed; the contractor sees the rectification."""

from __future__ import annotations

import pytest

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.projects import services as project_services
from jiati.projects.models import Stage
from jiati.supervision.models import Rectification, SiteCheck
from jiati.supervision.tests.conftest import at_stage, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_site_check_on_a_phone(phone_page, live_server, tmp_path):
    world = build_world()
    for key in ("community", "contractor"):
        world.users[key].set_password("pass-Word-2026")
        world.users[key].save()
    project = project_services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    project = at_stage(project, Stage.SHAFT, world.companies["contractor"])
    photo = tmp_path / "shaft.jpg"
    photo.write_bytes(jpeg(size=(2400, 1800)).read())
    page = phone_page
    login(page, live_server, "community")
    page.goto(f"{live_server.url}/supervision/")
    page.click(f"a[href='/supervision/sites/{project.pk}/check/']")
    items = page.locator("fieldset.check-item")
    assert items.count() == 8  # six site points and the shaft's two quality points
    assert page.locator("#item-frame_welds_bolts").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    for code in ("fencing_signs", "dust_noise", "working_hours", "lifting", "temporary_power", "materials_fire_lane"):
        page.click(f"label[for='id_item_{code}_0']")
    page.click("label[for='id_item_shaft_plumb_1']")  # a finding, without saying what: refused
    page.click("label[for='id_item_frame_welds_bolts_0']")
    page.fill("#id_note", "晴，施工正常")
    page.click("#save-check")
    assert page.locator("#item-shaft_plumb .invalid-feedback").is_visible()
    assert page.locator("#id_item_shaft_plumb_1").is_checked()  # nothing typed is lost
    assert page.input_value("#id_note") == "晴，施工正常"
    assert not SiteCheck.objects.exists()
    page.fill("input[name='note_shaft_plumb']", "井道偏斜 15mm")
    page.set_input_files("#id_photos", str(photo))
    page.click("#save-check")
    page.wait_for_url("**/supervision/checks/*/")
    assert page.locator("#items").inner_text().count("井道偏斜 15mm") == 1
    page.screenshot(path=str(tmp_path / "check.png"), full_page=True)
    check = SiteCheck.objects.get()
    assert check.findings == 1 and check.photos.get().width == 1600
    rectification = Rectification.objects.get()
    assert rectification.company == world.companies["contractor"]
