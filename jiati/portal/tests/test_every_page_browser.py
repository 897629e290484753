"""In a real browser at phone size (390×844), every portal page, signed in and not: no serious or critical axe-core
violation and under 150 KB transferred on first load. One browser session per group, the pages visited in turn.
Then the signed-in owner answers the willingness survey and files a petition, and finds each in "my matters"."""

from __future__ import annotations

import re

import pytest

from jiati.core.tests.browser import axe_serious, shots_dir, with_axe
from jiati.notifications.channels import ConsoleSmsSender
from jiati.portal.tests.scene import PHONE, build_scene
from jiati.portal.tests.test_browser import TRANSFERRED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIMIT = 150_000


@pytest.fixture
def scene():
    from django.core.cache import cache

    cache.clear()  # the one-time codes' rate-limit counters
    ConsoleSmsSender.sent.clear()
    return build_scene()


def measure(page, name: str, weights: dict, problems: dict, group: str) -> None:
    weights[name] = page.evaluate(TRANSFERRED)
    if found := axe_serious(page):
        problems[name] = found
    if folder := shots_dir():
        page.screenshot(path=str(folder / f"portal-{group}-{name}.png"), full_page=True)


def last_code(phone: str) -> str:
    return re.search(r"\d{6}", next(t for p, t in reversed(ConsoleSmsSender.sent) if p == phone)).group(0)


def sign_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/m/login/")
    page.fill("#id_phone", PHONE)
    page.click("button[name=send]")
    page.fill("#id_code", last_code(PHONE))
    page.click("button[name=verify]")
    page.wait_for_url(f"{live_server.url}/m/")


def test_every_public_page_is_accessible_and_light(scene, phone_page, live_server):
    from jiati.consent.models import RollVoter

    page = phone_page
    with_axe(page)
    weights, problems = {}, {}
    for name, url in scene.public.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (name, url)
        measure(page, name, weights, problems, "public")
    # The code steps: signing in, and the vote's own.
    page.goto(f"{live_server.url}/m/login/")
    page.fill("#id_phone", PHONE)
    page.click("button[name=send]")
    assert page.locator("#id_code").is_visible()
    measure(page, "sign-in-code", weights, problems, "public")
    voter = RollVoter.objects.filter(vote=scene.vote).order_by("id").first()
    page.goto(f"{live_server.url}{scene.public['vote']}")
    page.fill("#phone-form input[name=phone]", voter.phone)
    page.click("#send-code")
    page.wait_for_selector("input[name=code]")
    measure(page, "vote-code", weights, problems, "public")

    assert len(weights) == len(scene.public) + 2
    assert all(size < LIMIT for size in weights.values()), weights
    assert not problems, problems


def test_every_signed_in_page_is_accessible_and_light(scene, phone_page, live_server):
    page = phone_page
    with_axe(page)
    weights, problems = {}, {}
    sign_in(page, live_server)
    for name, url in scene.signed_in.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (name, url)
        if name == "notice":
            assert page.locator("#objection-form").is_visible()  # the objection form, on the notice
        measure(page, name, weights, problems, "owner")

    assert len(weights) == len(scene.signed_in)
    assert all(size < LIMIT for size in weights.values()), weights
    assert not problems, problems


def test_the_owner_answers_the_survey_and_files_a_petition_on_a_phone(scene, phone_page, live_server):
    from jiati.consultation.models import Petition
    from jiati.pool.models import SurveyAnswer

    page = phone_page
    sign_in(page, live_server)
    survey_link = page.locator(f".matters a[href='{scene.signed_in['survey']}']")
    assert survey_link.locator(".matter-urgent").count() == 1  # waiting for his answer
    survey_link.click()
    form = page.locator("form.portal-survey-form").first
    form.locator("input[name=answer][value=willing]").check()
    with page.expect_navigation():
        form.locator("button").click()
    answer = SurveyAnswer.objects.get(survey=scene.survey, is_current=True)
    assert (answer.answer, answer.channel, answer.owner_id) == ("willing", "portal", scene.owner.pk)
    page.goto(f"{live_server.url}/m/")
    survey_link = page.locator(f".matters a[href='{scene.signed_in['survey']}']")
    assert survey_link.count() == 1 and survey_link.locator(".matter-urgent").count() == 0  # answered

    page.goto(f"{live_server.url}{scene.signed_in['petition-form']}")
    page.fill("#id_subject", "电梯井道挡住窗户")
    page.fill("#id_content", "请设计单位再看一下井道的位置。")
    with page.expect_navigation():
        page.click("#submit-petition")
    petition = Petition.objects.get(subject="电梯井道挡住窗户")
    assert page.url.endswith(f"/consultation/m/petitions/{petition.pk}/")
    assert "请设计单位再看一下井道的位置。" in page.content()
    page.goto(f"{live_server.url}/m/")
    filed = page.locator(f".matters a[href='/consultation/m/petitions/{petition.pk}/']")
    assert filed.count() == 1 and petition.reference in filed.inner_text()
