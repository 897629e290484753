"""In a real browser: sign in → browse the registry → import a file (dry run, then apply)."""

from __future__ import annotations

import pytest

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.housing.models import Estate
from jiati.housing.tests.test_importer import stairwell_rows, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_browse_and_import(page, live_server, tmp_path):
    world = build_world()
    user = world.users["community"]
    user.set_password("pass-Word-2026")
    user.save()
    login(page, live_server, "community")
    page.click("nav a[href='/housing/estates/']")
    page.wait_for_selector("text=长江花园")
    assert "海旺花园" not in page.content()  # another district's estate stays invisible
    page.click("text=长江花园")
    page.wait_for_selector("h1:has-text('长江花园')")
    page.wait_for_selector(".bi-clock-history")  # the estate's change history
    page.goto(f"{live_server.url}/housing/import/")
    upload = tmp_path / "stock.xlsx"
    upload.write_bytes(xlsx(stairwell_rows()).read())
    page.set_input_files("input[type=file]", str(upload))
    page.click("#check-file")
    page.wait_for_selector("#import-summary")
    assert not Estate.objects.filter(code="NEW-1").exists()  # the check saved nothing
    page.click("#apply-import")
    page.wait_for_selector("#import-done")
    assert Estate.objects.filter(code="NEW-1").exists()
