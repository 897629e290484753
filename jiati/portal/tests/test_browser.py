"""In a real browser at phone size: an owner signs in with a code (an unknown number is answered alike), turns on
larger text; every page stays under 150 KB transferred and has no serious or critical axe-core violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from jiati.core.tests.factories import build_world
from jiati.notifications.channels import ConsoleSmsSender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSFERRED = (
    "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
    ".reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"
)
AXE = (
    "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
    " return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id); }"
)


def check_page(page, weights: dict, problems: dict) -> None:
    weights[page.url] = page.evaluate(TRANSFERRED)
    problems[page.url] = page.evaluate(AXE)


def test_an_owner_signs_in_on_a_phone_and_portal_pages_stay_light_and_accessible(phone_page, live_server):
    from django.core.cache import cache

    cache.clear()
    world = build_world()
    owner = world.users["resident"].owner
    owner.phone = "13800138000"
    owner.save(update_fields=["phone"])
    page = phone_page
    page.add_init_script(script=(Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text())
    weights, problems = {}, {}

    page.goto(f"{live_server.url}/m/login/")
    check_page(page, weights, problems)
    assert page.locator("button[name=send]").bounding_box()["height"] >= 48
    assert float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2]) >= 18
    # an unknown number: the same answer, no code
    page.fill("#id_phone", "13900000000")
    page.click("button[name=send]")
    unknown = page.locator(".alert-success").inner_text()
    page.goto(f"{live_server.url}/m/login/")
    page.fill("#id_phone", owner.phone)
    page.click("button[name=send]")
    known = page.locator(".alert-success").inner_text()
    assert known.replace("138****8000", "X") == unknown.replace("139****0000", "X")
    check_page(page, weights, problems)
    code = re.search(r"\d{6}", next(t for p, t in reversed(ConsoleSmsSender.sent) if p == owner.phone)).group(0)
    page.fill("#id_code", code)
    page.click("button[name=verify]")
    page.wait_for_url(f"{live_server.url}/m/")
    assert owner.name in page.content()
    check_page(page, weights, problems)
    # larger text, remembered on the next page
    before = float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2])
    page.click("button[name=size][value=large]")
    page.goto(f"{live_server.url}/m/")
    assert float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2]) > before
    check_page(page, weights, problems)

    assert all(size < 150_000 for size in weights.values()), weights
    assert not any(problems.values()), problems
