"""On a phone a wide table scrolls sideways; when it holds no link the keyboard could not reach it (axe-core's
serious scrollable-region-focusable on the subsidies page and the monthly dispatch). app.js makes every such region
focusable, on whichever page it is."""

from __future__ import annotations

import pytest

from jiati.core.tests.browser import axe_serious, login, with_axe
from jiati.core.tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNREACHABLE = """() => [...document.querySelectorAll('.table-responsive, .overflow-auto')]
    .filter(r => r.scrollWidth > r.clientWidth + 1)
    .filter(r => !r.hasAttribute('tabindex'))
    .filter(r => !r.querySelector('a[href], button, input, select, textarea, [tabindex]'))
    .map(r => r.className)"""


def test_a_wide_table_without_links_is_reachable_by_keyboard_on_a_phone(phone_page, live_server):
    world = build_world()
    world.users["district"].set_password("pass-Word-2026")
    world.users["district"].save()
    with_axe(phone_page)
    login(phone_page, live_server, "district")
    phone_page.goto(f"{live_server.url}/subsidies/")
    wide = phone_page.evaluate(
        "() => [...document.querySelectorAll('.table-responsive')].some(r => r.scrollWidth > r.clientWidth + 1)"
    )
    assert wide, "the tracker table is wider than a phone"
    assert phone_page.evaluate(UNREACHABLE) == []
    assert [v for v in axe_serious(phone_page) if v["id"] == "scrollable-region-focusable"] == []
