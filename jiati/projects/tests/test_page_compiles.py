"""Issue 18: the staff project page's own reads are statements compiled once per process (`core.prepared`): the
scoped project fetch once per scope shape, its blockers, documents, people, event summary and document kinds once.
The scope stays `visible_to(user)`'s on that path: out of scope and missing answer the same 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jiati.accounts import scoping
from jiati.accounts.models import User
from jiati.housing.models import Ownership
from jiati.projects import selectors, services, stages, views
from jiati.projects.models import (
    Blocker,
    ContractReview,
    DocumentKind,
    Project,
    ProjectDocument,
    ProjectEvent,
    ReviewResult,
    ScheduleState,
    ServiceTeamMember,
    Status,
    WorkingGroupMember,
)
from jiati.projects.tests.helpers import pdf

PAGE_MODELS = {Project, Blocker, ProjectDocument, ProjectEvent, WorkingGroupMember, ServiceTeamMember, ContractReview}


@pytest.fixture
def busy_project(world, project):
    """The project with a lead owner, a working group, a service team member and a blocker."""
    community = world.users["community"]
    owner = Ownership.objects.filter(dwelling__stairwell=project.stairwell).first().owner
    services.project_set_lead_owner(project=project, actor=community, owner=owner)
    services.working_group_set(project=project, actor=community, owners=[owner])
    services.service_team_set(project=project, actor=community, users=[community])
    services.contract_review_add(
        project=project, actor=community, reviewed_on=timezone.localdate(), result=ReviewResult.APPROVED
    )
    services.document_add(project=project, actor=community, kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf("图纸.pdf"))
    services.blocker_open(
        project=project,
        actor=community,
        description="一楼住户不同意",
        party="101室",
        assignee=community,
        due_date=timezone.localdate() + dt.timedelta(days=5),
    )
    project.refresh_from_db()
    return project


@pytest.mark.parametrize("role", ["community", "district", "admin"])
def test_the_staff_page_compiles_none_of_its_own_reads_once_they_are_prepared(
    world, client_for, busy_project, compiled_models, monkeypatch, role
):
    """The page is the same as through the ORM's scoped fetch (every role's scope built per view)."""
    client = client_for(world.users[role])
    url = reverse("projects:detail", args=[busy_project.pk])
    with monkeypatch.context() as patched:
        patched.setattr(scoping, "scope_shape", lambda user, reach: None)
        through_the_orm = page(client, url)
    page(client, url)
    compiled_models.clear()  # counted once the page's statements are compiled
    html = page(client, url)
    assert html == through_the_orm
    assert "一楼住户不同意" in html and "图纸.pdf" in html and world.users["community"].full_name in html
    assert [model.__name__ for model in compiled_models if model in PAGE_MODELS] == []


def page(client, url) -> str:
    """The page without its CSRF tokens (a new one on every response)."""
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r'(?i)(csrf[^"]*": ?"|name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", response.content.decode())


def test_the_page_reads_the_same_people_blockers_documents_and_kinds_as_the_orm(world, busy_project, rf):
    request = rf.get("/")
    request.user = community = world.users["community"]
    project = views._project_or_404(request, busy_project.pk)
    views._prefetch_people(project)
    for name in views._PEOPLE:
        expected = list(getattr(Project.objects.get(pk=project.pk), name).all())
        assert list(getattr(project, name).all()) == expected and expected, name
        assert all(row.project is project for row in getattr(project, name).all())
    assert project.working_group.exists() and project.contract_reviews.exists()
    expected = list(Blocker.objects.visible_to(community).filter(project=project).select_related("assignee"))
    assert selectors.page_blockers(project=project, user=community) == expected != []
    assert selectors.page_blockers(project=project, user=world.users["contractor"]) == []
    documents = selectors.page_documents(project=project, user=community)
    assert documents == list(selectors.project_documents(project=project, user=community)) != []
    assert documents[0].project is project and documents[0].uploaded_by == community
    assert stages._has_document(project, DocumentKind.DESIGN_DRAWINGS, stage=project.stage)
    assert not stages._has_document(project, DocumentKind.CONSTRUCTION_CONTRACT)


def test_the_event_summary_rows_are_the_orms(world, busy_project):
    summary = selectors.event_summary(busy_project)
    assert summary.total == ProjectEvent.objects.filter(project=busy_project).count() > 1


# Which projects (by estate key) each role's scoped fetch answers; projects exist on a1a, a1b, a2a and b1a.
VISIBLE = {
    "admin": {"a1a", "a1b", "a2a", "b1a"},
    "district": {"a1a", "a1b", "a2a"},
    "subdistrict": {"a1a", "a1b"},
    "community": {"a1a"},
    "other_community": {"a1b"},
    "other_district": {"b1a"},
    "property": {"a1a"},
    "contractor": set(),
    "resident": {"a1a"},
}


@pytest.fixture
def projects(world):
    return {
        key: services.project_open(actor=world.users["admin"], stairwell=world.stairwells[key])
        for key in ("a1a", "a1b", "a2a", "b1a")
    }


def test_the_prepared_fetch_answers_each_role_its_scope_and_404_elsewhere(world, projects, monkeypatch):
    """Users of one scope shape share a statement with their own values in it: the community sees its project and
    not its neighbour's, the neighbour the other way round; roles without a shape keep the ORM's path."""
    monkeypatch.setattr(views._PROJECT, "_queries", {})
    missing = max(p.pk for p in projects.values()) + 1
    for role, keys in VISIBLE.items():
        user = world.users[role]
        assert {p.pk for p in Project.objects.visible_to(user)} == {projects[k].pk for k in keys}, role
        for key, project in projects.items():
            if key in keys:
                found = views._visible_project_or_404(user, project.pk)
                assert found == project and found.community.parent == project.community.parent, (role, key)
            else:
                with pytest.raises(Http404):
                    views._visible_project_or_404(user, project.pk)
        for pk in (missing, 2**70, "x"):
            with pytest.raises(Http404):
                views._visible_project_or_404(user, pk)
    shapes = set(views._PROJECT._queries)
    assert shapes == {("everything",), ("region", "community__path")}


def test_an_inactive_user_sees_no_project(world, projects, client_for):
    user = world.users["community"]
    url = reverse("projects:detail", args=[projects["a1a"].pk])
    client = client_for(user)
    assert client.get(url).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    with pytest.raises(Http404):
        views._visible_project_or_404(user, projects["a1a"].pk)


@pytest.mark.parametrize(
    ("change", "state"),
    [
        ({"stage_due": -1, "stage_at_risk_from": -5}, ScheduleState.OVERDUE),
        ({"stage_due": 3, "stage_at_risk_from": 0}, ScheduleState.AT_RISK),
        ({"stage_due": 30, "stage_at_risk_from": 20}, ScheduleState.ON_TRACK),
        ({}, ScheduleState.UNPLANNED),
        ({"status": Status.SUSPENDED}, ScheduleState.SUSPENDED),
    ],
)
def test_the_prepared_fetch_gives_the_schedule_state_of_today(world, project, change, state):
    """`with_schedule_state` reads today; the statement compiled once does not, the state is worked out per view."""
    today = timezone.localdate()
    values = {k: (today + dt.timedelta(days=v) if isinstance(v, int) else v) for k, v in change.items()}
    Project.objects.filter(pk=project.pk).update(**values)
    found = views._visible_project_or_404(world.users["community"], project.pk)
    assert found.schedule_state == state == Project.objects.with_schedule_state().get(pk=project.pk).schedule_state
