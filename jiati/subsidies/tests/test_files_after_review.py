"""The subsidy file, after review: the deadline binds the first submission only; "eligible since" is the day
the project became eligible; drafts pick up a policy defined later (re-evaluation); bad extras are a field
error; review decisions are append-only like the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.notifications.models import Notification
from jiati.projects import services as project_services
from jiati.projects.models import EventKind, Project, ProjectEvent, Stage
from jiati.subsidies import daily, rules, selectors, services
from jiati.subsidies.models import Review, Source, Status, SubsidyApplication, SubsidyPolicy
from jiati.subsidies.tests.conftest import OLD_TO, aware, complete, eligible_project, pdf

TODAY = timezone.localdate


def codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errors in exc.error_dict.values() for e in errors]
    return [e.code for e in exc.error_list]


def returned_file(world):
    community = world.users["community"]
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, community)
    services.application_submit(application=application, actor=community)
    services.application_review(application=application, actor=community, decision="return", comment="发票不清晰")
    return SubsidyApplication.objects.get(pk=application.pk)


# --- 1. the deadline is for the first submission only -----------------------------------------


def test_a_returned_file_is_resubmitted_after_the_deadline_has_passed(world, policies, client_for):
    community = world.users["community"]
    application = returned_file(world)
    SubsidyApplication.objects.filter(pk=application.pk).update(deadline=TODAY() - dt.timedelta(days=10))
    application.refresh_from_db()
    assert application.status == Status.RETURNED and not application.deadline_applies
    assert "deadline_passed" not in [code for code, _m in selectors.submission_problems(application)]
    # Not listed as late, not flagged in reminders; the page says a resubmission has no deadline.
    assert not SubsidyApplication.objects.filter(selectors.late_q()).exists()
    page = client_for(community).get(reverse("subsidies:application-detail", args=[application.pk])).content.decode()
    assert "Resubmission: no deadline" in page and "submit-button" in page
    services.application_document_add(
        application=application, actor=community, kind="invoice", upload=pdf("invoice-v2.pdf")
    )
    services.application_submit(application=application, actor=community)
    application.refresh_from_db()
    assert application.status == Status.COMMUNITY


def test_the_first_submission_still_has_its_deadline(world, policies):
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    SubsidyApplication.objects.filter(pk=application.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    application.refresh_from_db()
    assert application.deadline_applies
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert codes(caught.value) == ["deadline_passed"]
    assert SubsidyApplication.objects.filter(selectors.late_q()).get() == application


# --- 3. "eligible since" is the day the project became eligible -------------------------------


def late_orphan(world, *, entered_days_ago: int, key: str = "a1a", with_event: bool = True) -> Project:
    """A project that entered the subsidy stage long ago (filed under the 2019 policy) and has no file yet."""
    entered = TODAY() - dt.timedelta(days=entered_days_ago)
    project = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells[key])
    Project.objects.filter(pk=project.pk).update(stage=Stage.SUBSIDY, stage_entered_at=aware(entered))
    ProjectEvent.objects.create(
        project=project,
        kind=EventKind.STAGE,
        from_stage=Stage.APPROVALS,
        to_stage=Stage.CONSTRUCTION_NOTICE,
        at=aware(OLD_TO),
    )
    if with_event:
        ProjectEvent.objects.create(
            project=project,
            kind=EventKind.STAGE,
            from_stage=Stage.REGISTRATION,
            to_stage=Stage.SUBSIDY,
            at=aware(entered),
        )
    project.refresh_from_db()
    return project


def test_a_late_draft_from_the_daily_run_counts_from_eligibility(world, policies):
    project = late_orphan(world, entered_days_ago=40)
    assert daily.run_daily()["subsidy_applications_drafted"] == 1
    application = SubsidyApplication.objects.get(project=project)
    eligible = TODAY() - dt.timedelta(days=40)
    assert application.eligible_on == eligible  # drafted today, eligible since the project entered the stage
    assert application.deadline == eligible + dt.timedelta(days=180)  # the 2019 policy: 180 days
    assert selectors.days_waiting(application) == 40
    assert selectors.tracker(user=world.users["district"])["longest"]["not_applied"] == 40
    assert application.policy_basis == {"basis": "filed", "date": OLD_TO.isoformat()}


def test_a_draft_made_past_its_deadline_says_so(world, policies):
    project = late_orphan(world, entered_days_ago=200, with_event=False)  # only the stage's entry date is known
    services.applications_draft_missing()
    application = complete(SubsidyApplication.objects.get(project=project), world.users["community"])
    assert application.eligible_on == TODAY() - dt.timedelta(days=200)
    assert application.deadline == TODAY() - dt.timedelta(days=20)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, actor=world.users["community"])
    assert "deadline_passed" in codes(caught.value)


def test_the_eligibility_date_is_the_one_that_decides_the_policy(world, policies):
    project = late_orphan(world, entered_days_ago=12)
    assert rules.eligible_date(project) == TODAY() - dt.timedelta(days=12)
    early = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a1b"])
    assert rules.eligible_date(early) is None


# --- 2. drafts pick up a policy defined later ---------------------------------------------------


def test_a_draft_without_a_policy_picks_up_one_defined_later(world):
    project = eligible_project(world)
    application = project.subsidy_application
    assert application.policy is None and application.amount_due == 0
    policy = services.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="龙岗区加梯补贴（补定）",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount="100000",
        application_deadline_days=90,
    )
    application.refresh_from_db()
    assert application.policy == policy and application.amount_due == Decimal("100000.00")
    assert application.deadline == application.eligible_on + dt.timedelta(days=90)
    reason = rules.basis_text(application.policy_basis, application.policy)
    assert "龙岗区加梯补贴（补定）" in reason and "before, no policy applied" in reason
    entry = AuditEntry.objects.filter(object_id=str(application.pk), action="update").latest("id")
    assert entry.changes["policy"] == [None, policy.pk] and entry.actor == world.users["district"]
    event = project.events.filter(data__action="reevaluated").get()
    assert "a policy was defined" in event.message and "¥100,000.00" in event.message
    assert Notification.objects.filter(recipient=world.users["community"], title__contains="now applies").exists()


def test_only_files_not_yet_submitted_change_policy(world):
    """A city policy decided two files; one was submitted. A district policy defined later: the draft takes it
    (the most specific scope wins), the submitted file keeps the policy it was submitted under."""
    admin = world.users["admin"]
    city = services.policy_create(
        actor=admin,
        region=world.regions["city"],
        name="深圳市补贴",
        source=Source.CITY,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount="50000",
    )
    draft = eligible_project(world, "a1a").subsidy_application
    submitted = complete(eligible_project(world, "a1b").subsidy_application, admin)
    services.application_submit(application=submitted, actor=admin)
    other_district = eligible_project(world, "b1a").subsidy_application
    assert draft.policy == submitted.policy == other_district.policy == city
    district = services.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="龙岗区补贴",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount="90000",
    )
    draft.refresh_from_db()
    submitted.refresh_from_db()
    other_district.refresh_from_db()
    assert draft.policy == district and draft.amount_due == Decimal("90000.00")
    assert submitted.policy == city and submitted.amount_due == Decimal("50000.00")
    assert other_district.policy == city  # outside the new policy's area
    with pytest.raises(ValidationError) as caught:
        services.application_reevaluate(application=submitted, actor=world.users["district"])
    assert codes(caught.value) == ["not_reevaluable"]


def test_the_daily_run_and_the_file_page_re_evaluate(world, client_for):
    """A policy that reached the database without the service (an import): the daily run picks it up, and so
    does the re-evaluate button on the file, which opening the file offers."""
    first = eligible_project(world, "a1a").subsidy_application
    second = eligible_project(world, "a1b").subsidy_application
    SubsidyPolicy.objects.create(
        region=world.regions["A"],
        name="导入的政策",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount=Decimal("70000"),
        created_by=world.users["district"],
    )
    client = client_for(world.users["community"])
    url = reverse("subsidies:application-detail", args=[first.pk])
    page = client.get(url).content.decode()
    assert 'id="policy-change"' in page and "导入的政策" in page
    assert SubsidyApplication.objects.get(pk=first.pk).policy is None  # opening the file changes nothing by itself
    response = client.post(reverse("subsidies:reevaluate", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.policy.name == "导入的政策" and first.amount_due == Decimal("70000.00")
    assert 'id="policy-change"' not in client.get(url).content.decode()
    assert "Re-evaluated on" in client.get(url).content.decode()
    result = daily.run_daily()
    assert result["subsidy_policies_reevaluated"] == 1  # the second file
    second.refresh_from_db()
    assert second.policy.name == "导入的政策"
    assert daily.run_daily()["subsidy_policies_reevaluated"] == 0
    # Out of scope: another community's window cannot re-evaluate (404 like any file it cannot see).
    assert (
        client_for(world.users["other_district"]).post(reverse("subsidies:reevaluate", args=[first.pk])).status_code
        == 404
    )


def test_re_evaluation_drops_extras_claimed_under_the_old_policy(world):
    """A city policy with an extra decided the draft first; the district's policy then wins, without that extra."""
    admin = world.users["admin"]
    city = services.policy_create(
        actor=admin,
        region=world.regions["city"],
        name="市级",
        source=Source.CITY,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount="50000",
        extras=[("管线迁改", "20000")],
    )
    application = eligible_project(world).subsidy_application
    services.application_update(
        application=application, actor=world.users["community"], extras={city.extras.get().pk: "15000"}
    )
    application.refresh_from_db()
    assert application.amount_due == Decimal("65000.00")
    services.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="区级",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        fixed_amount="60000",
    )
    application.refresh_from_db()
    assert application.policy.name == "区级" and application.amount_due == Decimal("60000.00")
    assert not application.extras.exists()
    event = application.project.events.filter(data__action="reevaluated").get()
    assert "管线迁改" in event.message


# --- 9. bad extras are a field error, not a crash -----------------------------------------------


def test_bad_extras_are_refused_on_their_field(world, policies, client_for):
    application = eligible_project(world).subsidy_application
    community = world.users["community"]
    before = SubsidyApplication.objects.filter(pk=application.pk).values().get()
    for extras, code in [
        ({"abc": "100"}, "invalid_extra"),
        ({None: "100"}, "invalid_extra"),
        ({"999999": "100"}, "invalid_extra"),
        (["1", "2"], "invalid_extras"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.application_update(application=application, actor=community, extras=extras)
        assert caught.value.error_dict.keys() == {"extras"} and codes(caught.value) == [code]
    client = client_for(community)
    url = reverse("subsidy-application-detail", args=[application.pk])
    response = client.patch(url, {"extras": {"abc": "100"}}, content_type="application/json")
    assert response.status_code == 400 and response.json()["codes"] == {"extras": ["invalid_extra"]}
    response = client.patch(url, {"stops": "seven"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["codes"] == {"stops": ["stops_range"]}
    assert SubsidyApplication.objects.filter(pk=application.pk).values().get() == before


# --- 10. review decisions are append-only ----------------------------------------------------------


def test_review_rows_cannot_be_edited_or_deleted(world, policies):
    returned_file(world)
    review = Review.objects.get()
    with pytest.raises(TypeError):
        Review.objects.filter(pk=review.pk).update(comment="改过")
    with pytest.raises(TypeError):
        Review.objects.all().delete()
    review.comment = "改过"
    with pytest.raises(TypeError):
        review.save()
    with pytest.raises(TypeError):
        review.delete()
    assert Review.objects.get().comment == "发票不清晰"


def test_a_resident_who_does_not_lead_the_project_cannot_touch_the_file(world, policies):
    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    with pytest.raises(PermissionDenied):
        services.application_submit(application=application, actor=world.users["resident"])
