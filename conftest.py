"""Shared fixtures: a small organisation tree with staff of every role, and the housing below it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from jiati.core.tests.browser import browser, page, phone_page  # noqa: F401 - fixtures for browser tests
from jiati.core.tests.factories import build_world


@pytest.fixture
def world(db):
    """Two districts; in the first, two subdistricts with communities, estates, dwellings and staff for every role."""
    return build_world()


@pytest.fixture
def client_for(client):
    """Log a test client in as one of the world's users: client_for(world.users["community"])."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _english_messages():
    """Tests read messages in English (the source language); the Chinese default is tested on its own."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A test client that asks for English pages, like the messages tests compare against."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters (codes per phone and per address) are kept
    there, and one test's sign-ins must not use up the next one's allowance."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture
def compiled_models(monkeypatch):
    """The models of every query Django compiles to SQL from here on (a statement compiled once per process,
    `core.prepared`, is compiled only on its first use)."""
    from django.db.models.sql.compiler import SQLCompiler

    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return compiled


@pytest.fixture
def prepared_compiles(monkeypatch):
    """The `core.prepared` statements compiled from here on, one entry each time one is compiled."""
    from jiati.core.prepared import PreparedQuery

    compiled = []
    compile_once = PreparedQuery._compile

    def counting(self, alias):
        compiled.append(self)
        return compile_once(self, alias)

    monkeypatch.setattr(PreparedQuery, "_compile", counting)
    return compiled
