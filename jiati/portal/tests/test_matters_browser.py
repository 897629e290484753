"""In a real browser at phone size: the signed-in owner's matters, what waits for him on top, each a link that
opens its page; accessible and light."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from jiati.core.tests.factories import build_world
from jiati.notifications.channels import ConsoleSmsSender
from jiati.portal.tests.test_browser import AXE, TRANSFERRED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_follows_his_matters_on_a_phone(phone_page, live_server):
    from django.core.cache import cache

    from jiati.consent import services as consent_services
    from jiati.consultation.models import ReplyMethod
    from jiati.consultation.services import petitions
    from jiati.pool import services as pool_services
    from jiati.projects import services as project_services

    cache.clear()
    world = build_world()
    owner = world.users["resident"].owner
    owner.phone = "13800138000"
    owner.save(update_fields=["phone"])
    stairwell = world.stairwells["a1a"]
    project = project_services.project_open(actor=world.users["community"], stairwell=stairwell)
    consent_services.objection_lodge(project=project, content="挡住采光", channel="online", owner=owner)
    petitions.petition_submit(
        actor=None,
        owner=owner,
        estate=world.estates["a1a"],
        petitioner_name=owner.name,
        reply_method=ReplyMethod.PORTAL,
        subject="施工噪音",
        content="晚上十点后仍在施工",
    )
    pool_services.survey_open(actor=world.users["community"], stairwell=stairwell)
    page = phone_page
    page.add_init_script(script=(Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text())

    page.goto(f"{live_server.url}/m/login/")
    page.fill("#id_phone", owner.phone)
    page.click("button[name=send]")
    code = re.search(r"\d{6}", next(t for p, t in reversed(ConsoleSmsSender.sent) if p == owner.phone)).group(0)
    page.fill("#id_code", code)
    page.click("button[name=verify]")
    page.wait_for_url(f"{live_server.url}/m/")
    items = page.locator(".matters a")
    assert items.count() == 3
    assert "等待您的答复" in items.nth(0).inner_text()  # the unanswered survey on top
    assert page.locator(".matters .matter-urgent").count() == 1
    assert all(items.nth(i).bounding_box()["height"] >= 48 for i in range(3))
    assert page.evaluate(TRANSFERRED) < 150_000
    assert page.evaluate(AXE) == []
    if shots := os.environ.get("JIATI_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/portal-matters-phone.png", full_page=True)
    items.nth(2).click()
    assert "施工噪音" in page.content()
