"""Pages: the window prepares and submits, reviewers decide, finance pays (a doubled submission records once),
policies and budgets are set with clear refusals, and the printed sheet and payment list carry the Chinese text."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jiati.subsidies import services
from jiati.subsidies.models import LedgerEntry, Status, SubsidyApplication, SubsidyPolicy
from jiati.subsidies.tests.conftest import OLD_TO, PDF, approve_path, complete, eligible_project


def test_the_window_prepares_and_submits_through_the_pages(world, policies, client_for):
    from jiati.housing.models import Ownership

    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    client = client_for(world.users["community"])
    url = reverse("subsidies:application-detail", args=[application.pk])
    page = client.get(url).content.decode()
    assert 'id="problems"' in page and "submit-button" not in page
    owner = Ownership.objects.filter(dwelling__stairwell=application.project.stairwell).first().owner
    response = client.post(
        reverse("subsidies:application-edit", args=[application.pk]),
        {
            "applicant_kind": "lead_owner",
            "applicant_owner": owner.pk,
            "payee_name": "业主共同账户",
            "payee_bank_name": "工商银行",
            "payee_bank_account": "6222 0202 0001 2345 678",
        },
    )
    assert response.status_code == 302
    for kind in ("application_form", "invoice", "bank_account"):
        client.post(
            reverse("subsidies:document-add", args=[application.pk]),
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")},
        )
    page = client.get(url).content.decode()
    assert "submit-button" in page
    # The account is masked on screen; saving the form with it empty keeps the account on file.
    assert "6222020200012345678" not in page and "***************5678" in page
    client.post(
        reverse("subsidies:application-edit", args=[application.pk]),
        {
            "applicant_kind": "lead_owner",
            "applicant_owner": owner.pk,
            "payee_name": "业主共同账户",
            "payee_bank_name": "工商银行",
        },
    )
    assert SubsidyApplication.objects.get(pk=application.pk).payee_bank_account == "6222020200012345678"
    client.post(reverse("subsidies:submit", args=[application.pk]), {"note": "窗口受理"})
    assert SubsidyApplication.objects.get(pk=application.pk).status == Status.COMMUNITY
    page = client.get(url).content.decode()
    assert "review-form" in page  # the same community now reviews


def test_bad_input_on_the_edit_page_is_shown_on_its_field(world, policies, client_for):
    application = eligible_project(world).subsidy_application
    client = client_for(world.users["community"])
    response = client.post(
        reverse("subsidies:application-edit", args=[application.pk]),
        {"applicant_kind": "lead_owner", "payee_bank_account": "abc123", "audited_cost": "-5"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "invalid-feedback" in html
    assert SubsidyApplication.objects.get(pk=application.pk).payee_bank_account == ""


def test_review_approve_and_pay_through_the_pages_with_a_doubled_submission(world, policies, budgets, client_for):
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    services.application_submit(application=application, actor=world.users["community"])
    client_for(world.users["community"]).post(
        reverse("subsidies:review", args=[application.pk]), {"decision": "forward", "comment": "齐全"}
    )
    client = client_for(world.users["subdistrict"])
    client.post(reverse("subsidies:return", args=[application.pk]), {"comment": ""})  # a return needs a comment
    assert SubsidyApplication.objects.get(pk=application.pk).status == Status.SUBDISTRICT
    client.post(reverse("subsidies:review", args=[application.pk]), {"decision": "forward", "comment": "同意"})
    client = client_for(world.users["finance"])
    client.post(reverse("subsidies:approve", args=[application.pk]), {"amount": "120000.00", "comment": "核定"})
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    page = client.get(reverse("subsidies:application-detail", args=[application.pk])).content.decode()
    assert "pay-form" in page
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {
        "amount": "120000.00",
        "voucher_no": "PZ-1",
        "paid_on": timezone.localdate().isoformat(),
        "idempotency_key": key,
    }
    first = client.post(reverse("subsidies:pay", args=[application.pk]), data, follow=True)
    second = client.post(reverse("subsidies:pay", args=[application.pk]), data, follow=True)
    assert LedgerEntry.objects.count() == 1
    assert "PZ-1" in first.content.decode() and "already recorded" in second.content.decode()
    assert SubsidyApplication.objects.get(pk=application.pk).status == Status.PAID
    entry = LedgerEntry.objects.get()
    client.post(
        reverse("subsidies:reverse", args=[application.pk, entry.pk]),
        {
            "voucher_no": "CZ-1",
            "reversed_on": timezone.localdate().isoformat(),
            "reason": "退回",
            "idempotency_key": "r1",
        },
    )
    assert SubsidyApplication.objects.get(pk=application.pk).paid_amount == 0
    assert LedgerEntry.objects.count() == 2


def test_policy_page_refuses_overlaps_and_negative_amounts_clearly(world, policies, client_for):
    client = client_for(world.users["district"])
    base = {"region": world.regions["A"].pk, "name": "新版", "source": "district", "storeys_above": 0, "min_storeys": 4}
    response = client.post(
        reverse("subsidies:policy-new"), base | {"effective_from": "2027-01-01", "fixed_amount": "1000"}
    )
    assert response.status_code == 200 and "overlap" in response.content.decode()
    response = client.post(
        reverse("subsidies:policy-new"),
        base | {"effective_from": "2010-01-01", "effective_to": "2010-12-31", "fixed_amount": "-1"},
    )
    assert "cannot be negative" in response.content.decode()
    assert SubsidyPolicy.objects.count() == 2
    response = client.post(
        reverse("subsidies:policy-new"),
        base
        | {
            "effective_from": "2010-01-01",
            "effective_to": "2010-12-31",
            "fixed_amount": "80000",
            "extra_name": "管线迁改",
            "extra_max": "20000",
            "required_documents": ["application_form", "invoice"],
        },
    )
    assert response.status_code == 302
    policy = SubsidyPolicy.objects.get(name="新版")
    assert policy.required_documents == ["application_form", "invoice"] and policy.extras.get().name == "管线迁改"
    page = client.get(reverse("subsidies:policy-detail", args=[policy.pk])).content.decode()
    assert "管线迁改" in page
    assert client_for(world.users["finance"]).get(reverse("subsidies:policy-new")).status_code == 403


def test_budget_and_batch_pages(world, client_for):
    client = client_for(world.users["finance"])
    year = timezone.localdate().year
    client.post(reverse("subsidies:budgets"), {"year": year, "source": "city", "amount": "5000000"})
    page = client.get(reverse("subsidies:budgets")).content.decode()
    assert "¥5,000,000.00" in page
    response = client.post(
        reverse("subsidies:batches"), {"number": "BF-1", "paid_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assert (
        client_for(world.users["district"])
        .post(reverse("subsidies:budgets"), {"year": year, "source": "city", "amount": "1"})
        .status_code
        == 403
    )


def _pdf_text(response) -> tuple[str, set]:
    """The text of every page, and which kinds of embedded font files the fonts carry."""
    reader = PdfReader(io.BytesIO(response.content))
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is not None:
                    embedded |= {k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor.get_object()}
    return "".join(page.extract_text() for page in reader.pages), embedded


@pytest.mark.parametrize(("role", "full"), [("finance", True), ("district", False)])
def test_approval_sheet_and_payment_list_pdfs(world, policies, budgets, client_for, role, full):
    application = approve_path(
        world, complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    )
    batch = services.payment_batch_create(
        actor=world.users["finance"], number="BF-2026-1", paid_on=timezone.localdate()
    )
    services.payment_record(
        actor=world.users["finance"], application=application, amount="60000", voucher_no="PZ-9", batch=batch
    )
    client = client_for(world.users[role])
    response = client.get(reverse("subsidies:approval-sheet", args=[application.pk]))
    assert response["Content-Type"] == "application/pdf"
    text, embedded = _pdf_text(response)
    assert "补贴审批表" in text and "社区" in text and "¥120,000.00" in text and "PZ-9" in text
    assert "/FontFile2" in embedded  # the TrueType Chinese font travels with the file
    assert ("6222020200012345678" in text) == full
    response = client.get(reverse("subsidies:payment-list", args=[batch.pk]))
    text, embedded = _pdf_text(response)
    assert "/FontFile2" in embedded
    assert "拨付清单" in text and "BF-2026-1" in text and "¥60,000.00" in text
    assert ("6222020200012345678" in text) == full


def test_project_page_shows_the_subsidy_panel_and_the_estimate_before(world, policies, client_for):
    from jiati.projects import services as project_services

    client = client_for(world.users["district"])
    project = eligible_project(world, filed_on=OLD_TO)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="subsidy-panel"' in page and "¥120,000.00" in page
    assert "not been submitted" in page  # the stage guard's reason, for those who may move it on
    early = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a1b"])
    early.estimated_cost = Decimal("300000")
    early.save()
    page = client_for(world.users["subdistrict"]).get(reverse("projects:detail", args=[early.pk])).content.decode()
    assert 'id="subsidy-estimate"' in page and "¥120,000.00" in page  # 40% of ¥300,000 under today's policy
    from jiati.projects.models import Project

    Project.objects.filter(pk=early.pk).update(contractor=world.companies["contractor"])
    page = client_for(world.users["contractor"]).get(reverse("projects:detail", args=[early.pk])).content.decode()
    assert 'id="subsidy-panel"' not in page  # not a company's business


def test_the_estimate_on_the_project_page_does_not_read_the_policy_extras(world, policies, client_for):
    """Issue 18: the estimate claims no extras, so the project page does not read them (one query fewer)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiati.projects import services as project_services

    early = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a1b"])
    early.estimated_cost = Decimal("300000")
    early.save()
    client = client_for(world.users["subdistrict"])
    url = reverse("projects:detail", args=[early.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert 'id="subsidy-estimate"' in page and "¥120,000.00" in page
    assert not [q for q in captured.captured_queries if 'FROM "subsidies_policyextra"' in q["sql"]]


def test_start_page_widgets(world, policies, budgets, client_for):
    approve_path(
        world, complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    )
    page = client_for(world.users["finance"]).get(reverse("core:home")).content.decode()
    assert 'id="subsidy-widget"' in page and "¥120,000.00" in page
    page = client_for(world.users["community"]).get(reverse("core:home")).content.decode()
    assert 'id="subsidy-widget"' not in page and "Subsidy files" in page


def test_tracker_page_and_buttons(world, policies, client_for):
    from jiati.projects import services as project_services
    from jiati.projects.models import Project, Stage

    orphan = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a1a"])
    Project.objects.filter(pk=orphan.pk).update(stage=Stage.SUBSIDY)
    client = client_for(world.users["district"])
    page = client.get(reverse("subsidies:home")).content.decode()
    assert 'id="orphans"' in page and 'id="reconciled"' in page
    client.post(reverse("subsidies:draft-missing"))
    assert SubsidyApplication.objects.filter(project=orphan).exists()
    assert client.post(reverse("subsidies:remind")).status_code == 302
    assert client_for(world.users["community"]).post(reverse("subsidies:remind")).status_code == 403


def test_list_filters_and_htmx_partial(world, policies, client_for):
    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    client = client_for(world.users["community"])
    for query, present in [
        ({"bucket": "not_applied"}, True),
        ({"bucket": "paid"}, False),
        ({"waiting_for_me": "true"}, True),
        ({"q": application.project.code}, True),
        ({"overdue": "true"}, False),
    ]:
        html = client.get(reverse("subsidies:application-list"), query).content.decode()
        assert (application.project.code in html) == present, query
    partial = client.get(reverse("subsidies:application-list"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="results"' in partial and "<html" not in partial


def test_the_interface_is_chinese_by_default(world, policies, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(world.users["finance"])
    response = client.get(reverse("subsidies:home"))
    page = response.content.decode()
    assert "应发尽发" in page and "补贴" in page, (response.status_code, page[page.find("<main") :][:1500])
