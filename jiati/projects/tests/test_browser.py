"""In a real browser, a community officer takes a project from intention to in service (finance closes the
subsidy stage). Other apps' guards (vote, notice, meeting, subsidy) are tested in their own apps; here only
the projects app's own requirements stand in the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.projects.models import Project, Stage
from jiati.projects.stages import _EXIT_GUARDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4 demo"
JPG = b"\xff\xd8\xff\xe0 photo"


@pytest.fixture
def own_guards_only():
    saved = {stage: list(guards) for stage, guards in _EXIT_GUARDS.items()}
    for stage, guards in saved.items():
        _EXIT_GUARDS[stage] = [g for g in guards if g.__module__ == "jiati.projects.stages"]
    yield
    _EXIT_GUARDS.clear()
    _EXIT_GUARDS.update(saved)


def open_form(page, action_suffix, form_suffix=None):
    # A folded form is loaded when its panel opens (issue 18): match the panel before and after. Its form's URL
    # is the action's plus "form/", but the upload's (`projects:checklist-form` with the part "document").
    form_suffix = form_suffix or f"{action_suffix}form/"
    details = page.locator(f"details:has(form[action$='{action_suffix}']), details:has([hx-get$='{form_suffix}'])")
    if not details.evaluate("d => d.open"):
        details.locator("summary").first.click()
    form = details.locator(f"form[action$='{action_suffix}']")
    form.wait_for()  # loaded (htmx) before `.all()` lists what it holds
    return form


def upload(page, tmp_path, kind, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    form = open_form(page, "/documents/", "/checklist/document/form/")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def advance(page):
    missing = page.locator("#missing-list li").all_inner_texts()
    assert not missing, missing
    page.click("#advance-button")
    page.wait_for_load_state()


def test_intention_to_in_service(page, live_server, tmp_path, own_guards_only):
    world = build_world()
    for key in ("community", "finance"):
        world.users[key].set_password("pass-Word-2026")
        world.users[key].save()
    company = world.companies["contractor"]
    company.is_manufacturer = True
    company.save()
    stairwell = world.stairwells["a1a"]

    login(page, live_server, "community")
    page.goto(f"{live_server.url}/housing/stairwells/{stairwell.pk}/")
    page.click("#open-project")
    target = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    page.fill("#id_target_date", target)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#next-step")
    project = Project.objects.get(stairwell=stairwell)
    assert project.plans.count() == 1
    assert page.locator("#missing-list li").count() == 1  # no lead owner yet

    form = open_form(page, "/checklist/lead_owner/")
    form.locator("select").select_option(index=1)
    form.locator("button").click()
    page.wait_for_load_state()
    advance(page)

    form = open_form(page, "/checklist/working_group/")
    for box in form.locator("input[type=checkbox]").all()[:3]:
        box.check()
    form.locator("button").click()
    page.wait_for_load_state()
    form = open_form(page, "/checklist/service_team/")
    form.locator("input[type=checkbox]").first.check()
    form.locator("button").click()
    page.wait_for_load_state()
    form = open_form(page, "/checklist/checklist/")
    form.locator("#id_chat_group_name").fill("长江花园加梯群")
    form.locator("button").click()
    page.wait_for_load_state()
    advance(page)  # → consultation
    advance(page)  # → vote
    advance(page)  # → public notice
    advance(page)  # → design

    project.refresh_from_db()
    assert project.stage == Stage.DESIGN
    assert "advance-button" not in page.content()  # brand, team, contract and drawings are missing
    form = open_form(page, "/checklist/checklist/")
    form.locator("#id_brand").select_option(str(company.pk))
    form.locator("#id_contractor").select_option(str(company.pk))
    form.locator("button").click()
    page.wait_for_load_state()
    form = open_form(page, "/checklist/review/")
    form.locator("#id_reviewed_on").fill(timezone.localdate().isoformat())
    form.locator("#id_result").select_option("approved")
    form.locator("button").click()
    page.wait_for_load_state()
    upload(page, tmp_path, "construction_contract", PDF, "contract.pdf")
    upload(page, tmp_path, "design_drawings", PDF, "drawings.pdf")
    advance(page)  # → approvals
    upload(page, tmp_path, "filing_receipt", PDF, "filing.pdf")
    advance(page)  # → construction notice
    upload(page, tmp_path, "construction_notification", PDF, "notice.pdf")
    advance(page)  # → foundation
    for _step in range(4):  # foundation, shaft, installation, finishing
        upload(page, tmp_path, "construction_photo", JPG, "site.jpg")
        advance(page)
    upload(page, tmp_path, "inspection_certificate", PDF, "inspection.pdf")
    advance(page)  # → registration
    upload(page, tmp_path, "registration_certificate", PDF, "registration.pdf")
    advance(page)  # → subsidy
    project.refresh_from_db()
    assert project.stage == Stage.SUBSIDY
    assert "advance-button" not in page.content()  # community staff cannot close the subsidy stage

    page.context.clear_cookies()
    login(page, live_server, "finance")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    advance(page)
    project.refresh_from_db()
    assert project.stage == Stage.IN_SERVICE
    assert project.events.filter(kind="stage").count() == 15
    page.wait_for_selector("#project-stage")


def test_schedule_dates_never_break_across_lines(page, live_server):
    """The schedule's Due column at 1366 px showed 2027-01-\\n19: a date is one unbroken word."""
    from django.urls import reverse

    from jiati.projects import services
    from jiati.projects.schedule import plan_make

    world = build_world()
    world.users["community"].set_password("pass-Word-2026")
    world.users["community"].save()
    project = services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    plan_make(
        project=project, actor=world.users["community"], target_date=timezone.localdate() + dt.timedelta(days=400)
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])  # long labels
    login(page, live_server, "community")
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")
    cells = page.evaluate(
        """() => [...document.querySelectorAll('#schedule tbody td:not(:first-child)')]
            .filter(td => td.innerText.trim())
            .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                         return [td.innerText, getComputedStyle(td).whiteSpace, r.getClientRects().length]; })"""
    )
    assert cells, "the schedule lists dates"
    # Unbroken however long the stage names beside them (the demo's English broke "2027-01-19" at 1366 px).
    assert all(space == "nowrap" and lines == 1 for _text, space, lines in cells), cells


def test_the_timeline_shows_all_entries_in_place(page, live_server):
    """Issue 18: the page shows the latest 20 entries; "show all" swaps in the whole timeline (htmx), in place."""
    from django.urls import reverse

    from jiati.projects import services

    world = build_world()
    community = world.users["community"]
    community.set_password("pass-Word-2026")
    community.save()
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    for n in range(25):
        services.comment_add(project=project, actor=community, text=f"第{n}条意见")
    login(page, live_server, "community")
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")
    entries = page.locator("#timeline-entries li")
    assert entries.count() == 20
    page.click("#timeline-show-all")
    page.locator("#timeline-entries li").nth(25).wait_for()
    assert entries.count() == 26 and page.locator("#timeline-show-all").count() == 0
    assert page.url.endswith(reverse("projects:detail", args=[project.pk]))  # the page stayed
