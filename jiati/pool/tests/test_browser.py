"""On a phone-sized browser, community staff work the pool: record a feasibility assessment, survey answers (one by
the form, the rest from a spreadsheet), find the stairwell at the top of the pool sorted by priority, drill from a
coverage figure to its list, and open the project of the now willing stairwell."""

from __future__ import annotations

import os

import pytest

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.housing.models import Dwelling
from jiati.pool.models import Assessment, StairwellPriority, Survey
from jiati.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_pool_on_a_phone(phone_page, live_server, tmp_path):
    shots = os.environ.get("JIATI_SHOTS") or str(tmp_path)
    world = build_world()
    community = world.users["community"]
    community.set_password("pass-Word-2026")
    community.save()
    stairwell = world.stairwells["a1a"]
    rooms = list(Dwelling.objects.filter(stairwell=stairwell).order_by("floor", "room").values_list("room", flat=True))
    page = phone_page
    login(page, live_server, "community")

    # A feasibility assessment.
    page.goto(f"{live_server.url}/pool/stairwells/{stairwell.pk}/assess/")
    _no_sideways_scroll(page)
    page.check("input[name='result'][value='feasible']")
    page.screenshot(path=f"{shots}/pool-assess.png", full_page=True)
    page.click("form.card button.btn-primary")
    page.wait_for_url(f"**/pool/stairwells/{stairwell.pk}/")
    assert Assessment.objects.get().result == "feasible"

    # The survey: one answer through the form, seven more from a spreadsheet: 8 of 12 reach the 2/3 share.
    page.click("#open-survey")
    page.wait_for_url("**/pool/surveys/*/")
    survey = Survey.objects.get()
    first_dwelling = Dwelling.objects.filter(stairwell=stairwell).order_by("floor", "room").first()
    page.select_option("#answer-form select[name='dwelling']", value=str(first_dwelling.pk))
    page.check("#answer-form input[name='answer'][value='willing']")
    page.click("#answer-form button.btn-primary")
    page.wait_for_url(f"**/pool/surveys/{survey.pk}/")
    sheet = tmp_path / "answers.csv"
    rest = rooms[1:8]
    sheet.write_text("房号,意愿,方式\n" + "".join(f"{room},愿意,上门\n" for room in rest), encoding="utf-8")
    page.set_input_files("#import-form input[type='file']", str(sheet))
    page.click("#import-form button")
    page.wait_for_load_state()
    assert page.locator("#willing-count").inner_text() == "8"
    assert page.locator("#verdict.text-bg-success").is_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=f"{shots}/pool-survey.png", full_page=True)
    stored = StairwellPriority.objects.get(pk=stairwell.pk)
    assert stored.willing == 8

    # The pool sorted by priority: this stairwell comes first.
    page.goto(f"{live_server.url}/pool/?sort=priority")
    first = page.locator("#results tbody tr").first
    assert str(stored.score) in first.inner_text()
    assert first.locator(f"a[href='/pool/stairwells/{stairwell.pk}/']").count() == 1
    page.screenshot(path=f"{shots}/pool-list-priority.png", full_page=True)
    _no_sideways_scroll(page)

    # A coverage figure drills to the list behind it.
    page.goto(f"{live_server.url}/pool/coverage/")
    figure = page.locator(".coverage-figure[data-key='willing_feasible']")
    assert figure.locator(".fs-3").inner_text() == "1"
    _no_sideways_scroll(page)
    page.screenshot(path=f"{shots}/pool-coverage.png", full_page=True)
    figure.click()
    page.wait_for_url("**/pool/?coverage=willing_feasible*")
    assert page.locator("#results tbody tr").count() == 1
    assert page.locator(f"#results a[href='/pool/stairwells/{stairwell.pk}/']").count() == 1

    # From the willing stairwell, its project.
    page.click(f"#results a[href='/pool/stairwells/{stairwell.pk}/']")
    page.wait_for_url(f"**/pool/stairwells/{stairwell.pk}/")
    assert page.locator("#priority-total").inner_text() == str(stored.score)
    page.screenshot(path=f"{shots}/pool-stairwell.png", full_page=True)
    page.click("#open-project")
    page.wait_for_url("**/projects/*/")
    project = Project.objects.get(stairwell=stairwell)
    assert page.url.rstrip("/").endswith(f"/projects/{project.pk}")
