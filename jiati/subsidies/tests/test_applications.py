"""Eligibility, the file, the review path with returns, approval against the budget, and the stage guard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.notifications.models import Notification
from jiati.projects import services as project_services
from jiati.projects.models import EventKind, Project, Stage
from jiati.projects.stages import missing_to_leave
from jiati.subsidies import services
from jiati.subsidies.models import Budget, Decision, Review, Status, SubsidyApplication, SubsidyDocumentKind
from jiati.subsidies.tests.conftest import OLD_TO, approve_path, complete, eligible_project, pdf


def codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errors in exc.error_dict.values() for e in errors]
    return [e.code for e in exc.error_list]


def test_entering_the_subsidy_stage_drafts_the_file_with_amount_reason_and_missing_documents(world, policies):
    project = eligible_project(world, filed_on=OLD_TO)
    application = SubsidyApplication.objects.get(project=project)
    assert application.status == Status.DRAFT
    assert application.policy == policies["old"]
    # 6 storeys: ¥100,000 + 2 × ¥10,000 (storeys above the 4th)
    assert application.amount_due == Decimal("120000.00")
    assert [line["code"] for line in application.breakdown] == ["fixed", "per_storey"]
    assert application.eligible_on == timezone.localdate()
    assert application.deadline == timezone.localdate() + dt.timedelta(days=180)
    event = project.events.filter(kind=EventKind.OTHER, data__action="drafted").get()
    assert "¥120,000.00" in event.message and "2025-06-30" in event.message
    assert "Signed application form" in event.message  # still needed…
    assert "Inspection certificate" not in event.message  # …the project's own certificate counts
    # The community's window is told.
    assert Notification.objects.filter(recipient=world.users["community"], kind="subsidy").exists()
    assert AuditEntry.objects.filter(object_id=str(application.pk), action="create").exists()


def test_drafting_twice_keeps_one_file(world, policies):
    project = eligible_project(world)
    again = services.application_draft(project=project, actor=world.users["admin"])
    assert again.pk == project.subsidy_application.pk
    assert SubsidyApplication.objects.count() == 1


def test_no_policy_drafts_a_file_that_cannot_be_submitted(world):
    project = eligible_project(world)
    application = project.subsidy_application
    assert application.policy is None and application.amount_due == 0
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert codes(caught.value) == ["no_policy"]


def test_submission_without_documents_lists_everything_and_changes_nothing(world, policies):
    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert set(codes(caught.value)) == {"applicant", "payee", "documents"}
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.submitted_at is None


def test_share_of_cost_policy_needs_the_audited_cost(world, policies):
    application = eligible_project(world).subsidy_application  # the 2025 policy: 40% of the cost, capped
    assert application.amount_due == Decimal("200000.00")  # 40% of the ¥550,000 estimate, capped
    application = complete(application, world.users["community"])
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert codes(caught.value) == ["audited_cost"]
    services.application_update(application=application, actor=world.users["community"], audited_cost="412345.67")
    application.refresh_from_db()
    assert application.amount_due == Decimal("164938.27")  # 40% of 412,345.67 = 164,938.268
    services.application_submit(application=application, actor=world.users["community"])


def test_bad_input_on_the_file_is_refused_and_nothing_changes(world, policies):
    application = eligible_project(world).subsidy_application
    community = world.users["community"]
    before = SubsidyApplication.objects.filter(pk=application.pk).values().get()
    extra = policies["new"].extras.get()
    cases = [
        ({"audited_cost": "-1"}, "negative"),
        ({"audited_cost": "四十万"}, "not_a_number"),
        ({"payee_bank_account": "6222-abc"}, "invalid_bank_account"),
        ({"applicant_phone": "12345"}, "invalid_phone"),
        ({"extras": {extra.pk: "30000.01"}}, "over_extra_max"),
        ({"applicant_owner": world.stairwells["a1b"].dwellings.first().ownerships.first().owner}, "not_an_owner_here"),
    ]
    for fields, code in cases:
        with pytest.raises(ValidationError) as caught:
            services.application_update(application=application, actor=community, **fields)
        assert codes(caught.value) == [code], fields
    assert SubsidyApplication.objects.filter(pk=application.pk).values().get() == before


def test_extras_add_to_the_amount(world, policies):
    application = eligible_project(world).subsidy_application
    extra = policies["new"].extras.get()
    services.application_update(application=application, actor=world.users["community"], extras={extra.pk: "12000.50"})
    application.refresh_from_db()
    assert application.amount_due == Decimal("212000.50")


def test_review_path_with_a_return_and_resubmission(world, policies, budgets):
    community, subdistrict, finance = world.users["community"], world.users["subdistrict"], world.users["finance"]
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, community)
    services.application_submit(application=application, actor=community)
    services.application_review(application=application, actor=community, decision="forward", comment="齐全")
    application.refresh_from_db()
    assert application.status == Status.SUBDISTRICT
    # The subdistrict returns it; the window corrects and resubmits; it goes round again.
    services.application_review(application=application, actor=subdistrict, decision="return", comment="发票不清晰")
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    services.application_document_add(
        application=application, actor=community, kind=SubsidyDocumentKind.INVOICE, upload=pdf("invoice-v2.pdf")
    )
    services.application_submit(application=application, actor=community)
    services.application_review(application=application, actor=community, decision="forward", comment="已补正")
    services.application_review(application=application, actor=subdistrict, decision="forward", comment="同意")
    application = services.application_approve(application=application, actor=finance, comment="核定")
    assert application.status == Status.APPROVED
    assert application.approved_amount == Decimal("120000.00")
    trail = list(Review.objects.filter(application=application).values_list("step", "decision"))
    assert trail == [
        ("community", "forward"),
        ("subdistrict", "return"),
        ("community", "forward"),
        ("subdistrict", "forward"),
        ("district", "approve"),
    ]
    budget = Budget.objects.get(pk=budgets["district"].pk)
    assert budget.committed == Decimal("120000.00")  # the old policy is district-funded
    assert Notification.objects.filter(recipient=finance, kind="subsidy").exists()


@pytest.mark.parametrize(
    ("step_actor", "wrong"),
    [("community", ["subdistrict", "finance", "district", "property"]), ("subdistrict", ["community", "finance"])],
)
def test_each_step_belongs_to_its_role(world, policies, step_actor, wrong):
    community = world.users["community"]
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, community)
    services.application_submit(application=application, actor=community)
    if step_actor == "subdistrict":
        services.application_review(application=application, actor=community, decision="forward", comment="ok")
    for role in wrong:
        with pytest.raises(PermissionDenied):
            services.application_review(
                application=application, actor=world.users[role], decision="forward", comment="越权"
            )
    assert Review.objects.filter(comment="越权").count() == 0


def test_other_areas_cannot_touch_the_file(world, policies):
    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    for role in ("other_community", "other_district", "contractor", "resident"):
        with pytest.raises(PermissionDenied):
            services.application_update(application=application, actor=world.users[role], payee_name="x")


def test_return_needs_a_comment_and_district_must_approve_not_forward(world, policies, budgets):
    community = world.users["community"]
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, community)
    services.application_submit(application=application, actor=community)
    with pytest.raises(ValidationError) as caught:
        services.application_review(application=application, actor=community, decision="return", comment="  ")
    assert codes(caught.value) == ["comment_required"]
    services.application_review(application=application, actor=community, decision="forward", comment="ok")
    services.application_review(
        application=application, actor=world.users["subdistrict"], decision="forward", comment="ok"
    )
    with pytest.raises(ValidationError) as caught:
        services.application_review(
            application=application, actor=world.users["finance"], decision="forward", comment="ok"
        )
    assert codes(caught.value) == ["approve_instead"]


def test_approval_fixes_an_amount_no_higher_than_due(world, policies, budgets):
    community = world.users["community"]
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, community)
    with pytest.raises(ValidationError) as caught:
        approve_path(world, application, amount="120000.01")
    assert codes(caught.value) == ["over_due"]
    application.refresh_from_db()
    assert application.status == Status.DISTRICT and application.approved_amount is None
    assert Budget.objects.get(pk=budgets["district"].pk).committed == 0
    application = services.application_approve(
        application=application, actor=world.users["finance"], comment="扣减不合规发票", amount="115000"
    )
    assert application.approved_amount == Decimal("115000.00")


def test_approval_over_the_remaining_budget_is_refused(world, policies):
    finance = world.users["finance"]
    year = timezone.localdate().year
    services.budget_set(actor=finance, region=world.regions["A"], year=year, source="district", amount="119999.99")
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    with pytest.raises(ValidationError) as caught:
        approve_path(world, application)
    assert codes(caught.value) == ["over_budget"]
    assert "¥119,999.99" in str(caught.value)
    application.refresh_from_db()
    assert application.status == Status.DISTRICT
    services.budget_set(actor=finance, region=world.regions["A"], year=year, source="district", amount="120000")
    services.application_approve(application=application, actor=finance, comment="追加预算后核定")
    with pytest.raises(ValidationError) as caught:  # a budget cannot drop below what it has approved
        services.budget_set(actor=finance, region=world.regions["A"], year=year, source="district", amount="100000")
    assert codes(caught.value) == ["below_committed"]


def test_approval_without_a_budget_is_refused(world, policies):
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    with pytest.raises(ValidationError) as caught:
        approve_path(world, application)
    assert codes(caught.value) == ["no_budget"]


def test_budgets_are_set_by_finance_for_its_district(world):
    year = timezone.localdate().year
    for role in ("district", "subdistrict", "community"):
        with pytest.raises(PermissionDenied):
            services.budget_set(actor=world.users[role], region=world.regions["A"], year=year, source="city", amount=1)
    with pytest.raises(ValidationError) as caught:
        services.budget_set(
            actor=world.users["finance"], region=world.regions["A1"], year=year, source="city", amount=1
        )
    assert codes(caught.value) == ["scope_level"]
    with pytest.raises(PermissionDenied):
        services.budget_set(actor=world.users["finance"], region=world.regions["B"], year=year, source="city", amount=1)
    assert not Budget.objects.exists()


def test_the_stage_guard_says_what_is_open_until_paid_or_not_eligible(world, policies, budgets):
    community, finance = world.users["community"], world.users["finance"]
    project = eligible_project(world, filed_on=OLD_TO)
    application = project.subsidy_application
    assert "not been submitted" in " ".join(missing_to_leave(project))
    with pytest.raises(ValidationError):
        project_services.project_advance(project=project, actor=finance)
    application = approve_path(world, complete(application, community))
    assert "still to pay" in " ".join(missing_to_leave(project))
    services.payment_record(
        actor=finance, application=application, amount="120000", voucher_no="V-1", paid_on=timezone.localdate()
    )
    assert missing_to_leave(project) == []
    project = project_services.project_advance(project=project, actor=finance)
    assert project.stage == Stage.IN_SERVICE


def test_not_eligible_with_a_reason_lets_the_project_move_on(world, policies):
    project = eligible_project(world, filed_on=OLD_TO)
    application = project.subsidy_application
    with pytest.raises(PermissionDenied):
        services.application_mark_not_eligible(application=application, actor=world.users["community"], reason="x")
    with pytest.raises(ValidationError):
        services.application_mark_not_eligible(application=application, actor=world.users["district"], reason=" ")
    services.application_mark_not_eligible(
        application=application, actor=world.users["district"], reason="已享受旧改资金，不重复补贴"
    )
    assert missing_to_leave(Project.objects.get(pk=project.pk)) == []


def test_fewer_storeys_than_required_cannot_be_submitted(world, policies, extra_stairwell):
    project = eligible_project(world, stairwell=extra_stairwell("低层", storeys=3), filed_on=OLD_TO)
    application = complete(project.subsidy_application, world.users["community"])
    assert application.amount_due == 0 and application.unmet[0]["code"] == "min_storeys"
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert "condition" in codes(caught.value)


def test_a_late_file_is_refused_after_its_deadline(world, policies):
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    SubsidyApplication.objects.filter(pk=application.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    application.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert codes(caught.value) == ["deadline_passed"]


def test_a_submitted_file_is_frozen_until_returned(world, policies):
    community = world.users["community"]
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, community)
    services.application_submit(application=application, actor=community)
    with pytest.raises(ValidationError) as caught:
        services.application_update(application=application, actor=community, payee_name="别人")
    assert codes(caught.value) == ["not_editable"]
    with pytest.raises(ValidationError):
        services.application_document_add(
            application=application, actor=community, kind=SubsidyDocumentKind.OTHER, upload=pdf()
        )
    assert Decision.RETURN == "return"


def test_an_approval_names_every_wrong_field_at_once(world, policies, budgets):
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    with pytest.raises(ValidationError):
        approve_path(world, application, amount="120000.01")  # brings the file to district finance, refused
    with pytest.raises(ValidationError) as caught:
        services.application_approve(
            application=application, actor=world.users["finance"], comment=" ", amount="120000.01"
        )
    assert set(caught.value.error_dict) == {"comment", "amount"}
    application.refresh_from_db()
    assert application.status == Status.DISTRICT and application.approved_amount is None


def test_a_budget_names_every_wrong_field_at_once(world, policies):
    """Issue 13: the year, the source and the amount were refused one per submit."""
    with pytest.raises(ValidationError) as caught:
        services.budget_set(
            actor=world.users["finance"], region=world.regions["A"], year=1999, source="lottery", amount="-1"
        )
    assert set(caught.value.message_dict) == {"year", "source", "amount"}


def test_a_payment_names_every_wrong_field_at_once(world, policies, budgets):
    """Issue 13: an amount over what is unpaid hid a payment date in the future."""
    application = approve_path(
        world, complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    )
    with pytest.raises(ValidationError) as caught:
        services.payment_record(
            actor=world.users["finance"],
            application=application,
            amount="999999",
            voucher_no="V-9",
            paid_on=timezone.localdate() + dt.timedelta(days=3),
        )
    assert set(caught.value.message_dict) == {"amount", "paid_on"}
    assert codes(caught.value) == ["over_unpaid", "future_date"]
    application.refresh_from_db()
    assert application.paid_amount == 0


def test_a_file_update_names_every_wrong_field_at_once(world, policies):
    """Issue 13: who applies, the bank account, the stops and the cost were refused one per submit."""
    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    with pytest.raises(ValidationError) as caught:
        services.application_update(
            application=application,
            actor=world.users["community"],
            applicant_kind="alien",
            payee_bank_account="12",
            stops=0,
            estimated_cost="-5",
            extras="many",
        )
    assert set(caught.value.message_dict) == {
        "applicant_kind",
        "payee_bank_account",
        "stops",
        "estimated_cost",
        "extras",
    }
    application.refresh_from_db()
    assert application.stops != 0
