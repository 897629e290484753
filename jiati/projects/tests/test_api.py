"""The projects API: the same services, guards and scoping as the pages — a role × endpoint matrix of refused
writes that change nothing, the advance that needs the stage the caller read, blockers assigned only to people
who work on the project, and checklist changes that are all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.companies.models import Company
from jiati.projects import selectors, services
from jiati.projects.models import EventKind, Project, Stage
from jiati.projects.tests.helpers import pdf, snapshot
from jiati.projects.tests.test_services import owners_of


def call(client, method: str, url: str, data: dict | None = None):
    if "file" in (data or {}):
        return getattr(client, method)(url, data)  # multipart
    return getattr(client, method)(url, data or {}, content_type="application/json")


def future(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def scene(world, project):
    """The a1a project in its design stage, built by the world's contractor, with one open blocker."""
    Project.objects.filter(pk=project.pk).update(stage=Stage.DESIGN, contractor=world.companies["contractor"])
    project.refresh_from_db()
    blocker = services.blocker_open(
        project=project,
        actor=world.users["community"],
        description="一楼反对",
        party="101",
        due_date=timezone.localdate() + dt.timedelta(days=5),
    )
    return project, blocker


def writes(world, project, blocker) -> dict[str, tuple[str, str, dict]]:
    pk = project.pk
    owner = owners_of(world.stairwells["a1a"])[0]
    return {
        "open": ("post", reverse("project-list"), {"stairwell": world.stairwells["a1a"].pk}),
        "advance": ("post", reverse("project-advance", args=[pk]), {"expected_stage": project.stage}),
        "suspend": ("post", reverse("project-suspend", args=[pk]), {"reason": "测试"}),
        "withdraw": ("post", reverse("project-withdraw", args=[pk]), {"reason": "测试"}),
        "checklist": (
            "patch",
            reverse("project-checklist", args=[pk]),
            {"lead_owner": owner.pk, "chat_group_name": "群"},
        ),
        "review": (
            "post",
            reverse("project-contract-review", args=[pk]),
            {"reviewed_on": timezone.localdate().isoformat(), "result": "approved"},
        ),
        "document": ("post", reverse("project-documents", args=[pk]), {"kind": "other", "file": pdf()}),
        "blocker": (
            "post",
            reverse("project-blockers", args=[pk]),
            {"description": "x", "party": "y", "due_date": future(3)},
        ),
        "resolve": ("post", reverse("project-resolve-blocker", args=[pk, blocker.pk]), {"resolution": "已解决"}),
        "schedule": ("post", reverse("project-schedule", args=[pk]), {"target_date": future(400)}),
    }


ENDPOINTS = [
    "open",
    "advance",
    "suspend",
    "withdraw",
    "checklist",
    "review",
    "document",
    "blocker",
    "resolve",
    "schedule",
]
OUT_OF_SCOPE = {"other_community", "other_district", "maintainer"}
# The property office may add documents (and comments); everything else here is the area staff's (or nobody's).
ALLOWED = {("property", "document")}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "role", ["other_community", "other_district", "maintainer", "property", "finance", "contractor", "resident"]
)
def test_refused_api_writes_change_nothing(world, scene, client_for, role, endpoint):
    if (role, endpoint) in ALLOWED:
        pytest.skip("allowed for this role")
    project, blocker = scene
    method, url, data = writes(world, project, blocker)[endpoint]
    client = client_for(world.users[role])
    before = snapshot()
    response = call(client, method, url, data)
    assert response.status_code in (400, 403, 404), (role, endpoint, response.status_code)
    if role in OUT_OF_SCOPE:
        assert response.status_code == 404, (role, endpoint)
    assert snapshot() == before, (role, endpoint)


@pytest.mark.parametrize("endpoint", ["advance", "checklist", "review", "blocker", "resolve", "schedule", "suspend"])
def test_the_same_writes_work_for_the_area_staff(world, scene, client_for, endpoint):
    """The matrix refuses because of who asks, not because the requests are wrong."""
    from jiati.projects.tests.helpers import own_guards_only

    project, blocker = scene
    method, url, data = writes(world, project, blocker)[endpoint]
    if endpoint == "advance":
        company = world.companies["contractor"]
        company.is_manufacturer = True
        company.save()
        Project.objects.filter(pk=project.pk).update(stage=Stage.CONSULTATION)
        data = {"expected_stage": Stage.CONSULTATION}
    with own_guards_only():
        response = call(client_for(world.users["community"]), method, url, data)
    assert response.status_code in (200, 201), (endpoint, response.json())


def test_advance_requires_the_stage_the_caller_read(world, project, client_for):
    owner = owners_of(world.stairwells["a1a"])[0]
    services.project_set_lead_owner(project=project, actor=world.users["community"], owner=owner)
    client = client_for(world.users["community"])
    url = reverse("project-advance", args=[project.pk])
    before = snapshot()
    response = call(client, "post", url, {"note": "没有说明看到的阶段"})
    assert response.status_code == 400
    assert response.json()["codes"] == {"expected_stage": ["required"]}
    assert snapshot() == before
    # Two callers who both read "intention": the first moves it, the second is told it already moved.
    first = call(client, "post", url, {"expected_stage": "intention"})
    assert first.status_code == 200 and first.json()["stage"] == Stage.ORGANISED
    before = snapshot()
    second = call(client, "post", url, {"expected_stage": "intention"})
    assert second.status_code == 400
    assert second.json()["codes"] == {"non_field_errors": ["stage_changed"]}
    assert "already moved" in second.json()["errors"]["non_field_errors"][0]
    assert snapshot() == before
    project.refresh_from_db()
    assert project.stage == Stage.ORGANISED
    assert project.events.filter(kind=EventKind.STAGE).count() == 1


def test_refused_checklist_change_leaves_the_lead_owner_unchanged(world, project, client_for):
    """All or nothing: a valid lead owner sent with an invalid brand is not saved either."""
    owners = owners_of(world.stairwells["a1a"])
    services.project_set_lead_owner(project=project, actor=world.users["community"], owner=owners[0])
    client = client_for(world.users["community"])
    url = reverse("project-checklist", args=[project.pk])
    not_a_maker = world.companies["maintainer"]
    before = snapshot()
    response = call(client, "patch", url, {"lead_owner": owners[1].pk, "brand": not_a_maker.pk})
    assert response.status_code == 400
    assert response.json()["codes"] == {"brand": ["not_a_brand"]}
    assert snapshot() == before
    project.refresh_from_db()
    assert project.lead_owner == owners[0]


@pytest.mark.parametrize("who", ["stranger", "missing"])
def test_checklist_lead_owner_must_own_here(world, project, client_for, who):
    owner_id = owners_of(world.stairwells["a1b"])[0].pk if who == "stranger" else 999_999
    client = client_for(world.users["community"])
    before = snapshot()
    response = call(
        client,
        "patch",
        reverse("project-checklist", args=[project.pk]),
        {"lead_owner": owner_id, "chat_group_name": "群"},
    )
    assert response.status_code == 400
    assert response.json()["codes"] == {"lead_owner": ["not_an_owner_here"]}
    assert snapshot() == before


def test_checklist_change_of_several_values_is_one_change(world, project, client_for):
    owner = owners_of(world.stairwells["a1a"])[0]
    maker = Company.objects.create(name="快速电梯", credit_code="91440300MA5FXXXX1X", is_manufacturer=True)
    client = client_for(world.users["community"])
    response = call(
        client,
        "patch",
        reverse("project-checklist", args=[project.pk]),
        {"lead_owner": owner.pk, "chat_group_name": "加梯群", "brand": maker.pk},
    )
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert (project.lead_owner, project.chat_group_name, project.brand) == (owner, "加梯群", maker)
    assert project.seven_ones_done == 3
    assert project.events.filter(kind=EventKind.CHECKLIST).count() == 1


ASSIGNEES = [
    ("community", True),
    ("subdistrict", True),
    ("district", True),
    ("finance", True),
    ("admin", True),
    ("property", True),
    ("contractor", True),  # the project's construction team
    ("other_community", False),
    ("other_district", False),
    ("maintainer", False),
    ("resident", False),
]


@pytest.mark.parametrize(("assignee", "allowed"), ASSIGNEES)
def test_blockers_are_assigned_to_people_who_work_on_the_project(world, scene, client_for, assignee, allowed):
    project, _blocker = scene
    client = client_for(world.users["community"])
    before = snapshot()
    response = call(
        client,
        "post",
        reverse("project-blockers", args=[project.pk]),
        {
            "description": "电梯井位置有管线",
            "party": "水务",
            "due_date": future(3),
            "assignee": world.users[assignee].pk,
        },
    )
    if allowed:
        assert response.status_code == 201, response.json()
        assert project.blockers.filter(assignee=world.users[assignee]).exists()
    else:
        assert response.status_code == 400
        assert response.json()["codes"] == {"assignee": ["not_in_area"]}
        assert snapshot() == before


def test_a_contractor_of_another_site_cannot_be_assigned(world, project):
    """Without a construction team assigned, the contractor's staff may not follow up the project's blockers."""
    before = snapshot()
    with pytest.raises(Exception, match="Choose a staff member who works on this project"):
        services.blocker_open(
            project=project,
            actor=world.users["community"],
            description="x",
            party="y",
            due_date=timezone.localdate(),
            assignee=world.users["contractor"],
        )
    assert snapshot() == before


def test_the_assignee_list_and_the_rule_agree(world, scene):
    """The form's choices (one query) and the service's check (scoping per person) name the same people."""
    project, _blocker = scene
    listed = set(selectors.blocker_assignees(project).values_list("username", flat=True))
    allowed = {u.username for u in world.users.values() if services.may_follow_up(u, project)}
    assert listed == allowed == {name for name, ok in ASSIGNEES if ok}
