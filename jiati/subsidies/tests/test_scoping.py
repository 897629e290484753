"""Role × endpoint matrix: pages, PDFs, exports and the API show a subsidy file only where the user may see it,
answer 404 elsewhere, mask bank details except for finance, and a refused action changes nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiati.subsidies import services
from jiati.subsidies.models import LedgerEntry, Review, Status, SubsidyApplication
from jiati.subsidies.tests.conftest import OLD_TO, approve_path, complete, eligible_project

ACCOUNT = "6222020200012345678"
MASKED = "***************5678"
VISIBLE = {
    "admin": {"a1a", "a1b", "a2a", "b1a"},
    "district": {"a1a", "a1b", "a2a"},
    "finance": {"a1a", "a1b", "a2a"},
    "subdistrict": {"a1a", "a1b"},
    "community": {"a1a"},
    "property": {"a1a"},
    "contractor": set(),
    "maintainer": set(),
    "resident": set(),
    "other_district": {"b1a"},
    "other_community": {"a1b"},
}
SEES_BANK = {"admin", "finance"}


@pytest.fixture
def files(world, policies, budgets):
    """A file on each estate; a1a's approved and partly paid (so the ledger has a row there)."""
    made = {}
    for key in ("a1a", "a1b", "a2a", "b1a"):
        application = eligible_project(world, key, filed_on=OLD_TO).subsidy_application
        made[key] = complete(application, world.users["admin"], payee_account=ACCOUNT)
    made["a1a"] = approve_path(world, made["a1a"])
    services.payment_record(
        actor=world.users["finance"],
        application=made["a1a"],
        amount="1000",
        voucher_no="V-1",
        paid_on=timezone.localdate(),
    )
    return made


def _xlsx(response):
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_querysets_pages_pdfs_and_api_follow_the_scope(world, files, client_for, role):
    user = world.users[role]
    expected = {files[k].pk for k in VISIBLE[role]}
    assert set(SubsidyApplication.objects.visible_to(user).values_list("pk", flat=True)) == expected
    client = client_for(user)
    for key, application in files.items():
        status = 200 if key in VISIBLE[role] else 404
        for url in (
            reverse("subsidies:application-detail", args=[application.pk]),
            reverse("subsidies:approval-sheet", args=[application.pk]),
            reverse("subsidy-application-detail", args=[application.pk]),
            reverse("subsidy-application-reviews", args=[application.pk]),
        ):
            assert client.get(url).status_code == status, (role, key, url)
    listed = {row["id"] for row in client.get(reverse("subsidy-application-list")).json()["results"]}
    assert listed == expected
    payments = {row["id"] for row in client.get(reverse("subsidy-payment-list")).json()["results"]}
    assert payments == set(LedgerEntry.objects.visible_to(user).values_list("pk", flat=True))
    assert (len(payments) == 1) == ("a1a" in VISIBLE[role])


@pytest.mark.parametrize("role", ["district", "finance", "subdistrict", "community", "other_district", "contractor"])
def test_list_pages_and_exports_show_only_the_scope(world, files, client_for, role):
    client = client_for(world.users[role])
    html = client.get(reverse("subsidies:application-list")).content.decode()
    for key, application in files.items():
        assert (application.project.code in html) == (key in VISIBLE[role]), (role, key)
    rows = _xlsx(client.get(reverse("subsidies:application-list"), {"export": "xlsx"}))
    assert len(rows) - 1 == len(VISIBLE[role])
    tracker = load_workbook(io.BytesIO(b"".join(client.get(reverse("subsidies:tracker-export")).streaming_content)))
    assert tracker.sheetnames == ["Summary", "Files"]
    assert tracker["Files"].max_row - 1 == len(VISIBLE[role])
    ledger = _xlsx(client.get(reverse("subsidies:ledger"), {"export": "xlsx"}))
    assert len(ledger) - 1 == (1 if "a1a" in VISIBLE[role] else 0)


@pytest.mark.parametrize("role", ["finance", "district", "community", "subdistrict"])
def test_bank_details_in_full_for_finance_only(world, files, client_for, role):
    client = client_for(world.users[role])
    application = files["a1a"]
    page = client.get(reverse("subsidies:application-detail", args=[application.pk])).content.decode()
    api = client.get(reverse("subsidy-application-detail", args=[application.pk])).json()
    ledger = _xlsx(client.get(reverse("subsidies:ledger"), {"export": "xlsx", "personal": "1"}))
    header = list(ledger[0])
    account = ledger[1][header.index("Account")]
    full = role in SEES_BANK
    assert (ACCOUNT in page) == full and (MASKED in page) != full
    assert api["payee_bank_account"] == (ACCOUNT if full else MASKED)
    assert account == (ACCOUNT if full else MASKED)


@pytest.mark.parametrize(
    ("role", "action", "data"),
    [
        ("community", "subsidies:approve", {"amount": "1000", "comment": "越权"}),
        ("district", "subsidies:approve", {"amount": "1000", "comment": "越权"}),
        ("subdistrict", "subsidies:review", {"decision": "forward", "comment": "越权"}),
        ("other_district", "subsidies:review", {"decision": "forward", "comment": "越权"}),
        ("contractor", "subsidies:submit", {}),
        ("finance", "subsidies:submit", {}),
        ("community", "subsidies:not-eligible", {"reason": "越权"}),
    ],
)
def test_refused_actions_change_nothing(world, files, client_for, role, action, data):
    application = files["a2a"]
    services.application_submit(application=application, actor=world.users["admin"])
    services.application_review(application=application, actor=world.users["admin"], decision="forward", comment="ok")
    services.application_review(application=application, actor=world.users["admin"], decision="forward", comment="ok")
    before = SubsidyApplication.objects.filter(pk=application.pk).values().get()
    reviews = Review.objects.count()
    response = client_for(world.users[role]).post(reverse(action, args=[application.pk]), data)
    assert response.status_code in (302, 403, 404)
    assert SubsidyApplication.objects.filter(pk=application.pk).values().get() == before
    assert Review.objects.count() == reviews


@pytest.mark.parametrize("role", ["district", "subdistrict", "community", "other_district"])
def test_only_finance_records_payments_through_pages_and_api(world, files, client_for, role):
    client = client_for(world.users[role])
    application = files["a1a"]
    response = client.post(
        reverse("subsidies:pay", args=[application.pk]),
        {"amount": "100", "voucher_no": "V-X", "paid_on": timezone.localdate().isoformat()},
    )
    assert response.status_code in (403, 404)
    response = client.post(
        reverse("subsidy-payment-list"),
        {"application": application.pk, "amount": "100", "voucher_no": "V-X"},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    assert LedgerEntry.objects.count() == 1
    assert SubsidyApplication.objects.get(pk=application.pk).paid_amount == 1000


def test_api_requires_authentication(world, files, client):
    assert client.get(reverse("subsidy-application-list")).status_code in (401, 403)
    assert client.get(reverse("subsidy-tracker-list")).status_code in (401, 403)


@pytest.mark.parametrize("count", [3, 25])
def test_list_pages_and_api_keep_a_fixed_number_of_queries(
    world, policies, budgets, client_for, django_assert_max_num_queries, count, extra_stairwell
):
    services.budget_set(
        actor=world.users["finance"],
        region=world.regions["A"],
        year=timezone.localdate().year,
        source="district",
        amount="10000000",
    )
    for n in range(count):
        application = eligible_project(world, stairwell=extra_stairwell(f"{n}号"), filed_on=OLD_TO).subsidy_application
        if n % 2:
            approve_path(world, complete(application, world.users["admin"]))
    for application in SubsidyApplication.objects.filter(status=Status.APPROVED):
        services.payment_record(
            actor=world.users["finance"],
            application=application,
            amount="100",
            voucher_no=f"V{application.pk}",
            paid_on=timezone.localdate(),
        )
    client = client_for(world.users["finance"])
    for url in (
        reverse("subsidies:application-list"),
        reverse("subsidies:ledger"),
        reverse("subsidies:home"),
        reverse("subsidies:batches"),
        reverse("subsidies:budgets"),
        reverse("subsidies:policy-list"),
        reverse("subsidy-application-list"),
        reverse("subsidy-payment-list"),
        reverse("subsidy-tracker-list"),
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url
    from jiati.subsidies.widgets import start_page_widgets

    with django_assert_max_num_queries(6):
        assert len(start_page_widgets(user=world.users["finance"])) == 2
    application = SubsidyApplication.objects.filter(status=Status.APPROVED).first()
    with django_assert_max_num_queries(30):
        assert client.get(reverse("subsidies:application-detail", args=[application.pk])).status_code == 200
