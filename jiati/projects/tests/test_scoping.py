"""Role × endpoint matrix for projects: pages, exports and the API show a project only where the user may see
it (contractors: only their assigned sites), answer 404 elsewhere, and refused actions change nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiati.projects import services
from jiati.projects.models import Project, Stage

# Which projects (by estate key) each role sees; projects exist on a1a, a1b, a2a and b1a.
VISIBLE = {
    "admin": {"a1a", "a1b", "a2a", "b1a"},
    "district": {"a1a", "a1b", "a2a"},
    "finance": {"a1a", "a1b", "a2a"},
    "subdistrict": {"a1a", "a1b"},
    "community": {"a1a"},
    "property": {"a1a"},
    "contractor": {"a2a"},  # assigned there only
    "maintainer": set(),
    "resident": {"a1a"},  # owns in that stairwell
    "other_district": {"b1a"},
    "other_community": {"a1b"},
}


@pytest.fixture
def projects(world):
    made = {}
    for key in ("a1a", "a1b", "a2a", "b1a"):
        opener = world.users["admin"]
        made[key] = services.project_open(actor=opener, stairwell=world.stairwells[key])
    Project.objects.filter(pk=made["a2a"].pk).update(contractor=world.companies["contractor"])
    return made


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_queryset_detail_page_and_api_follow_the_scope(world, projects, client_for, role):
    user = world.users[role]
    expected = {projects[k].pk for k in VISIBLE[role]}
    assert set(Project.objects.visible_to(user).values_list("pk", flat=True)) == expected
    client = client_for(user)
    for key, project in projects.items():
        status = 200 if key in VISIBLE[role] else 404
        # Residents and companies get the outside view of what they see (test_outside_views), staff the full page.
        page = client.get(reverse("projects:detail", args=[project.pk]))
        assert page.status_code == status, (role, key)
        if status == 200:
            outside = role in ("contractor", "maintainer", "resident")
            assert ('id="outside-view"' in page.content.decode()) == outside, (role, key)
            assert ('id="blockers"' in page.content.decode()) != outside, (role, key)
        assert client.get(reverse("project-detail", args=[project.pk])).status_code == status, (role, key)
    listed = {row["id"] for row in client.get(reverse("project-list")).json()["results"]}
    assert listed == expected


@pytest.mark.parametrize("role", ["district", "community", "contractor", "other_district"])
def test_list_page_and_export_show_only_the_scope(world, projects, client_for, role):
    client = client_for(world.users[role])
    html = client.get(reverse("projects:list")).content.decode()
    for key, project in projects.items():
        assert (project.code in html) == (key in VISIBLE[role]), (role, key)
    export = client.get(reverse("projects:list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    codes = {row[0] for row in list(sheet.values)[1:]}
    assert codes == {projects[k].code for k in VISIBLE[role]}


ACTIONS = [
    ("projects:advance", {"note": "x"}),
    ("projects:comment", {"text": "不该出现"}),
]


@pytest.mark.parametrize("role", ["other_community", "other_district", "maintainer", "resident", "property"])
@pytest.mark.parametrize(("url_name", "data"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_refused_actions_change_nothing(world, projects, client_for, role, url_name, data):
    project = projects["a1a"]
    before = (project.stage, project.events.count())
    client = client_for(world.users[role])
    response = client.post(reverse(url_name, args=[project.pk]), data)
    project.refresh_from_db()
    if role == "property" and url_name == "projects:comment":
        assert response.status_code == 302  # property offices may comment
        return
    assert response.status_code in (302, 403, 404)
    assert (project.stage, project.events.count()) == before


@pytest.mark.parametrize("role", ["other_community", "property", "finance", "contractor"])
def test_status_changes_refused_outside_role_or_scope(world, projects, client_for, role):
    project = projects["a1a"]
    client = client_for(world.users[role])
    response = client.post(reverse("projects:status", args=[project.pk, "withdraw"]), {"reason": "测试"})
    assert response.status_code in (403, 404)
    project.refresh_from_db()
    assert project.status == "active"


def test_contractor_reports_progress_only_on_its_own_site(world, projects, client_for):
    project = projects["a2a"]
    Project.objects.filter(pk=project.pk).update(stage=Stage.FOUNDATION)
    client = client_for(world.users["contractor"])
    photo = io.BytesIO(b"\xff\xd8\xff\xe0site photo")
    photo.name = "site.jpg"
    response = client.post(
        reverse("projects:document-add", args=[project.pk]), {"kind": "construction_photo", "file": photo}
    )
    assert response.status_code == 302
    assert project.documents.filter(kind="construction_photo").count() == 1
    # Not a construction document: refused, nothing stored.
    drawing = io.BytesIO(b"%PDF-1.4 x")
    drawing.name = "d.pdf"
    client.post(reverse("projects:document-add", args=[project.pk]), {"kind": "design_drawings", "file": drawing})
    assert project.documents.count() == 1
    response = client.post(reverse("projects:advance", args=[project.pk]), {"note": "基础完成"})
    project.refresh_from_db()
    assert project.stage == Stage.SHAFT
    # The contractor cannot edit the checklist.
    client.post(reverse("projects:checklist", args=[project.pk, "plan"]), {"target_date": "2030-01-01"})
    project.refresh_from_db()
    assert project.target_date is None


def test_document_download_is_scoped(world, projects, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = projects["a1a"]
    document = services.document_add(
        project=project,
        actor=world.users["community"],
        kind="other",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 hello"),
    )
    url = reverse("projects:document", args=[project.pk, document.pk])
    assert client_for(world.users["community"]).get(url).status_code == 200
    assert client_for(world.users["other_community"]).get(url).status_code == 404
