"""Opening, moving and managing projects: guards say why, nothing changes on refusal."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.housing.models import Ownership
from jiati.notifications.models import Notification
from jiati.projects import schedule, services
from jiati.projects.models import (
    DocumentKind,
    EventKind,
    Project,
    ProjectDocument,
    ReviewResult,
    Stage,
    Status,
)
from jiati.projects.stages import missing_to_leave

PDF = b"%PDF-1.4 test document"


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def owners_of(stairwell):
    return [o.owner for o in Ownership.objects.filter(dwelling__stairwell=stairwell).select_related("owner")]


def test_open_creates_event_audit_and_code(world, project):
    assert project.code.startswith("JT")
    assert project.stage == Stage.INTENTION and project.status == Status.ACTIVE
    assert project.community == world.regions["A1a"]
    assert project.events.filter(kind=EventKind.CREATED).exists()
    assert AuditEntry.objects.filter(object_id=str(project.pk), action="create").exists()


def test_second_live_project_on_a_stairwell_is_refused(world, project):
    with pytest.raises(ValidationError) as exc:
        services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    assert "already has a project" in str(exc.value)
    assert Project.objects.count() == 1


def test_withdrawn_project_leaves_room_but_cannot_then_be_reopened(world, project):
    services.project_withdraw(project=project, actor=world.users["community"], reason="业主意见不一")
    second = services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    assert second.pk != project.pk
    with pytest.raises(ValidationError, match="Another project"):
        services.project_reopen(project=project, actor=world.users["community"], reason="重新启动")
    project.refresh_from_db()
    assert project.status == Status.WITHDRAWN


@pytest.mark.parametrize("role", ["property", "finance", "contractor", "resident"])
def test_only_staff_open_projects(world, role):
    with pytest.raises(PermissionDenied):
        services.project_open(actor=world.users[role], stairwell=world.stairwells["a1a"])
    assert not Project.objects.exists()


def test_cannot_open_outside_the_area(world):
    with pytest.raises(PermissionDenied):
        services.project_open(actor=world.users["community"], stairwell=world.stairwells["b1a"])


def test_guard_says_why_and_nothing_changes(world, project):
    community = world.users["community"]
    with pytest.raises(ValidationError) as exc:
        services.project_advance(project=project, actor=community)
    assert "No lead owner" in " ".join(exc.value.messages)
    project.refresh_from_db()
    assert project.stage == Stage.INTENTION
    assert not project.events.filter(kind=EventKind.STAGE).exists()


def test_lead_owner_must_own_in_the_stairwell(world, project):
    stranger = owners_of(world.stairwells["a1b"])[0]
    with pytest.raises(ValidationError, match="must own a dwelling in this stairwell"):
        services.project_set_lead_owner(project=project, actor=world.users["community"], owner=stranger)
    project.refresh_from_db()
    assert project.lead_owner is None


def organise(world, project):
    community = world.users["community"]
    owners = owners_of(world.stairwells["a1a"])
    services.project_set_lead_owner(project=project, actor=community, owner=owners[0])
    services.working_group_set(project=project, actor=community, owners=owners[:3])
    services.service_team_set(project=project, actor=community, users=[community])
    services.project_set_checklist(project=project, actor=community, chat_group_name="长江花园1栋加梯群")


def test_seven_ones_are_counted(world, project):
    organise(world, project)
    project.refresh_from_db()
    assert project.seven_ones_done == 4
    community = world.users["community"]
    services.project_set_checklist(project=project, actor=community, brand=_maker(world), contractor=_contractor(world))
    services.contract_review_add(
        project=project, actor=community, reviewed_on=timezone.localdate(), result=ReviewResult.APPROVED
    )
    project.refresh_from_db()
    assert project.seven_ones_done == 7


def _maker(world):
    company = world.companies["contractor"]
    company.is_manufacturer = True
    company.save()
    return company


def _contractor(world):
    return world.companies["contractor"]


def test_design_guard_lists_each_missing_item(world, project):
    Project.objects.filter(pk=project.pk).update(stage=Stage.DESIGN)
    project.refresh_from_db()
    missing = missing_to_leave(project)
    assert any("brand" in m for m in missing)
    assert any("construction team" in m for m in missing)
    assert any("has not been reviewed" in m for m in missing)
    assert any("design drawings" in m for m in missing)


def test_changes_required_review_blocks_until_approved(world, project):
    community = world.users["community"]
    Project.objects.filter(pk=project.pk).update(stage=Stage.DESIGN)
    with pytest.raises(ValidationError, match="Write down"):
        services.contract_review_add(
            project=project, actor=community, reviewed_on=timezone.localdate(), result=ReviewResult.CHANGES
        )
    services.contract_review_add(
        project=project,
        actor=community,
        reviewed_on=timezone.localdate(),
        result=ReviewResult.CHANGES,
        findings="付款条款不清",
    )
    project.refresh_from_db()
    assert any("found changes" in m for m in missing_to_leave(project))


def test_documents_are_versioned_checked_and_never_overwritten(world, project):
    community = world.users["community"]
    first = services.document_add(project=project, actor=community, kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf())
    second = services.document_add(
        project=project, actor=community, kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf("v2.pdf")
    )
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 == second.sha256 and len(first.sha256) == 64
    assert ProjectDocument.objects.filter(project=project).count() == 2
    with pytest.raises(ValidationError, match="not accepted"):
        services.document_add(
            project=project, actor=community, kind=DocumentKind.OTHER, upload=SimpleUploadedFile("x.exe", b"MZ")
        )
    with pytest.raises(ValidationError, match="does not match"):
        services.document_add(
            project=project,
            actor=community,
            kind=DocumentKind.OTHER,
            upload=SimpleUploadedFile("fake.pdf", b"not a pdf"),
        )
    assert ProjectDocument.objects.filter(project=project).count() == 2


def test_document_over_the_size_limit_is_refused(world, project, settings):
    settings.JIATI_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="limit"):
        services.document_add(project=project, actor=world.users["community"], kind=DocumentKind.OTHER, upload=pdf())


def test_walk_from_intention_to_in_service(world, project, settings):
    """Every guard of the projects app passes once its requirement is met (other apps' guards aside)."""
    community, contractor, finance = world.users["community"], world.users["contractor"], world.users["finance"]
    from jiati.projects.stages import _EXIT_GUARDS

    own_guards = {
        stage: [g for g in guards if g.__module__ == "jiati.projects.stages"] for stage, guards in _EXIT_GUARDS.items()
    }
    original = dict(_EXIT_GUARDS)
    _EXIT_GUARDS.clear()
    _EXIT_GUARDS.update(own_guards)
    try:
        organise(world, project)
        services.project_set_checklist(
            project=project, actor=community, brand=_maker(world), contractor=_contractor(world)
        )
        services.contract_review_add(
            project=project,
            actor=community,
            reviewed_on=timezone.localdate(),
            result=ReviewResult.APPROVED,
            contract_amount=Decimal("550000"),
        )
        documents = {
            Stage.DESIGN: [DocumentKind.CONSTRUCTION_CONTRACT, DocumentKind.DESIGN_DRAWINGS],
            Stage.APPROVALS: [DocumentKind.FILING_RECEIPT],
            Stage.CONSTRUCTION_NOTICE: [DocumentKind.CONSTRUCTION_NOTIFICATION],
            Stage.INSPECTION: [DocumentKind.INSPECTION_CERTIFICATE],
            Stage.REGISTRATION: [DocumentKind.REGISTRATION_CERTIFICATE],
        }
        while project.stage != Stage.IN_SERVICE:
            for kind in documents.get(project.stage, []):
                services.document_add(project=project, actor=community, kind=kind, upload=pdf())
            actor = community
            if project.stage in (Stage.FOUNDATION, Stage.SHAFT, Stage.INSTALLATION, Stage.FINISHING):
                services.document_add(
                    project=project,
                    actor=contractor,
                    kind=DocumentKind.CONSTRUCTION_PHOTO,
                    upload=SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0photo"),
                )
                actor = contractor
            if project.stage == Stage.SUBSIDY:
                actor = finance
            project = services.project_advance(project=project, actor=actor)
    finally:
        _EXIT_GUARDS.clear()
        _EXIT_GUARDS.update(original)
    assert project.stage == Stage.IN_SERVICE
    assert project.events.filter(kind=EventKind.STAGE).count() == 15


def test_contractor_moves_only_its_construction_stages(world, project):
    Project.objects.filter(pk=project.pk).update(stage=Stage.VOTE)
    project.refresh_from_db()
    with pytest.raises(PermissionDenied):  # not assigned: cannot even see it
        services.project_advance(project=project, actor=world.users["contractor"])
    Project.objects.filter(pk=project.pk).update(contractor=world.companies["contractor"])
    with pytest.raises(ValidationError, match="Your role cannot move"):
        services.project_advance(project=project, actor=world.users["contractor"])


def test_suspend_and_reopen_need_a_reason_and_block_moves(world, project):
    community = world.users["community"]
    with pytest.raises(ValidationError, match="reason"):
        services.project_suspend(project=project, actor=community, reason=" ")
    services.project_suspend(project=project, actor=community, reason="业主诉讼中")
    project.refresh_from_db()
    assert project.status == Status.SUSPENDED
    with pytest.raises(ValidationError, match="reopen it first"):
        services.project_advance(project=project, actor=community)
    services.project_reopen(project=project, actor=community, reason="诉讼结束")
    project.refresh_from_db()
    assert project.status == Status.ACTIVE
    kinds = list(project.events.values_list("kind", flat=True))
    assert EventKind.SUSPENDED in kinds and EventKind.REOPENED in kinds


def test_blockers_count_and_resolve(world, project):
    community = world.users["community"]
    blocker = services.blocker_open(
        project=project,
        actor=community,
        description="一楼业主反对",
        party="101业主",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        assignee=world.users["subdistrict"],
    )
    project.refresh_from_db()
    assert project.open_blockers == 1
    assert Notification.objects.filter(recipient=world.users["subdistrict"], kind="blocker").exists()
    with pytest.raises(ValidationError, match="past"):
        services.blocker_open(
            project=project,
            actor=community,
            description="x",
            party="y",
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )
    services.blocker_resolve(blocker=blocker, actor=community, resolution="协商给予补偿")
    project.refresh_from_db()
    assert project.open_blockers == 0


def test_plan_backwards_and_replan_keeps_history(world, project):
    community = world.users["community"]
    target = timezone.localdate() + dt.timedelta(days=400)
    with pytest.raises(ValidationError, match="future"):
        schedule.plan_make(project=project, actor=community, target_date=timezone.localdate())
    first = schedule.plan_make(project=project, actor=community, target_date=target)
    milestones = list(first.milestones.order_by("due_date"))
    assert milestones[0].stage == Stage.INTENTION
    # Planned backwards: the last milestone is due on the last working day on or before the target, never after.
    assert milestones[-1].stage == Stage.SUBSIDY and milestones[-1].due_date <= target
    assert (target - milestones[-1].due_date).days < 7
    for earlier, later in itertools.pairwise(milestones):
        assert earlier.due_date == later.planned_start
    project.refresh_from_db()
    assert project.stage_due == milestones[0].due_date
    assert project.stage_at_risk_from <= project.stage_due
    second = schedule.plan_make(
        project=project, actor=community, target_date=target + dt.timedelta(days=30), reason="疫情延误"
    )
    assert second.version == 2
    first.refresh_from_db()
    assert not first.is_current and first.milestones.count() == 15


def test_schedule_state_is_computed_in_sql(world, project):
    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(
        stage_due=today - dt.timedelta(days=1), stage_at_risk_from=today - dt.timedelta(days=3)
    )
    assert Project.objects.with_schedule_state().get(pk=project.pk).schedule_state == "overdue"
    assert Project.objects.in_schedule_state("overdue").filter(pk=project.pk).exists()
    Project.objects.filter(pk=project.pk).update(stage_due=today + dt.timedelta(days=2), stage_at_risk_from=today)
    assert Project.objects.with_schedule_state().get(pk=project.pk).schedule_state == "at_risk"
    Project.objects.filter(pk=project.pk).update(
        stage_due=today + dt.timedelta(days=20), stage_at_risk_from=today + dt.timedelta(days=15)
    )
    assert Project.objects.with_schedule_state().get(pk=project.pk).schedule_state == "on_track"


def test_overdue_sweep_tells_once(world, project):
    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(
        stage_due=today - dt.timedelta(days=1), stage_at_risk_from=today - dt.timedelta(days=2)
    )
    assert schedule.overdue_sweep() == 1
    assert schedule.overdue_sweep() == 0
    assert Notification.objects.filter(recipient=world.users["community"], kind="overdue").count() == 1


def test_the_seven_ones_and_a_blocker_name_every_wrong_field_at_once(project, world):
    from jiati.projects.models import ContractReview

    community = world.users["community"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.contract_review_add(project=project, actor=community, reviewed_on=tomorrow, result="changes")
    assert set(caught.value.error_dict) == {"reviewed_on", "findings"}
    assert not ContractReview.objects.filter(project=project).exists()
    with pytest.raises(ValidationError) as caught:
        services.blocker_open(
            project=project, actor=community, description=" ", party="", due_date=timezone.localdate() - dt.timedelta(1)
        )
    assert set(caught.value.error_dict) == {"description", "due_date"}
    contractor = world.companies["contractor"]
    with pytest.raises(ValidationError) as caught:  # a construction team chosen as brand, and a cost of nothing
        services.project_set_checklist(project=project, actor=community, brand=contractor, estimated_cost=0)
    assert set(caught.value.error_dict) == {"brand", "estimated_cost"}
