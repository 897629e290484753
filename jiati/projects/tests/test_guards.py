"""Every transition guard of the projects app refuses with its plain-language reason, changes nothing when it
refuses, and lets the project move once its requirement is met. Other apps test their own guards (the vote, the
notice, the meeting, the subsidy); here they are set aside."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiati.projects import services
from jiati.projects.models import CONSTRUCTION_STAGES, DocumentKind, Project, ReviewResult, Stage, next_stage
from jiati.projects.tests.helpers import own_guards_only, pdf, photo, snapshot
from jiati.projects.tests.test_services import owners_of

NO_LEAD_OWNER = "No lead owner has been named."
NO_WORKING_GROUP = "The owners' working group has no members."
NO_SERVICE_TEAM = "No staff member is on the service team."
NO_CHAT_GROUP = "The chat work group has not been set up."
NO_BRAND = "No elevator brand has been chosen."
NO_TEAM = "No construction team has been selected."
NO_REVIEW = "The construction contract has not been reviewed."
REVIEW_CHANGES = "The construction contract review found changes to make; review it again."
NO_CONTRACT = "The construction contract has not been uploaded."
NO_DRAWINGS = "The design drawings have not been uploaded."
NO_FILING = "The filing and approval receipt has not been uploaded."
NO_NOTIFICATION = "The notification to the special-equipment authority has not been uploaded."
NO_PHOTO = "Upload at least one site photo of this construction step."
NO_INSPECTION = "The inspection certificate has not been uploaded."
NO_REGISTRATION = "The registration certificate for use has not been uploaded."


@pytest.fixture(autouse=True)
def _own_guards():
    with own_guards_only():
        yield


def at(project: Project, stage: str, **fields) -> Project:
    Project.objects.filter(pk=project.pk).update(stage=stage, **fields)
    project.refresh_from_db()
    return project


def refusal(project: Project, actor) -> list[str]:
    """Try to move the project on; return the reasons, having checked that nothing changed."""
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.project_advance(project=project, actor=actor, expected_stage=project.stage)
    assert snapshot() == before
    return exc.value.messages


def moves(project: Project, actor) -> None:
    stage = project.stage
    moved = services.project_advance(project=project, actor=actor, expected_stage=stage)
    assert moved.stage == next_stage(stage)


def test_intention_needs_a_lead_owner(world, project):
    community = world.users["community"]
    assert refusal(project, community) == [NO_LEAD_OWNER]
    services.project_set_lead_owner(project=project, actor=community, owner=owners_of(world.stairwells["a1a"])[0])
    moves(project, community)


def _organise(world, project, *, skip: str = "") -> None:
    community = world.users["community"]
    owners = owners_of(world.stairwells["a1a"])
    if skip != "lead_owner":
        services.project_set_lead_owner(project=project, actor=community, owner=owners[0])
    if skip != "working_group":
        services.working_group_set(project=project, actor=community, owners=owners[:2])
    if skip != "service_team":
        services.service_team_set(project=project, actor=community, users=[community])
    if skip != "chat_group":
        services.project_set_checklist(project=project, actor=community, chat_group_name="加梯群")


def test_organised_lists_everything_missing(world, project):
    at(project, Stage.ORGANISED)
    assert refusal(project, world.users["community"]) == [
        NO_LEAD_OWNER,
        NO_WORKING_GROUP,
        NO_SERVICE_TEAM,
        NO_CHAT_GROUP,
    ]


@pytest.mark.parametrize(
    ("skip", "reason"),
    [
        ("lead_owner", NO_LEAD_OWNER),
        ("working_group", NO_WORKING_GROUP),
        ("service_team", NO_SERVICE_TEAM),
        ("chat_group", NO_CHAT_GROUP),
    ],
)
def test_organised_refuses_each_missing_piece(world, project, skip, reason):
    at(project, Stage.ORGANISED)
    _organise(world, project, skip=skip)
    assert refusal(project, world.users["community"]) == [reason]


def test_organised_moves_when_complete(world, project):
    at(project, Stage.ORGANISED)
    _organise(world, project)
    moves(project, world.users["community"])


def _design(world, project, *, skip: str = "") -> None:
    community = world.users["community"]
    company = world.companies["contractor"]
    company.is_manufacturer = True
    company.save()
    values = {}
    if skip != "brand":
        values["brand"] = company
    if skip != "contractor":
        values["contractor"] = company
    if values:
        services.project_set_checklist(project=project, actor=community, **values)
    if skip != "review":
        services.contract_review_add(
            project=project,
            actor=community,
            reviewed_on=timezone.localdate(),
            result=ReviewResult.CHANGES if skip == "review_changes" else ReviewResult.APPROVED,
            findings="付款条款不清" if skip == "review_changes" else "",
        )
    if skip != "contract":
        services.document_add(
            project=project, actor=community, kind=DocumentKind.CONSTRUCTION_CONTRACT, upload=pdf("contract.pdf")
        )
    if skip != "drawings":
        services.document_add(project=project, actor=community, kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf())


def test_design_lists_everything_missing(world, project):
    at(project, Stage.DESIGN)
    assert refusal(project, world.users["community"]) == [NO_BRAND, NO_TEAM, NO_REVIEW, NO_CONTRACT, NO_DRAWINGS]


@pytest.mark.parametrize(
    ("skip", "reason"),
    [
        ("brand", NO_BRAND),
        ("contractor", NO_TEAM),
        ("review", NO_REVIEW),
        ("review_changes", REVIEW_CHANGES),
        ("contract", NO_CONTRACT),
        ("drawings", NO_DRAWINGS),
    ],
)
def test_design_refuses_each_missing_piece(world, project, skip, reason):
    at(project, Stage.DESIGN)
    _design(world, project, skip=skip)
    assert refusal(project, world.users["community"]) == [reason]


def test_design_moves_when_complete(world, project):
    at(project, Stage.DESIGN)
    _design(world, project)
    moves(project, world.users["community"])


@pytest.mark.parametrize(
    ("stage", "kind", "reason"),
    [
        (Stage.APPROVALS, DocumentKind.FILING_RECEIPT, NO_FILING),
        (Stage.CONSTRUCTION_NOTICE, DocumentKind.CONSTRUCTION_NOTIFICATION, NO_NOTIFICATION),
        (Stage.INSPECTION, DocumentKind.INSPECTION_CERTIFICATE, NO_INSPECTION),
        (Stage.REGISTRATION, DocumentKind.REGISTRATION_CERTIFICATE, NO_REGISTRATION),
    ],
)
def test_document_guards_say_which_document_is_missing(world, project, stage, kind, reason):
    community = world.users["community"]
    at(project, stage, contractor=world.companies["contractor"])
    assert refusal(project, community) == [reason]
    # Another kind of document does not count.
    services.document_add(project=project, actor=community, kind=DocumentKind.OTHER, upload=pdf())
    assert refusal(project, community) == [reason]
    services.document_add(project=project, actor=community, kind=kind, upload=pdf())
    moves(project, community)


@pytest.mark.parametrize("stage", sorted(CONSTRUCTION_STAGES, key=list(Stage).index))
def test_each_construction_step_needs_its_own_photo(world, project, stage):
    contractor = world.users["contractor"]
    at(project, stage, contractor=world.companies["contractor"])
    assert refusal(project, contractor) == [NO_PHOTO]
    # A photo taken in another construction step does not count for this one.
    earlier = Stage.FINISHING if stage == Stage.FOUNDATION else Stage.FOUNDATION
    Project.objects.filter(pk=project.pk).update(stage=earlier)
    services.document_add(
        project=Project.objects.get(pk=project.pk),
        actor=contractor,
        kind=DocumentKind.CONSTRUCTION_PHOTO,
        upload=photo(),
    )
    at(project, stage)
    assert refusal(project, contractor) == [NO_PHOTO]
    services.document_add(project=project, actor=contractor, kind=DocumentKind.CONSTRUCTION_PHOTO, upload=photo())
    moves(project, contractor)


@pytest.mark.parametrize("stage", [Stage.CONSULTATION, Stage.VOTE, Stage.PUBLIC_NOTICE, Stage.SUBSIDY])
def test_stages_guarded_only_by_other_apps_move_on_here(world, project, stage):
    actor = world.users["finance"] if stage == Stage.SUBSIDY else world.users["community"]
    at(project, stage)
    moves(project, actor)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("suspended", "The project is Suspended; reopen it first."),
        ("withdrawn", "The project is Withdrawn; reopen it first."),
    ],
)
def test_a_project_not_active_does_not_move(world, project, status, reason):
    at(project, Stage.ORGANISED, status=status)
    _organise(world, project)
    assert refusal(project, world.users["community"]) == [reason]


def test_in_service_is_the_last_stage(world, project):
    at(project, Stage.IN_SERVICE)
    assert refusal(project, world.users["admin"]) == ["The project is in service: its last stage."]


@pytest.mark.parametrize(
    ("stage", "role", "reason"),
    [
        (Stage.SUBSIDY, "community", "Your role cannot move a project out of the stage “Subsidy”."),
        (Stage.INTENTION, "finance", "Your role cannot move a project out of the stage “Intention”."),
        (
            Stage.DESIGN,
            "contractor",
            "Your role cannot move a project out of the stage “Design, brand, contractor and contract”.",
        ),
        (
            Stage.INSPECTION,
            "contractor",
            "Your role cannot move a project out of the stage “Inspection and acceptance”.",
        ),
        (Stage.FOUNDATION, "property", "Your role cannot move a project out of the stage “Construction: foundation”."),
        (Stage.IN_SERVICE, "resident", "The project is in service: its last stage."),
        (Stage.FOUNDATION, "resident", "Your role cannot move a project out of the stage “Construction: foundation”."),
    ],
)
def test_roles_that_may_not_move_a_stage_are_told_so(world, project, stage, role, reason):
    at(project, stage, contractor=world.companies["contractor"])
    assert refusal(project, world.users[role]) == [reason]
