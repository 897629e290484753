"""The API keeps its schema's promise, as checked by a client nobody here wrote (issue 19): schemathesis generates
requests from the OpenAPI schema for every operation, for several roles, and every answer must be no server error
and conform to the schema (status code, content type, body). Bounded and reproducible: a fixed number of examples
per operation, derandomized, no example database. Writes run inside the test's transaction and are rolled back."""

from __future__ import annotations

import os
import time

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jiati.consultation.tests.conftest import make_slot, project_at, window_of
from jiati.subsidies.tests.conftest import complete, eligible_project
from jiati.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["district", "community", "contractor", "resident"]
# Examples per operation and role; JIATI_FUZZ_EXAMPLES raises it for a deeper run by hand.
EXAMPLES = int(os.environ.get("JIATI_FUZZ_EXAMPLES", "2"))


@pytest.fixture
def wsgi_app():
    """The Django WSGI application inside the test's transaction: like Django's test client, requests must not
    close the connection at their end (that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _data(world) -> None:
    """Rows for the lists and details to show, built as the apps' own tests build them: a project in consultation in
    the resident's stairwell built by the contractor, a project in the subsidy stage with its file filled in, a
    window slot with a booking."""
    project = project_at(world, "a1a")
    project.contractor = world.companies["contractor"]
    project.save(update_fields=["contractor"])
    application = eligible_project(world, "a2a").subsidy_application
    complete(application, world.users["admin"])
    window = window_of(world)
    window.staff_on_duty.add(world.users["community"])
    make_slot(window, created_by=world.users["community"])


def _strategy(operation):
    """Requests for one operation; one with a detail path on id 1 too (the first row of each table exists), so
    that details and actions answer with their bodies and not only 404."""
    strategy = operation.as_strategy()
    if "{id}" in operation.path:
        strategy = st.one_of(operation.as_strategy(path_parameters={"id": 1}), strategy)
    return strategy


def test_every_operation_keeps_the_schema_promise(world, wsgi_app, settings):
    settings.JIATI_API_DOCS_PUBLIC = True
    _data(world)
    token = Token.objects.create(user=world.users["district"])
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers={"Authorization": f"Token {token.key}"}
    )
    failures: list[str] = []
    cases = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    roles = {
        role: {"Authorization": f"Token {Token.objects.get_or_create(user=world.users[role])[0].key}"} for role in ROLES
    }
    started = time.perf_counter()
    seen: set[str] = set()
    for operation in operations:

        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @given(case=_strategy(operation))
        def run(case):
            nonlocal cases
            # One generated request, sent as each role: the generation is the costly part.
            for role, headers in roles.items():
                cases += 1
                try:
                    case.call_and_validate(headers={**headers, "Accept-Language": "en"}, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:  # collected, reported together at the end
                    key = f"{role} {case.operation.label}"
                    if key not in seen:
                        seen.add(key)
                        failures.append(f"{key}: {str(exc)[:1500]}")

        run()
    elapsed = time.perf_counter() - started
    print(f"\nschemathesis: {len(operations)} operations × {len(ROLES)} roles, {cases} cases in {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)
