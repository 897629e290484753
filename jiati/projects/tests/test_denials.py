"""Nothing changes when a write is refused: every page action for every role that may not do it (a role ×
endpoint matrix), and every service's own refusals (checklist, blockers, documents, assignment, opening, status,
planning) — not the project row, its events, documents, blockers, plans, audit trail or notifications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.projects import schedule, services
from jiati.projects.models import DocumentKind, Project, ReviewResult, Stage
from jiati.projects.tests.helpers import pdf, snapshot
from jiati.projects.tests.test_services import owners_of

TODAY = timezone.localdate


def days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)


@pytest.fixture
def scene(world, project):
    """The a1a project in its design stage, built by the world's contractor, with one open blocker; and a second
    stairwell of the estate without a project (for "open")."""
    Project.objects.filter(pk=project.pk).update(stage=Stage.DESIGN, contractor=world.companies["contractor"])
    project.refresh_from_db()
    blocker = services.blocker_open(
        project=project, actor=world.users["community"], description="一楼反对", party="101", due_date=days(5)
    )
    spare = stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元", storeys=2, per_floor=1)
    return project, blocker, spare


def page_writes(world, project, blocker, spare) -> dict[str, tuple[str, dict]]:
    pk = project.pk
    owner = owners_of(world.stairwells["a1a"])[0]

    def part(name):
        return reverse("projects:checklist", args=[pk, name])

    return {
        "advance": (reverse("projects:advance", args=[pk]), {"note": "x", "expected_stage": project.stage}),
        "suspend": (reverse("projects:status", args=[pk, "suspend"]), {"reason": "测试"}),
        "withdraw": (reverse("projects:status", args=[pk, "withdraw"]), {"reason": "测试"}),
        "comment": (reverse("projects:comment", args=[pk]), {"text": "不该出现"}),
        "lead_owner": (part("lead_owner"), {"lead_owner": owner.pk}),
        "working_group": (part("working_group"), {"owners": [owner.pk]}),
        "service_team": (part("service_team"), {"users": [world.users["community"].pk]}),
        "checklist": (part("checklist"), {"chat_group_name": "群"}),
        "review": (part("review"), {"reviewed_on": TODAY().isoformat(), "result": "approved"}),
        "assign": (part("assign"), {"responsible": world.users["community"].pk}),
        "plan": (part("plan"), {"target_date": days(400).isoformat()}),
        "blocker": (part("blocker"), {"description": "x", "party": "y", "due_date": days(3).isoformat()}),
        "resolve": (reverse("projects:blocker-resolve", args=[pk, blocker.pk]), {"resolution": "已解决"}),
        "document": (reverse("projects:document-add", args=[pk]), {"kind": "other"}),
        "cluster": (
            reverse("projects:cluster-create", args=[project.estate_id]),
            {"name": "连片", "projects": [pk]},
        ),
        "open": (reverse("projects:open", args=[spare.pk]), {"note": ""}),
    }


ENDPOINTS = [
    "advance",
    "suspend",
    "withdraw",
    "comment",
    "lead_owner",
    "working_group",
    "service_team",
    "checklist",
    "review",
    "assign",
    "plan",
    "blocker",
    "resolve",
    "document",
    "cluster",
    "open",
]
OUT_OF_SCOPE = {"other_community", "other_district", "maintainer"}
ALLOWED = {("property", "comment"), ("property", "document")}  # the property office contributes


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "role", ["other_community", "other_district", "maintainer", "property", "finance", "contractor", "resident"]
)
def test_refused_page_actions_change_nothing(world, scene, client_for, role, endpoint):
    if (role, endpoint) in ALLOWED:
        pytest.skip("allowed for this role")
    project, blocker, spare = scene
    url, data = page_writes(world, project, blocker, spare)[endpoint]
    if endpoint == "document":
        data = data | {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")}
    client = client_for(world.users[role])
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code in (302, 403, 404), (role, endpoint, response.status_code)
    if role in OUT_OF_SCOPE:
        assert response.status_code in (403, 404), (role, endpoint)
    assert snapshot() == before, (role, endpoint)


def test_the_area_staff_may_do_each_of_them(world, scene, client_for):
    """The matrix refuses because of who asks: the same requests by the community's staff change the project."""
    project, blocker, spare = scene
    client = client_for(world.users["community"])
    for endpoint, (url, data) in page_writes(world, project, blocker, spare).items():
        if endpoint in ("advance", "withdraw", "suspend"):
            continue  # the design guard refuses the move; status changes are tested on their own
        if endpoint == "document":
            data = data | {"file": pdf()}
        before = snapshot()
        client.post(url, data)
        assert snapshot() != before, endpoint


def _owner_elsewhere(world):
    return owners_of(world.stairwells["a1b"])[0]


def _refusals(world, project, blocker):
    community = world.users["community"]
    maker_not = world.companies["maintainer"]
    resolved = services.blocker_open(project=project, actor=community, description="旧", party="x", due_date=days(1))
    services.blocker_resolve(blocker=resolved, actor=community, resolution="已处理")
    own = owners_of(world.stairwells["a1a"])
    return {
        # the seven ones
        "brand_not_a_maker": lambda: services.project_set_checklist(
            project=project, actor=community, lead_owner=own[1], brand=maker_not
        ),
        "contractor_not_a_team": lambda: services.project_set_checklist(
            project=project, actor=community, chat_group_name="新群", contractor=maker_not
        ),
        "maintainer_not_a_maintainer": lambda: services.project_set_checklist(
            project=project, actor=community, maintainer=world.companies["contractor"]
        ),
        "cost_not_positive": lambda: services.project_set_checklist(
            project=project, actor=community, chat_group_name="新群", estimated_cost=Decimal("0")
        ),
        "lead_owner_elsewhere": lambda: services.project_set_checklist(
            project=project, actor=community, chat_group_name="新群", lead_owner=_owner_elsewhere(world)
        ),
        "lead_owner_service_elsewhere": lambda: services.project_set_lead_owner(
            project=project, actor=community, owner=_owner_elsewhere(world)
        ),
        "working_group_stranger": lambda: services.working_group_set(
            project=project, actor=community, owners=[own[0], _owner_elsewhere(world)]
        ),
        "service_team_out_of_area": lambda: services.service_team_set(
            project=project, actor=community, users=[community, world.users["other_community"]]
        ),
        "review_in_future": lambda: services.contract_review_add(
            project=project, actor=community, reviewed_on=days(1), result=ReviewResult.APPROVED
        ),
        "review_changes_without_findings": lambda: services.contract_review_add(
            project=project, actor=community, reviewed_on=TODAY(), result=ReviewResult.CHANGES
        ),
        "checklist_by_property": lambda: services.project_set_checklist(
            project=project, actor=world.users["property"], chat_group_name="新群"
        ),
        # blockers
        "blocker_without_description": lambda: services.blocker_open(
            project=project, actor=community, description=" ", party="x", due_date=days(1)
        ),
        "blocker_due_in_the_past": lambda: services.blocker_open(
            project=project, actor=community, description="x", party="x", due_date=days(-1)
        ),
        "blocker_assignee_elsewhere": lambda: services.blocker_open(
            project=project,
            actor=community,
            description="x",
            party="x",
            due_date=days(1),
            assignee=world.users["other_district"],
        ),
        "blocker_assignee_resident": lambda: services.blocker_open(
            project=project,
            actor=community,
            description="x",
            party="x",
            due_date=days(1),
            assignee=world.users["resident"],
        ),
        "blocker_by_property": lambda: services.blocker_open(
            project=project, actor=world.users["property"], description="x", party="x", due_date=days(1)
        ),
        "resolve_twice": lambda: services.blocker_resolve(blocker=resolved, actor=community, resolution="再次"),
        "resolve_without_words": lambda: services.blocker_resolve(blocker=blocker, actor=community, resolution=" "),
        "resolve_by_contractor": lambda: services.blocker_resolve(
            blocker=blocker, actor=world.users["contractor"], resolution="我们解决了"
        ),
        # documents
        "document_unknown_kind": lambda: services.document_add(
            project=project, actor=community, kind="selfie", upload=pdf()
        ),
        "document_forbidden_type": lambda: services.document_add(
            project=project, actor=community, kind=DocumentKind.OTHER, upload=SimpleUploadedFile("x.exe", b"MZ")
        ),
        "document_content_mismatch": lambda: services.document_add(
            project=project, actor=community, kind=DocumentKind.OTHER, upload=SimpleUploadedFile("x.pdf", b"no pdf")
        ),
        "document_by_resident": lambda: services.document_add(
            project=project, actor=world.users["resident"], kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf()
        ),
        # assignment
        "assign_out_of_area": lambda: services.project_assign(
            project=project, actor=community, responsible=world.users["other_community"]
        ),
        "assign_a_resident": lambda: services.project_assign(
            project=project, actor=community, responsible=world.users["resident"]
        ),
        "assign_by_finance": lambda: services.project_assign(
            project=project, actor=world.users["finance"], responsible=community
        ),
        # opening
        "open_a_second": lambda: services.project_open(actor=community, stairwell=world.stairwells["a1a"]),
        "open_out_of_area": lambda: services.project_open(actor=community, stairwell=world.stairwells["b1a"]),
        "open_by_property": lambda: services.project_open(
            actor=world.users["property"], stairwell=world.stairwells["a1a"]
        ),
        # status and plan
        "suspend_without_reason": lambda: services.project_suspend(project=project, actor=community, reason=" "),
        "reopen_active": lambda: services.project_reopen(project=project, actor=community, reason="x"),
        "plan_in_the_past": lambda: schedule.plan_make(project=project, actor=community, target_date=TODAY()),
        "plan_by_contractor": lambda: schedule.plan_make(
            project=project, actor=world.users["contractor"], target_date=days(300)
        ),
        "comment_empty": lambda: services.comment_add(project=project, actor=community, text=" "),
    }


REFUSALS = [
    "brand_not_a_maker",
    "contractor_not_a_team",
    "maintainer_not_a_maintainer",
    "cost_not_positive",
    "lead_owner_elsewhere",
    "lead_owner_service_elsewhere",
    "working_group_stranger",
    "service_team_out_of_area",
    "review_in_future",
    "review_changes_without_findings",
    "checklist_by_property",
    "blocker_without_description",
    "blocker_due_in_the_past",
    "blocker_assignee_elsewhere",
    "blocker_assignee_resident",
    "blocker_by_property",
    "resolve_twice",
    "resolve_without_words",
    "resolve_by_contractor",
    "document_unknown_kind",
    "document_forbidden_type",
    "document_content_mismatch",
    "document_by_resident",
    "assign_out_of_area",
    "assign_a_resident",
    "assign_by_finance",
    "open_a_second",
    "open_out_of_area",
    "open_by_property",
    "suspend_without_reason",
    "reopen_active",
    "plan_in_the_past",
    "plan_by_contractor",
    "comment_empty",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_refused_service_calls_change_nothing(world, scene, case):
    project, blocker, _spare = scene
    attempt = _refusals(world, project, blocker)[case]
    before = snapshot()
    with pytest.raises((ValidationError, PermissionDenied)):
        attempt()
    assert snapshot() == before, case
