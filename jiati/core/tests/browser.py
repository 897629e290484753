"""Real-browser tests: Playwright driving Debian's chromium (never a downloaded browser).

Use the `page` fixture (desktop) or `phone_page` (a 390×844 phone) with pytest-django's `live_server`.
Tests skip with a clear message where /usr/bin/chromium is not installed; bin/setup and .ci/run install it.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("JIATI_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_or_skip() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed (apt install chromium); browser test skipped")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_or_skip()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page, live_server, username: str, password: str = "pass-Word-2026") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]:not(.btn-outline-light)")
    page.wait_for_url(f"{live_server.url}/")


def shots_dir():
    """Where browser tests keep screenshots for a person to look at: $JIATI_SHOTS, or None (no screenshots)."""
    from pathlib import Path

    folder = os.environ.get("JIATI_SHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


AXE_SERIOUS = (
    "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
    " return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
    ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
)


def with_axe(page) -> None:
    """axe-core from node_modules (the npm package), injected by the browser itself into every page it loads, so
    the pages' Content-Security-Policy need not allow it."""
    from pathlib import Path

    from django.conf import settings

    page.add_init_script(script=(Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text())


def axe_serious(page) -> list[dict]:
    """The serious and critical axe-core violations on the page as loaded (call `with_axe` first)."""
    return page.evaluate(AXE_SERIOUS)
