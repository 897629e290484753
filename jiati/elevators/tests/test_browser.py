"""In a real browser at phone size: a resident scans the QR code in the car, reports someone trapped (the
emergency numbers first), confirms the phone by code; the maintainer acknowledges, arrives and closes on a
phone; the resident follows the report by its link and rates the repair."""

from __future__ import annotations

import re

import pytest

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.elevators.models import FaultReport
from jiati.notifications.channels import ConsoleSmsSender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fault_from_qr_code_to_closure_and_rating(phone_page, browser, live_server):
    from django.core.cache import cache

    from jiati.core.hooks import collect
    from jiati.elevators.models import Elevator
    from jiati.elevators.tests.conftest import project_in_service

    cache.clear()
    world = build_world()
    world.users["maintainer"].set_password("pass-Word-2026")
    world.users["maintainer"].save()
    project = project_in_service(world)
    collect("stage_hooks", "project_entered_stage", project=project, stage="in_service", actor=world.users["district"])
    elevator = Elevator.objects.get(project=project)

    page = phone_page
    page.goto(f"{live_server.url}/elevators/q/{elevator.public_token}/")
    assert page.locator(".alert-danger").first.is_visible()
    assert "96333" in page.locator(".alert-danger").first.inner_text()
    page.check("input[name=kind][value=trapped]")
    page.fill("#id_phone", "13800005555")
    page.click("button[name=send]")
    code = re.search(r"\d{6}", ConsoleSmsSender.sent[-1][1]).group(0)
    page.fill("#id_code", code)
    page.click("button[name=verify]")
    page.wait_for_url(re.compile(r"/elevators/f/"))
    follow_url = page.url
    report = FaultReport.objects.get(elevator=elevator)
    assert report.urgent and report.status == "reported"

    maintainer = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    m = maintainer.new_page()
    login(m, live_server, "maintainer")
    m.goto(f"{live_server.url}/elevators/faults/{report.pk}/")
    m.click("#fault-ack")
    m.click("#fault-arrive")
    m.fill("#id_cause", "门机皮带断裂")
    m.fill("#id_repair", "更换门机皮带")
    m.click("#fault-close")
    m.wait_for_load_state()
    maintainer.close()
    report.refresh_from_db()
    assert report.status == "closed"

    page.goto(follow_url)
    assert "更换门机皮带" in page.content()
    page.check("input[name=rating][value='4']")
    page.click("form:has(input[name=rating]) button")  # the rating form (the header has forms of its own)
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.rating == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone


def test_the_inspection_task_arrives_with_the_record_form_unfolded(page, live_server):
    import datetime as dt

    from django.utils import timezone

    from jiati.core.hooks import collect
    from jiati.elevators.models import Elevator
    from jiati.elevators.tests.conftest import project_in_service

    world = build_world()
    world.users["district"].set_password("pass-Word-2026")
    world.users["district"].save()
    project = project_in_service(world)
    collect("stage_hooks", "project_entered_stage", project=project, stage="in_service", actor=world.users["district"])
    elevator = Elevator.objects.get(project=project)
    Elevator.objects.filter(pk=elevator.pk).update(next_inspection_due=timezone.localdate() - dt.timedelta(days=2))
    login(page, live_server, "district")
    page.goto(f"{live_server.url}/supervision/my-tasks/")
    page.locator(f"a[href='/elevators/{elevator.pk}/#record-inspection']").first.click()
    page.wait_for_url(re.compile(r"#record-inspection$"))
    assert page.locator("details#record-inspection").get_attribute("open") is not None
    assert page.locator("details#record-inspection input[name=inspected_on]").is_visible()
