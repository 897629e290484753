"""In a real browser: the window submits a file on a phone; finance approves and pays it; the tracker agrees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiati.core.tests.browser import login
from jiati.core.tests.factories import build_world
from jiati.subsidies import services
from jiati.subsidies.models import LedgerEntry, Status, SubsidyApplication
from jiati.subsidies.tests.conftest import complete, eligible_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_on_a_phone_then_approve_and_pay(phone_page, page, live_server):
    world = build_world()
    for username in ("community", "subdistrict", "finance"):
        world.users[username].set_password("pass-Word-2026")
        world.users[username].save()
    services.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="定额补贴",
        source="district",
        effective_from=dt.date(2019, 1, 1),
        fixed_amount=Decimal("100000"),
        per_storey_amount=Decimal("10000"),
        storeys_above=4,
    )
    services.budget_set(
        actor=world.users["finance"],
        region=world.regions["A"],
        year=timezone.localdate().year,
        source="district",
        amount="500000",
    )
    application = complete(eligible_project(world).subsidy_application, world.users["community"])

    # The community's window, on a phone: the start page says a file waits; the file shows the account masked.
    login(phone_page, live_server, "community")
    phone_page.goto(f"{live_server.url}/subsidies/applications/?waiting_for_me=true")
    phone_page.click(f"a[href='/subsidies/applications/{application.pk}/']")
    assert phone_page.inner_text("#bank-account").endswith("5678")
    assert "6222020200012345678" not in phone_page.content()
    phone_page.click("#submit-button")
    phone_page.wait_for_selector("#review-form")  # now waiting at the same community
    phone_page.check("input[name=decision][value=forward]")
    phone_page.fill("textarea[name=comment]", "材料齐全")
    phone_page.click("#review-button")
    phone_page.wait_for_selector("#application-status[data-status=subdistrict]")
    services.application_review(
        application=application, actor=world.users["subdistrict"], decision="forward", comment="同意"
    )

    # District finance on a desktop: approve, then record the payment; the account is shown in full.
    login(page, live_server, "finance")
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")
    assert page.inner_text("#bank-account") == "6222020200012345678"
    page.fill("#approve-form textarea[name=comment]", "核定")
    page.click("#approve-button")
    page.wait_for_selector("#pay-form")
    page.fill("#pay-form input[name=voucher_no]", "PZ-0001")
    page.fill("#pay-form input[name=paid_on]", timezone.localdate().isoformat())
    page.click("#pay-button")
    page.wait_for_selector("#application-status[data-status=paid]")
    assert LedgerEntry.objects.count() == 1
    assert SubsidyApplication.objects.get(pk=application.pk).status == Status.PAID
    page.click("#nav-tracker")
    page.wait_for_selector("#reconciled")
    assert page.inner_text("#tracker-totals td[data-bucket=paid]") == "1"
    assert "120,000.00" in page.inner_text("#headline-paid")
