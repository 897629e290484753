"""Issue 13 in a real browser, at phone and desktop size: refused panel forms come back open with every value as
typed and every error; the staff pages have no serious or critical axe-core violation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.projects import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _project_page(page, live_server):
    world = build_world()
    world.users["community"].set_password("pass-Word-2026")
    world.users["community"].save()
    project = services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    login(page, live_server, "community")
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")
    return project


def _panel(page, action_suffix):
    """The fold-out panel of a form, before its form is loaded (issue 18: loaded when opened) and after."""
    return page.locator(f"details:has(form[action$='{action_suffix}']), details:has([hx-get$='{action_suffix}form/'])")


def walk_refused_forms(page, live_server):
    project = _project_page(page, live_server)
    # 0. The service team's form is not on the page until its panel opens; then it comes (htmx) and saves.
    team = _panel(page, "/checklist/service_team/")
    assert team.locator("form").count() == 0 and team.locator("a").count() == 1  # the link without JavaScript
    team.locator("summary").click()
    team.locator("form input[name=users]").first.check()
    team.locator("form button").click()
    page.wait_for_load_state()
    assert page.locator("#seven-ones dd").nth(2).inner_text().strip() not in ("", "—"), "the team was saved"
    # 1. The checklist panel (loaded when opened): two wrong fields at once.
    panel = _panel(page, "/checklist/checklist/")
    assert panel.locator("form").count() == 0
    panel.locator("summary").click()
    form = panel.locator("form")
    form.locator("input[name=chat_group_name]").fill("三栋加梯群")
    form.locator("input[name=chat_group_link]").fill("not a link")
    form.locator("input[name=estimated_cost]").fill("12.345")
    form.locator("button").click()
    page.wait_for_load_state()
    panel = _panel(page, "/checklist/checklist/")
    assert panel.evaluate("d => d.open"), "the refused panel comes back open"
    assert panel.locator("input[name=chat_group_name]").input_value() == "三栋加梯群"
    assert panel.locator("input[name=chat_group_link]").input_value() == "not a link"
    assert panel.locator("input[name=estimated_cost]").input_value() == "12.345"
    assert panel.locator(".invalid-feedback").count() == 2
    # 2. Re-planning to a date that would make the project overdue at once: refused, open, the date kept.
    plan = _panel(page, "/checklist/plan/")
    if not plan.evaluate("d => d.open"):
        plan.locator("summary").click()
    plan.locator("input[name=target_date]").fill(f"{timezone.localdate() + dt.timedelta(days=20):%Y-%m-%d}")
    plan.locator("input[name=reason]").fill("春节前")
    plan.locator("button").click()
    page.wait_for_load_state()
    plan = _panel(page, "/checklist/plan/")
    assert plan.evaluate("d => d.open")
    assert plan.locator("input[name=reason]").input_value() == "春节前"
    assert plan.locator("input[name=target_date]").input_value()  # an ISO date the picker shows
    assert plan.locator(".invalid-feedback").count() >= 1
    # The other panels stay as they were.
    assert not _panel(page, "/checklist/lead_owner/").evaluate("d => d.open")
    project_url = page.url
    # 3. The window page's one booking form: the slot chosen by its link, two wrong fields at once, all kept.
    from jiati.consultation.models import WindowSlot
    from jiati.consultation.tests.conftest import make_slot
    from jiati.organisation.models import ServiceWindow

    window = ServiceWindow.objects.filter(community=project.community, kind="workstation").first()
    slots = [make_slot(window, days=day, created_by=project.created_by) for day in (1, 2)]
    page.goto(f"{live_server.url}{reverse('consultation:window-detail', args=[window.pk])}")
    page.click(f"a[data-value='{slots[1].pk}']")
    assert page.input_value("#id_book_slot") == str(slots[1].pk)
    page.fill("#id_book_phone", "12345")
    page.fill("#id_book_note", "想问分摊")
    page.click("#book-form button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("#id_book_slot") == str(slots[1].pk)
    assert page.input_value("#id_book_phone") == "12345" and page.input_value("#id_book_note") == "想问分摊"
    assert page.locator("#book-form .invalid-feedback").count() >= 3  # name, phone, topic together
    # 4. Offering slots: a first day in the past, a last day before it and a time that ends before it starts are
    # the service's refusals, named together (they came one per submit), the panel open and every value kept.
    past, before = timezone.localdate() - dt.timedelta(days=1), timezone.localdate() - dt.timedelta(days=3)
    page.goto(f"{live_server.url}{reverse('consultation:window-detail', args=[window.pk])}")
    offer = page.locator("#open-slots")
    if not offer.evaluate("d => d.open"):
        offer.locator("summary").click()
    page.fill("#id_first_day", past.isoformat())
    page.fill("#id_last_day", before.isoformat())
    page.fill("#id_times", "10:00-09:00")
    page.fill("#id_capacity", "7")
    page.click("#open-slots-button")
    page.wait_for_load_state()
    offer = page.locator("#open-slots")
    assert offer.evaluate("d => d.open"), "the refused slots form comes back open"
    assert page.input_value("#id_first_day") == past.isoformat()
    assert page.input_value("#id_last_day") == before.isoformat()
    assert page.input_value("#id_times") == "10:00-09:00" and page.input_value("#id_capacity") == "7"
    feedback = offer.locator(".invalid-feedback")
    assert feedback.count() == 3, feedback.all_inner_texts()  # first day, last day and times at once
    assert not WindowSlot.objects.filter(window=window).exclude(pk__in=[s.pk for s in slots]).exists()
    return project_url


def test_refused_forms_come_back_open_on_a_phone(phone_page, live_server):
    walk_refused_forms(phone_page, live_server)


def test_refused_forms_come_back_open_on_a_desktop_and_pages_pass_axe(page, live_server):
    project_url = walk_refused_forms(page, live_server)
    axe = (Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text()
    urls = [
        reverse("core:home"),
        reverse("projects:list"),
        reverse("consent:vote-list"),
        reverse("consent:objection-list"),
        reverse("housing:estate-list"),
        reverse("consultation:home"),
        reverse("subsidies:home"),
    ]
    page.add_init_script(script=axe)  # injected by the browser itself, so the pages' CSP need not allow it
    problems = []
    window_url = page.url.removesuffix("slots/")  # the window page, where the walk ended (its slots form)
    for url in [project_url, window_url, *(f"{live_server.url}{u}" for u in urls)]:
        page.goto(url)
        result = page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
        )
        problems += [{"url": url, **v} for v in result]
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def walk_consent_and_subsidy_refusals(page, live_server):
    """The notice's dates, an objection recorded at the window and finance's approved amount: each refused form
    comes back (open where it folds) with every value as typed and every error at once."""
    from decimal import Decimal

    from jiati.consent import services as consent_services
    from jiati.consent.tests.conftest import cast_online, ensure_rule_sets, in_stage, open_vote, voters
    from jiati.projects.models import Stage
    from jiati.subsidies import services as subsidy_services
    from jiati.subsidies.tests.conftest import complete, eligible_project

    ensure_rule_sets()
    world = build_world()
    for key in ("community", "finance"):
        world.users[key].set_password("pass-Word-2026")
        world.users[key].save()
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    vote = open_vote(project, community)
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    consent_services.vote_close(vote=vote, actor=community)
    in_stage(project, Stage.PUBLIC_NOTICE)
    login(page, live_server, "community")

    # 1. The notice: the first day comes pre-filled as an ISO date (the picker shows it); two wrong fields at once.
    page.goto(f"{live_server.url}{reverse('consent:notice-post', args=[project.pk])}")
    assert page.input_value("#id_starts_on") == timezone.localdate().isoformat()
    page.fill("#id_title", "加装电梯公示")
    page.fill("#id_content", "")
    page.fill("#id_period_days", "0")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("#id_title") == "加装电梯公示" and page.input_value("#id_period_days") == "0"
    assert page.input_value("#id_starts_on") == timezone.localdate().isoformat()
    assert page.locator("main form .invalid-feedback").count() == 2  # the plan's text and the period together
    page.fill("#id_content", "加装一部电梯。")
    page.fill("#id_period_days", "10")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#objections")

    # 2. An objection at the window: the fold-out form comes back open, what was typed kept, every error shown.
    panel = page.locator("details:has(#record-objection)")
    panel.locator("summary").click()
    panel.locator("input[name=name]").fill("张三")
    panel.locator("input[name=room]").fill("101")  # a room without its stairwell
    panel.locator("input[name=address]").fill("长江花园1栋")
    panel.locator("#record-objection").click()
    page.wait_for_load_state()
    panel = page.locator("details:has(#record-objection)")
    assert panel.evaluate("d => d.open"), "the refused objection form comes back open"
    assert panel.locator("input[name=name]").input_value() == "张三"
    assert panel.locator("input[name=room]").input_value() == "101"
    assert panel.locator("input[name=address]").input_value() == "长江花园1栋"
    errors = panel.locator(".invalid-feedback").count()
    assert errors == 2, errors  # the stairwell and the objection's text together, not one per submit

    # 3. Finance's approved amount: a negative amount and no comment, both named, the amount kept.
    subsidy_services.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="定额补贴",
        source="district",
        effective_from=dt.date(2019, 1, 1),
        fixed_amount=Decimal("100000"),
    )
    subsidy_services.budget_set(
        actor=world.users["finance"],
        region=world.regions["A"],
        year=timezone.localdate().year,
        source="district",
        amount="500000",
    )
    application = complete(eligible_project(world, "a2a").subsidy_application, world.users["admin"])
    from jiati.subsidies.models import Status
    from jiati.subsidies.selectors import holders_for

    window = (holders_for(Status.COMMUNITY, application.project.community) or [world.users["admin"]])[0]
    group = (holders_for(Status.SUBDISTRICT, application.project.community) or [world.users["admin"]])[0]
    subsidy_services.application_submit(application=application, actor=window)
    subsidy_services.application_review(application=application, actor=window, decision="forward", comment="齐全")
    subsidy_services.application_review(application=application, actor=group, decision="forward", comment="同意")
    page.context.clear_cookies()
    login(page, live_server, "finance")
    page.goto(f"{live_server.url}{reverse('subsidies:application-detail', args=[application.pk])}")
    page.fill("#approve-form input[name=amount]", "-5")
    page.click("#approve-button")
    page.wait_for_load_state()
    assert page.input_value("#approve-form input[name=amount]") == "-5"
    assert page.locator("#approve-form .invalid-feedback").count() == 2  # the amount and the comment together


def test_notice_objection_and_approval_refusals_on_a_phone(phone_page, live_server):
    walk_consent_and_subsidy_refusals(phone_page, live_server)


def test_notice_objection_and_approval_refusals_on_a_desktop(page, live_server):
    walk_consent_and_subsidy_refusals(page, live_server)
