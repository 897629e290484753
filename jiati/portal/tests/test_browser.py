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


def test_a_visitor_checks_estimates_and_finds_the_stairwell_by_its_qr_link_on_a_phone(phone_page, live_server):
    """Without signing in: the start, the self-check (a wrong value refused, then a result), the cost estimate,
    finding the estate and the stairwell, the stairwell's page as its QR code opens it. Light and accessible."""
    from jiati.portal.selectors import stairwell_token

    world = build_world()
    page = phone_page
    page.add_init_script(script=(Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text())
    weights, problems = {}, {}
    shots = Path(settings.BASE_DIR) / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/m/")
    check_page(page, weights, problems)
    page.screenshot(path=str(shots / "portal-start.png"), full_page=True)
    page.click("a[href='/m/check/']")
    page.fill("#id_storeys", "99")
    page.click("button[type=submit].btn-success")
    assert page.locator(".invalid-feedback").count() >= 1 and page.input_value("#id_storeys") == "99"
    page.fill("#id_storeys", "6")
    page.fill("#id_year_built", "1992")
    page.check("input[name=space][value=yes]")
    page.select_option("#id_community", str(world.regions["A1a"].pk))
    page.click("button[type=submit].btn-success")
    assert page.locator("#self-check-result").is_visible()
    assert "新木窗口" in page.content()
    check_page(page, weights, problems)
    page.screenshot(path=str(shots / "portal-self-check.png"), full_page=True)

    page.goto(f"{live_server.url}/m/estimate/")
    page.fill("#id_storeys", "6")
    page.fill("#id_floor", "5")
    page.fill("#id_area", "72.5")
    page.click("button[type=submit].btn-success")
    assert page.locator("#estimate-result .pt-figure").count() == 2
    check_page(page, weights, problems)
    page.screenshot(path=str(shots / "portal-estimate.png"), full_page=True)

    page.goto(f"{live_server.url}/m/find/")
    page.fill("#find-q", "长江")
    page.click("main button[type=submit]")
    page.click("#estates a")
    check_page(page, weights, problems)
    page.click("a[href^='/m/s/']")
    assert page.locator("#stairwell-page").is_visible()
    # The QR poster's link is the same address.
    token = stairwell_token(world.stairwells["a1a"])
    page.goto(f"{live_server.url}/m/s/{token}/")
    check_page(page, weights, problems)
    page.screenshot(path=str(shots / "portal-stairwell.png"), full_page=True)
    for target in page.locator("main a.btn, main button").all():
        box = target.bounding_box()
        assert box is None or box["height"] >= 48, target.inner_text()
    page.set_viewport_size({"width": 1366, "height": 900})  # the same page on a desktop
    page.goto(f"{live_server.url}/m/check/?s={token}")
    assert page.locator("#self-check-result").is_visible()
    page.screenshot(path=str(shots / "portal-self-check-desktop.png"), full_page=True)

    assert all(size < 150_000 for size in weights.values()), weights
    assert not any(problems.values()), problems
