"""The staff pages' frame in a real browser (issue 13, "Look and access"): the top bar on one row at 1366 px in
English and Chinese and whole behind the menu button at 390 px; the project page's stage track reached with Tab;
icon buttons on a phone with their text centred; no request answered 404 (the favicon); a resident who signs in
on the staff sign-in page lands in the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiati.core.tests.browser import login, shots_dir
from jiati.core.tests.factories import build_world
from jiati.projects import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir()  # set JIATI_SHOTS to keep the screenshots


def _world():
    world = build_world()
    for key in ("district", "community", "resident"):
        world.users[key].set_password("pass-Word-2026")
        world.users[key].save()
    return world


def _language(page, live_server, code):
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def _top_rows(page) -> int:
    """How many rows the visible entries of the top bar take (their distinct tops)."""
    return page.evaluate(
        "() => new Set([...document.querySelectorAll('#mainnav .navbar-nav > li')]"
        ".filter(li => li.offsetParent !== null).map(li => Math.round(li.getBoundingClientRect().top))).size"
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_top_bar_one_row_on_a_desktop_and_whole_on_a_phone(browser, live_server, language):
    world = _world()
    services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    for username in ("district", "community"):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        _language(page, live_server, language)
        login(page, live_server, username)
        page.goto(f"{live_server.url}{reverse('projects:list')}")
        assert _top_rows(page) == 1, f"{username}'s top bar wraps in {language} at 1366 px"
        assert page.evaluate("() => document.querySelector('nav.navbar').offsetHeight") < 80
        bar = page.evaluate("() => document.querySelector('nav.navbar').getBoundingClientRect().right")
        assert bar <= 1366
        page.click("#nav-more > button")
        more = page.locator("#nav-more .dropdown-menu a")
        assert more.count() >= 7 and more.first.is_visible()
        more.filter(has_text="Subsidies" if language == "en" else "补贴").click()
        page.wait_for_url(f"{live_server.url}{reverse('subsidies:home')}")
        assert page.locator("#nav-more > button.active").count() == 1  # where the user is, even under More
        if SHOTS and username == "district":
            page.screenshot(path=str(SHOTS / f"topbar-{language}-1366.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        assert not page.locator("#mainnav").is_visible()
        page.click(".navbar-toggler")
        page.wait_for_selector("#mainnav.show")
        visible = page.locator("#mainnav .navbar-nav > li.nav-item:visible > a.nav-link")
        shown = visible.count()
        assert shown >= 15 and page.locator("#nav-more").is_hidden()  # every entry, flat, none under More
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        if SHOTS and username == "district":
            page.screenshot(path=str(SHOTS / f"topbar-{language}-390.png"), full_page=True)
        context.close()


def test_stage_track_by_keyboard_and_icon_buttons_centred_on_a_phone(phone_page, live_server):
    page = phone_page
    world = _world()
    project = services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    login(page, live_server, "community")
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")
    reached = False
    for _step in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('stage-track')"):
            reached = True
            break
    assert reached, "the stage track is never reached with Tab"
    track = "document.querySelector('.stage-track')"
    assert page.evaluate(f"() => {track}.scrollWidth > {track}.clientWidth")  # sixteen stages overflow a phone
    before = page.evaluate(f"() => {track}.scrollLeft")
    for _step in range(5):
        page.keyboard.press("ArrowRight")
    # Chromium animates keyboard scrolling: wait for the track to move rather than reading it at once.
    page.wait_for_function(f"() => {track}.scrollLeft > {before}", timeout=5000)
    # Icon buttons: the label sits in the middle of its box, not at the top of a tall one.
    offsets = page.evaluate(
        """() => [...document.querySelectorAll('main .btn')].filter(b => b.offsetParent && b.querySelector('.bi'))
        .map(b => { const box = b.getBoundingClientRect(); const range = document.createRange();
          range.selectNodeContents(b); const text = range.getBoundingClientRect();
          return Math.abs((text.top + text.bottom) / 2 - (box.top + box.bottom) / 2); })"""
    )
    assert offsets and max(offsets) <= 2, offsets
    if SHOTS:
        page.screenshot(path=str(SHOTS / "project-phone.png"), full_page=True)
    assert not missing, missing  # the favicon too: every page asks for it


def test_a_resident_on_the_staff_sign_in_page_lands_in_the_portal(page, live_server):
    _world()
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("#id_username", "resident")
    page.fill("#id_password", "pass-Word-2026")
    page.click("form button[type=submit]:not(.btn-outline-light)")
    page.wait_for_url(f"{live_server.url}{reverse('portal:home')}")
    assert page.locator("body.portal").count() == 1 and page.locator("nav.navbar-jiati").count() == 0
