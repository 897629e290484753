"""A query compiled once per process (`core.prepared`) answers what the queryset it was built from answers: the
same objects with their `select_related` rows, the same converted values, one statement, values as parameters."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from jiati.core.prepared import PreparedQuery


def token_query(calls: list):
    def build(key):
        calls.append(key)
        return Token.objects.select_related("user", "user__region").filter(key=key)[:1]

    return PreparedQuery(Token, build)


def test_a_prepared_query_answers_as_its_queryset_in_one_statement_built_once(world):
    calls = []
    prepared = token_query(calls)
    tokens = [Token.objects.create(user=world.users[name]) for name in ("community", "district")]
    for token in tokens:
        with CaptureQueriesContext(connection) as queries:
            (found,) = prepared.fetch(token.key)
            region = found.user.region  # read with the token: no further query
        assert len(queries) == 1
        expected = Token.objects.select_related("user", "user__region").get(key=token.key)
        assert (found.pk, found.created, found.user.pk, found.user.is_active, region.path) == (
            expected.pk,
            expected.created,  # an aware datetime on every engine (the database converters ran)
            expected.user.pk,
            expected.user.is_active,
            expected.user.region.path,
        )
        assert found._state.adding is False and found._state.db == "default"
    assert len(calls) == 1  # built and compiled once, then only run


def test_a_prepared_query_takes_its_values_as_parameters(world):
    prepared = token_query([])
    Token.objects.create(user=world.users["community"])
    assert prepared.fetch("nope") == []
    assert prepared.fetch("' OR '1'='1") == []
    with pytest.raises(TypeError):
        prepared.fetch(1)


def test_token_auth_reads_token_user_and_region_in_one_statement(client, world):
    from jiati.projects import services

    project = services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    token = Token.objects.create(user=world.users["community"])
    url = reverse("project-detail", args=[project.pk])
    client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")  # the first call compiles
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    auth = [q["sql"] for q in queries if "authtoken_token" in q["sql"]]
    assert len(auth) == 1 and "organisation_region" in auth[0]
    assert len(queries) == 2, [q["sql"] for q in queries]  # the token with its user and region, the project
    user = world.users["community"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    refused = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Token nope").status_code == 401


def test_a_prepared_query_takes_integers_and_like_patterns_escaped_as_the_orm_escapes_them(world):
    from jiati.organisation.models import Region

    calls = []

    def build(path, pk):
        calls.append((path, pk))
        return Region.objects.filter(path__startswith=path).exclude(pk=pk).order_by("pk")

    prepared = PreparedQuery(Region, build, kinds=(str, int))
    district = world.regions["A"]
    for path, pk in [(district.path, district.pk), ("/440000/", -1), ("/44_000/", 0), ("/4%", 0), ("\\", 0)]:
        with CaptureQueriesContext(connection) as queries:
            found = prepared.fetch(path, pk)
        assert len(queries) == 1
        expected = list(Region.objects.filter(path__startswith=path).exclude(pk=pk).order_by("pk"))
        assert [r.pk for r in found] == [r.pk for r in expected], path
    assert prepared.fetch("/44_000/", 0) == [] and prepared.fetch("/4%", 0) == []  # wildcards are the text itself
    assert len(calls) == 1
    with pytest.raises(TypeError):
        prepared.fetch("/44/", "1")  # an integer value must be an integer


def test_a_prepared_query_works_out_its_converters_and_populators_once_per_connection(world):
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    prepared = token_query([])
    token = Token.objects.create(user=world.users["district"])
    prepared.fetch(token.key)  # the first call on this connection works them out
    with mock.patch.object(
        SQLCompiler, "get_converters", autospec=True, side_effect=SQLCompiler.get_converters
    ) as converters:
        (found,) = prepared.fetch(token.key)
    assert converters.call_count == 0
    assert (found.user.pk, found.user.region.path) == (world.users["district"].pk, world.users["district"].region.path)


def test_a_prepared_values_query_answers_its_rows_converted_as_the_orm_converts_them(world):
    """`fetch_rows`: a `values_list()` (or grouped `values().annotate()`) query's rows, dates as the ORM gives them."""
    from django.db.models import Count, Max

    from jiati.accounts.models import User

    def build(level):
        return (
            User.objects.filter(region__level=level)
            .order_by()
            .values("region_id")
            .annotate(n=Count("id"), joined=Max("date_joined"))
            .values_list("region_id", "n", "joined")
            .order_by("region_id")
        )

    prepared = PreparedQuery(User, build)
    for level in ("district", "community", "nowhere"):
        rows = prepared.fetch_rows(level)
        assert rows == [tuple(row) for row in build(level)], level
    assert rows == [] and prepared.fetch_rows("district")[0][2].tzinfo is not None  # an aware datetime everywhere


def test_a_key_beyond_its_column_names_no_row(world):
    from jiati.accounts.models import User
    from jiati.core.prepared import pk_in_range

    assert pk_in_range(User, 1) and pk_in_range(User, 2**63 - 1)
    assert not pk_in_range(User, 2**63) and not pk_in_range(User, -(2**63) - 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.parametrize("enabled", [True, False])
def test_the_api_calls_statements_are_prepared_once_per_connection_on_postgresql(client, world, settings, enabled):
    """PostgreSQL plans a prepared statement once (after its first few runs) instead of on every call: the planning
    was four times the running of these one-row statements. JIATI_PREPARED_STATEMENTS=0 (a pooler in transaction
    mode) leaves them unprepared."""
    from jiati.projects import services

    settings.JIATI_PREPARED_STATEMENTS = enabled
    project = services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    token = Token.objects.create(user=world.users["community"])
    url = reverse("project-detail", args=[project.pk])
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
        assert len(queries) == 2  # counted as any other
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    if enabled:
        assert len(prepared) == 2, prepared
        assert any("authtoken_token" in s for s in prepared) and any("projects_project" in s for s in prepared)
    else:
        assert prepared == []
