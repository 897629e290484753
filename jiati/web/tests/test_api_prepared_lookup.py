"""A detail call reads its row with a statement compiled once per scope shape (`web.api.ScopedReadOnlyViewSet.
get_object`): the same answers as DRF's own lookup for every role and every id, and no SQL compiled once prepared."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from jiati.accounts.scoping import scope_shape
from jiati.projects import services
from jiati.projects.models import Project
from jiati.web import api

ROLES = ["admin", "district", "subdistrict", "community", "property", "contractor", "resident", "other_district"]
ODD_IDS = ["abc", "0", "-1", "1.5", "99999999999999999999", "2147483648"]


@pytest.fixture
def projects(world):
    made = [services.project_open(actor=world.users["admin"], stairwell=world.stairwells[k]) for k in ("a1a", "b1a")]
    Project.objects.filter(pk=made[1].pk).update(contractor=world.companies["contractor"])
    return made


def answers(client, urls):
    return [(r.status_code, r.content) for r in (client.get(url) for url in urls)]


@pytest.mark.parametrize("role", ROLES)
def test_the_prepared_lookup_answers_as_drfs_for_every_role_and_id(world, projects, client_for, role):
    client = client_for(world.users[role])
    urls = [reverse("project-detail", args=[p.pk]) for p in projects]
    urls += [reverse("project-next-step", args=[p.pk]) for p in projects]
    urls += [f"/api/projects/projects/{odd}/" for odd in ODD_IDS]
    prepared = answers(client, urls)
    with mock.patch.object(api, "_prepared_lookup", return_value=None):
        plain = answers(client, urls)
    assert prepared == plain
    assert any(status == 200 for status, _body in prepared)  # every role here sees one of the two


def test_region_staff_and_administrators_have_a_shape_companies_and_residents_not(world):
    reach = Project.objects.all().reach
    shapes = {role: scope_shape(world.users[role], reach) for role in ROLES}
    assert shapes["district"].key == shapes["community"].key == ("region", "community__path")
    assert shapes["district"].values == (world.users["district"].region.path,)
    assert shapes["admin"].key == ("everything",)
    assert shapes["property"] is shapes["contractor"] is shapes["resident"] is None


def test_a_detail_call_compiles_no_sql_once_its_scope_shape_is_prepared(client, world, projects):
    token = Token.objects.create(user=world.users["district"])
    url = reverse("project-detail", args=[projects[0].pk])
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    first = client.get(url, **auth)  # the first call of this shape compiles
    assert first.status_code == 200
    with (
        mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as compiled,
        CaptureQueriesContext(connection) as queries,
    ):
        again = client.get(url, **auth)
    assert (again.status_code, again.content) == (200, first.content)
    assert compiled.call_count == 0
    assert len(queries) == 2, [q["sql"] for q in queries]  # the token with its user and region, the project
    # Another district's project is out of scope with the same statement: 404, as missing.
    other = client.get(reverse("project-detail", args=[projects[1].pk]), **auth)
    assert other.status_code == 404


def test_an_empty_class_queryset_takes_drfs_path_and_answers_404(world, projects):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from jiati.projects.api.views import ProjectViewSet

    class NoProjects(ProjectViewSet):
        queryset = Project.objects.none()

    request = APIRequestFactory().get("/")
    force_authenticate(request, user=world.users["district"])
    response = NoProjects.as_view({"get": "retrieve"})(request, pk=str(projects[0].pk))
    assert response.status_code == 404
