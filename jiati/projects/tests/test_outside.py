"""What construction teams, maintainers and residents see of a project, and the little they may do.

Residents get the outside view of their stairwell's project: stage, schedule and the public documents (never
signed consent forms). Contractors see only the projects their company builds, and only report progress and
upload site photos. Maintainers see the elevators in service they maintain, read-only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jiati.projects import services
from jiati.projects.models import DocumentKind, Project, Stage
from jiati.projects.stages import missing_to_leave
from jiati.projects.tests.helpers import JPG, pdf, photo, snapshot

CONSENT = "signed-consent-101.pdf"


@pytest.fixture
def site(world, project):
    """The a1a project under construction by the world's contractor, with a document of every kind and a blocker."""
    community = world.users["community"]
    Project.objects.filter(pk=project.pk).update(
        stage=Stage.FOUNDATION, contractor=world.companies["contractor"], maintainer=world.companies["maintainer"]
    )
    project.refresh_from_db()
    documents = {}
    for kind in DocumentKind.values:
        upload = photo(f"{kind}.jpg") if kind == DocumentKind.CONSTRUCTION_PHOTO else pdf(f"{kind}.pdf")
        if kind == DocumentKind.CONSENT_FORMS:
            upload = pdf(CONSENT)
        documents[kind] = services.document_add(project=project, actor=community, kind=kind, upload=upload)
    services.comment_add(project=project, actor=community, text="内部意见：101业主态度强硬")
    services.blocker_open(
        project=project,
        actor=community,
        description="一楼业主反对采光",
        party="101业主",
        due_date=timezone.localdate() + dt.timedelta(days=5),
    )
    return project, documents


def _download(client, project, document):
    return client.get(reverse("projects:document", args=[project.pk, document.pk]))


PUBLIC = {
    "design_drawings",
    "construction_notification",
    "inspection_certificate",
    "acceptance_report",
    "registration_certificate",
}
CONSTRUCTION = {
    "design_drawings",
    "safety_appraisal",
    "construction_contract",
    "filing_receipt",
    "construction_notification",
    "construction_photo",
}


@pytest.mark.parametrize(("role", "may_open"), [("resident", PUBLIC), ("contractor", CONSTRUCTION)])
def test_outside_view_shows_stage_schedule_and_only_the_documents_of_the_role(world, site, client_for, role, may_open):
    project, documents = site
    client = client_for(world.users[role])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="outside-view"' in page and 'id="project-stage"' in page and 'id="schedule"' in page
    for hidden in ("一楼业主反对采光", "内部意见", 'id="blockers"', 'id="seven-ones"', 'id="timeline"', CONSENT):
        assert hidden not in page, hidden
    for kind, document in documents.items():
        assert (document.original_name in page) == (kind in may_open), kind
        assert _download(client, project, document).status_code == (200 if kind in may_open else 404), kind
    # The API says the same.
    listed = {d["kind"] for d in client.get(reverse("project-documents", args=[project.pk])).json()}
    assert listed == may_open
    data = client.get(reverse("project-detail", args=[project.pk])).json()
    for internal in ("lead_owner", "responsible", "open_blockers", "estimated_cost", "status_reason"):
        assert internal not in data
    assert client.get(reverse("project-blockers", args=[project.pk])).json() == []
    kinds = {e["kind"] for e in client.get(reverse("project-events", args=[project.pk])).json()}
    assert kinds <= {"created", "stage", "progress"}


def test_staff_still_see_and_open_everything(world, site, client_for):
    project, documents = site
    client = client_for(world.users["community"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "一楼业主反对采光" in page and CONSENT in page
    for document in documents.values():
        assert _download(client, project, document).status_code == 200


def test_a_resident_cannot_open_a_neighbours_consent_forms_by_address(world, site, client_for):
    project, documents = site
    response = _download(client_for(world.users["resident"]), project, documents[DocumentKind.CONSENT_FORMS])
    assert response.status_code == 404
    assert client_for(world.users["resident"]).get(reverse("projects:chat-qr", args=[project.pk])).status_code == 404


def test_contractor_sees_only_the_projects_it_builds(world, project, client_for):
    """A company that only maintains a project does not see it through its construction team's accounts."""
    company = world.companies["contractor"]
    company.is_maintainer = True
    company.save()
    Project.objects.filter(pk=project.pk).update(stage=Stage.FOUNDATION, maintainer=company)
    contractor = world.users["contractor"]
    assert not Project.objects.visible_to(contractor).exists()
    assert client_for(contractor).get(reverse("projects:detail", args=[project.pk])).status_code == 404
    # Nor may it upload the photo a construction stage's guard asks for.
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.document_add(project=project, actor=contractor, kind=DocumentKind.CONSTRUCTION_PHOTO, upload=photo())
    assert snapshot() == before
    project.refresh_from_db()
    assert "Upload at least one site photo of this construction step." in missing_to_leave(project)


@pytest.mark.parametrize(
    "kind",
    [
        DocumentKind.CONSTRUCTION_NOTIFICATION,
        DocumentKind.ACCEPTANCE_REPORT,
        DocumentKind.DESIGN_DRAWINGS,
        DocumentKind.INSPECTION_CERTIFICATE,
    ],
)
def test_contractor_uploads_photos_only(world, project, kind):
    Project.objects.filter(pk=project.pk).update(stage=Stage.FOUNDATION, contractor=world.companies["contractor"])
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.document_add(project=project, actor=world.users["contractor"], kind=kind, upload=pdf())
    assert snapshot() == before


def test_contractor_uploads_photos_only_while_building(world, project, client_for):
    Project.objects.filter(pk=project.pk).update(stage=Stage.DESIGN, contractor=world.companies["contractor"])
    contractor = world.users["contractor"]
    before = snapshot()
    with pytest.raises(ValidationError, match="only while the elevator is being built"):
        services.document_add(project=project, actor=contractor, kind=DocumentKind.CONSTRUCTION_PHOTO, upload=photo())
    assert snapshot() == before
    page = client_for(contractor).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "document-add" not in page and 'id="advance-button"' not in page
    Project.objects.filter(pk=project.pk).update(stage=Stage.SHAFT)
    page = client_for(contractor).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:document-add", args=[project.pk]) in page
    assert "Upload at least one site photo of this construction step." in page  # what the next step needs
    services.document_add(project=project, actor=contractor, kind=DocumentKind.CONSTRUCTION_PHOTO, upload=photo())
    page = client_for(contractor).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="advance-button"' in page


def test_contractor_may_not_comment(world, project, client_for):
    Project.objects.filter(pk=project.pk).update(stage=Stage.FOUNDATION, contractor=world.companies["contractor"])
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.comment_add(project=project, actor=world.users["contractor"], text="我们来了")
    response = client_for(world.users["contractor"]).post(reverse("projects:comment", args=[project.pk]), {"text": "x"})
    assert response.status_code == 403
    assert snapshot() == before


def test_maintainer_sees_its_elevators_in_service_read_only(world, project, client_for):
    maintainer = world.users["maintainer"]
    Project.objects.filter(pk=project.pk).update(stage=Stage.REGISTRATION, maintainer=world.companies["maintainer"])
    assert not Project.objects.visible_to(maintainer).exists()  # not in service yet
    community = world.users["community"]
    certificate = services.document_add(
        project=project, actor=community, kind=DocumentKind.INSPECTION_CERTIFICATE, upload=pdf("cert.pdf")
    )
    consent = services.document_add(project=project, actor=community, kind=DocumentKind.CONSENT_FORMS, upload=pdf())
    Project.objects.filter(pk=project.pk).update(stage=Stage.IN_SERVICE)
    assert list(Project.objects.visible_to(maintainer)) == [project]
    client = client_for(maintainer)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="outside-view"' in page and "cert.pdf" in page and "document-add" not in page
    assert _download(client, project, certificate).status_code == 200
    assert _download(client, project, consent).status_code == 404
    before = snapshot()
    for url, data in [
        (reverse("projects:comment", args=[project.pk]), {"text": "x"}),
        (reverse("projects:document-add", args=[project.pk]), {"kind": "other", "file": pdf()}),
        (reverse("projects:advance", args=[project.pk]), {"expected_stage": "in_service"}),
        (reverse("projects:status", args=[project.pk, "suspend"]), {"reason": "x"}),
    ]:
        assert client.post(url, data).status_code in (302, 403), url
    assert snapshot() == before


def test_contractor_page_photo_upload_and_progress(world, project, client_for):
    """Through the page: the assigned team uploads a site photo and moves its construction step on."""
    Project.objects.filter(pk=project.pk).update(stage=Stage.FOUNDATION, contractor=world.companies["contractor"])
    client = client_for(world.users["contractor"])
    upload = io.BytesIO(JPG)
    upload.name = "foundation.jpg"
    client.post(reverse("projects:document-add", args=[project.pk]), {"kind": "construction_photo", "file": upload})
    client.post(reverse("projects:advance", args=[project.pk]), {"expected_stage": "foundation", "note": "基础完成"})
    project.refresh_from_db()
    assert project.stage == Stage.SHAFT


def test_the_list_shows_companies_and_residents_no_staff_columns(world, project, client_for):
    Project.objects.filter(pk=project.pk).update(contractor=world.companies["contractor"])
    for role, shown in [("community", True), ("contractor", False), ("resident", False)]:
        html = client_for(world.users[role]).get(reverse("projects:list")).content.decode()
        assert project.code in html, role
        assert ("Open blockers" in html) == shown, role
        assert ("Seven ones" in html) == shown, role


def test_the_start_page_shows_companies_their_sites_without_blockers(world, project):
    from jiati.projects.widgets import start_page_widgets

    Project.objects.filter(pk=project.pk).update(contractor=world.companies["contractor"])
    staff = start_page_widgets(user=world.users["community"])
    company = start_page_widgets(user=world.users["contractor"])
    assert len(staff) == 2 and len(company) == 1
    assert "Blocked" in [str(i["label"]) for i in staff[1]["items"]] + [str(i["label"]) for i in staff[0]["items"]]
    assert "Blocked" not in [str(i["label"]) for i in company[0]["items"]]
    assert company[0]["items"][0]["value"] == 1  # its one site under way
