"""A signed-in session's user is read with their region in one query; sessions from before stay signed in; a
wrong password is checked once."""

from __future__ import annotations

from unittest import mock

from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiati.accounts.backends import DJANGO_MODEL_BACKEND
from jiati.accounts.models import User
from jiati.projects import services


def region_reads(queries) -> list[str]:
    """Statements reading the user's region on its own (not joined to the user)."""
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "organisation_region"."id"')]


def test_a_session_request_reads_its_user_with_the_region_in_one_query(client, world):
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    client.force_login(community)
    url = reverse("project-detail", args=[project.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    users = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(users) == 1 and "organisation_region" in users[0]
    assert region_reads(queries) == []


def test_the_session_user_statement_is_compiled_once(client, world, monkeypatch):
    """Issue 18: built and compiled once per process (core.prepared), then only run with each request's key."""
    from jiati.accounts import backends
    from jiati.core.prepared import PreparedQuery

    monkeypatch.setattr(
        backends,
        "_USER_WITH_REGION",
        PreparedQuery(backends.UserModel, backends._USER_WITH_REGION._build, kinds=(int,)),
    )
    built = []
    build = backends._USER_WITH_REGION._build
    monkeypatch.setattr(backends._USER_WITH_REGION, "_build", lambda pk: built.append(pk) or build(pk))
    for name in ("community", "district", "community"):
        client.force_login(world.users[name])
        response = client.get(reverse("project-list"))
        assert response.status_code == 200 and response.wsgi_request.user == world.users[name]
        assert response.wsgi_request.user.region == world.users[name].region
    assert len(built) == 1
    inactive = world.users["district"]
    client.force_login(inactive)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    assert client.get(reverse("project-list")).wsgi_request.user.is_authenticated is False


def test_a_session_signed_in_with_djangos_backend_stays_signed_in(client, world):
    community = world.users["community"]
    client.force_login(community, backend=DJANGO_MODEL_BACKEND)
    session = client.session
    assert session[BACKEND_SESSION_KEY] == DJANGO_MODEL_BACKEND
    response = client.get(reverse("project-list"))
    assert response.status_code == 200 and response.wsgi_request.user == community


def test_a_password_is_checked_once_right_or_wrong(world, rf):
    user = world.users["community"]
    user.set_password("a-long-enough-password-1")
    user.save()
    with mock.patch.object(User, "check_password", autospec=True, side_effect=User.check_password) as check:
        assert authenticate(rf.post("/"), username=user.username, password="wrong-password") is None
        assert check.call_count == 1
        assert authenticate(rf.post("/"), username=user.username, password="a-long-enough-password-1") == user
        assert check.call_count == 2
