"""Clusters (连片): several projects of one estate share one design. Design drawings uploaded to a project of a
cluster are the cluster's: they satisfy the design guard of every member and show on every member's page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.projects import services
from jiati.projects.models import DocumentKind, EventKind, Project, Stage
from jiati.projects.stages import missing_to_leave
from jiati.projects.tests.helpers import pdf, snapshot

NO_DRAWINGS = "The design drawings have not been uploaded."


@pytest.fixture
def trio(world, project):
    """A (the a1a project), B and C in the same estate; A and B form a cluster, C stays on its own."""
    community = world.users["community"]
    estate = world.estates["a1a"]
    b = services.project_open(actor=community, stairwell=stairwell_with_dwellings(estate=estate, number="2单元"))
    c = services.project_open(actor=community, stairwell=stairwell_with_dwellings(estate=estate, number="3单元"))
    cluster = services.cluster_create(
        actor=community, estate=estate, name="长江花园连片", design="北侧统一", projects=[project, b]
    )
    Project.objects.filter(pk__in=[project.pk, b.pk, c.pk]).update(stage=Stage.DESIGN)
    return [Project.objects.get(pk=p.pk) for p in (project, b, c)], cluster


def test_the_clusters_design_satisfies_every_member(world, trio, client_for):
    (a, b, c), cluster = trio
    for p in (a, b, c):
        assert NO_DRAWINGS in missing_to_leave(p)
    drawing = services.document_add(
        project=a, actor=world.users["community"], kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf("shared.pdf")
    )
    assert drawing.cluster == cluster
    assert NO_DRAWINGS not in missing_to_leave(a)
    assert NO_DRAWINGS not in missing_to_leave(b)  # the member uses the cluster's design
    assert NO_DRAWINGS in missing_to_leave(c)  # a project outside the cluster still needs its own
    # B's page lists the shared design, opens it, and its timeline records it.
    client = client_for(world.users["community"])
    page = client.get(reverse("projects:detail", args=[b.pk])).content.decode()
    assert "shared.pdf" in page and 'data-shared="cluster"' in page
    assert client.get(reverse("projects:document", args=[b.pk, drawing.pk])).status_code == 200
    assert client.get(reverse("projects:document", args=[c.pk, drawing.pk])).status_code == 404
    assert b.events.filter(kind=EventKind.DOCUMENT, data__cluster=cluster.pk).exists()


def test_other_documents_of_a_member_stay_its_own(world, trio):
    (a, b, _c), _cluster = trio
    contract = services.document_add(
        project=a, actor=world.users["community"], kind=DocumentKind.CONSTRUCTION_CONTRACT, upload=pdf()
    )
    assert contract.cluster is None
    assert "The construction contract has not been uploaded." in missing_to_leave(b)


def test_the_builder_of_one_member_sees_the_shared_design_there_only(world, trio, client_for):
    (a, b, _c), _cluster = trio
    Project.objects.filter(pk=b.pk).update(contractor=world.companies["contractor"])
    drawing = services.document_add(
        project=a, actor=world.users["community"], kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf("shared.pdf")
    )
    client = client_for(world.users["contractor"])
    assert client.get(reverse("projects:document", args=[b.pk, drawing.pk])).status_code == 200
    assert client.get(reverse("projects:document", args=[a.pk, drawing.pk])).status_code == 404  # not its site


@pytest.mark.parametrize("role", ["community", "district", "contractor"])
def test_the_page_reads_the_documents_its_reader_may_open_without_the_scopes_subqueries(world, trio, role):
    """Issue 18: on the page of a project the user sees, its documents and its cluster's are read without the
    scope's subqueries (`visible_on`): the same documents as `visible_to(user).of_project(project)`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiati.projects import selectors
    from jiati.projects.models import ProjectDocument

    (a, b, c), _cluster = trio
    Project.objects.filter(pk=b.pk).update(contractor=world.companies["contractor"])
    community = world.users["community"]
    services.document_add(project=a, actor=community, kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf("shared.pdf"))
    for project, kind in ((a, DocumentKind.CONSTRUCTION_CONTRACT), (b, DocumentKind.OTHER), (c, DocumentKind.OTHER)):
        services.document_add(project=project, actor=community, kind=kind, upload=pdf())
    user = world.users[role]
    for project in Project.objects.visible_to(user).filter(pk__in=[a.pk, b.pk, c.pk]):
        expected = list(selectors.project_documents(project=project, user=user))
        with CaptureQueriesContext(connection) as captured:
            found = selectors.page_documents(project=project, user=user)
        assert found == expected and [d.project.code for d in found] == [d.project.code for d in expected]
        assert len(captured) == 1 and "organisation_region" not in captured[0]["sql"]
        assert ProjectDocument.objects.visible_on(project, user).count() == len(expected)
    if role == "contractor":  # its one project, B: the shared design and none of B's other kinds
        assert [d.kind for d in selectors.page_documents(project=b, user=user)] == [DocumentKind.DESIGN_DRAWINGS]


FORMER_ROW = (  # a row of the page's documents table as the template wrote it before `document_row`
    "{% load projects_tags %}{% for d in documents %}<tr><td>{{ d.get_kind_display }}{% if d.project_id != "
    'project.pk %} <span class="badge text-bg-info" data-shared="cluster">{% blocktranslate with code=d.project.code '
    "%}shared by the cluster, from {{ code }}{% endblocktranslate %}</span>{% endif %}</td><td>v{{ d.version }}</td>"
    "<td><a href=\"{% url 'projects:document' project.pk d.pk %}\">{{ d.original_name }}</a> <span "
    'class="text-muted">{{ d.size|filesizeformat }}</span></td><td>{{ d.uploaded_at|date:"Y-m-d H:i" }} · '
    '{{ d.uploaded_by }}</td><td><code title="{{ d.sha256 }}">{{ d.sha256|slice:":12" }}…</code></td></tr>{% endfor %}'
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_document_row_reads_as_the_template_wrote_it(world, trio, language):
    """Issue 18: a row of the page's documents table is written by `document_row` instead of template nodes: the
    markup the template wrote, to the byte, for a member's own documents and the cluster's shared design."""
    from django.template import engines
    from django.utils import translation

    from jiati.projects import selectors

    (a, b, _c), _cluster = trio
    community = world.users["community"]
    services.document_add(project=a, actor=community, kind=DocumentKind.DESIGN_DRAWINGS, upload=pdf('<a&"b>.pdf'))
    services.document_add(project=b, actor=community, kind=DocumentKind.OTHER, upload=pdf())
    services.document_add(project=b, actor=community, kind=DocumentKind.OTHER, upload=pdf("v2.pdf"))
    documents = selectors.page_documents(project=b, user=community)
    assert len(documents) == 3 and any(d.project_id == a.pk for d in documents)
    context = {"documents": documents, "project": b}
    now = "{% load projects_tags %}{% for d in documents %}{% document_row d project %}{% endfor %}"
    with translation.override(language):
        former = engines["django"].from_string(FORMER_ROW).render(context)
        written = engines["django"].from_string(now).render(context)
    assert written == former
    assert "&lt;a&amp;&quot;b&gt;.pdf" in written and a.code in written and "v2</td>" in written


def _others(world):
    estate = world.estates["a1a"]
    community = world.users["community"]
    x = services.project_open(actor=community, stairwell=stairwell_with_dwellings(estate=estate, number="5单元"))
    y = services.project_open(actor=world.users["admin"], stairwell=world.stairwells["a1b"])
    return x, y


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("other_estate", ValidationError),
        ("no_name", ValidationError),
        ("not_a_manager", PermissionDenied),
        ("out_of_area", PermissionDenied),
    ],
)
def test_refused_clusters_change_nothing(world, case, error):
    x, y = _others(world)
    community = world.users["community"]
    kwargs = {"actor": community, "estate": world.estates["a1a"], "name": "连片", "projects": [x]}
    if case == "other_estate":
        kwargs["actor"] = world.users["subdistrict"]
        kwargs["projects"] = [x, y]
    elif case == "no_name":
        kwargs["name"] = " "
    elif case == "not_a_manager":
        kwargs["actor"] = world.users["property"]
    elif case == "out_of_area":
        kwargs["projects"] = [x, y]  # y is in another community
    before = snapshot()
    with pytest.raises(error):
        services.cluster_create(**kwargs)
    assert snapshot() == before


def test_a_cluster_names_every_wrong_field_at_once(world):
    """Issue 13: a missing name hid projects of another estate."""
    x, y = _others(world)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.cluster_create(
            actor=world.users["subdistrict"], estate=world.estates["a1a"], name=" ", projects=[x, y]
        )
    assert set(exc.value.error_dict) == {"name", "projects"}
    assert snapshot() == before
