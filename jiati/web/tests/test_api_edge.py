"""One API edge: every kind of refusal has the same JSON body in every app, in the caller's language."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from rest_framework import exceptions, status

from jiati.consultation.models import ArticleKind
from jiati.core.errors import refuse
from jiati.projects import services as projects_services
from jiati.web.api import exception_handler

MISSING = 99999999

# One detail endpoint per app (a missing id must answer 404) and, per app, a request refused with 400.
DETAIL = {
    "organisation": "/api/organisation/regions/{pk}/",
    "housing": "/api/housing/estates/{pk}/",
    "projects": "/api/projects/projects/{pk}/",
    "consent": "/api/consent/votes/{pk}/",
    "consultation": "/api/consultation/petitions/{pk}/",
    "subsidies": "/api/subsidies/applications/{pk}/",
}
BAD_INPUT = {
    "organisation": ("get", "/api/organisation/regions/?parent=x", "parent"),
    "housing": ("get", "/api/housing/estates/?built_before=x", "built_before"),
    "projects": ("post", "/api/projects/projects/", "stairwell"),
    "consent": ("post", "/api/consent/notices/", "project"),
    "consultation": ("post", "/api/consultation/petitions/", "estate"),
    "subsidies": ("post", "/api/subsidies/budgets/", "year"),
}
# A user whose request the app refuses with 403 (a service's or the endpoint's rule), per app; the read-only
# apps refuse a write with 405, in the same body.
FORBIDDEN = {
    "organisation": ("district", "post", "/api/organisation/regions/", 405, "method_not_allowed"),
    "housing": ("district", "post", "/api/housing/estates/", 405, "method_not_allowed"),
    "projects": ("resident", "patch", "/api/projects/projects/{project}/checklist/", 403, "permission_denied"),
    "consent": ("contractor", "post", "/api/consent/tally/", 403, "permission_denied"),
    # A service's own rule (`require`, Django's PermissionDenied) answers like an endpoint's.
    "consultation": ("community", "post", "/api/consultation/articles/", 403, "permission_denied"),
    "subsidies": ("community", "post", "/api/subsidies/budgets/", 403, "permission_denied"),
}
FORBIDDEN_INPUT = {
    "consultation": {"kind": ArticleKind.choices[0][0], "title": "加梯", "body": "加梯"},
    "subsidies": {"year": 2026, "source": "city", "amount": "100"},
}


def body_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"errors", "codes"}
    assert set(body["errors"]) == set(body["codes"])
    for key, messages in body["errors"].items():
        assert isinstance(messages, list) and all(isinstance(m, str) and m for m in messages), key
        assert len(body["codes"][key]) == len(messages)
    return body


def send(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


@pytest.mark.parametrize("app", sorted(DETAIL))
def test_not_found_has_the_one_body_in_every_app(app, world, client_for):
    response = client_for(world.users["district"]).get(DETAIL[app].format(pk=MISSING))
    assert response.status_code == 404
    assert body_of(response) == {"errors": {"detail": ["Not found."]}, "codes": {"detail": ["not_found"]}}


@pytest.mark.parametrize("app", sorted(DETAIL))
def test_not_signed_in_has_the_one_body_in_every_app(app, world):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(DETAIL[app].format(pk=MISSING))
    assert response.status_code == 401
    assert body_of(response)["codes"] == {"detail": ["not_authenticated"]}


@pytest.mark.parametrize("app", sorted(BAD_INPUT))
def test_bad_input_names_the_field_in_the_one_body_in_every_app(app, world, client_for):
    method, url, field = BAD_INPUT[app]
    user = world.users["finance" if app == "subsidies" else "district"]
    response = send(client_for(user), method, url)
    assert response.status_code == 400
    body = body_of(response)
    assert field in body["errors"] and body["codes"][field]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_a_forbidden_request_has_the_one_body_in_every_app(app, world, client_for):
    role, method, url, status_code, code = FORBIDDEN[app]
    project = None
    if "{project}" in url:  # a project the resident sees (an owner of its stairwell) but may not manage
        project = projects_services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    url = url.format(project=project.pk if project else 0)
    response = send(client_for(world.users[role]), method, url, FORBIDDEN_INPUT.get(app))
    assert response.status_code == status_code
    assert body_of(response)["codes"] == {"detail": [code]}


def test_refusals_are_in_the_callers_language(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users["district"])
    response = client.get(DETAIL["housing"].format(pk=MISSING))
    assert body_of(response)["errors"] == {"detail": ["未找到。"]}
    refused = client.get(BAD_INPUT["housing"][1])
    assert refused.json()["errors"]["built_before"] == ["输入一个数字。"]


def test_out_of_scope_and_missing_answer_alike(world, client_for):
    client = client_for(world.users["community"])
    other_district = client.get(DETAIL["housing"].format(pk=world.estates["b1a"].pk))
    missing = client.get(DETAIL["housing"].format(pk=MISSING))
    assert other_district.status_code == missing.status_code == 404
    assert other_district.json() == missing.json()


# --- the handler itself: Django's refusals (as services raise them) take the same path as DRF's -------------


@pytest.mark.parametrize(
    ("raised", "status_code", "codes"),
    [
        (Http404(), 404, {"detail": ["not_found"]}),
        (PermissionDenied(), 403, {"detail": ["permission_denied"]}),
        (exceptions.NotFound(), 404, {"detail": ["not_found"]}),
        (exceptions.PermissionDenied(), 403, {"detail": ["permission_denied"]}),
        (refuse("No.", code="stage_changed"), 400, {"non_field_errors": ["stage_changed"]}),
        (refuse("No.", code="negative", field="amount"), 400, {"amount": ["negative"]}),
        (ValidationError("No.", code="bare"), 400, {"non_field_errors": ["bare"]}),
    ],
)
def test_the_handler_gives_every_refusal_the_one_body(raised, status_code, codes):
    response = exception_handler(raised, {"view": None})
    assert response.status_code == status_code
    assert set(response.data) == {"errors", "codes"}
    assert response.data["codes"] == codes


def test_a_conflict_has_the_one_body():
    class StaleVersion(exceptions.APIException):
        status_code = status.HTTP_409_CONFLICT
        default_detail = "Changed meanwhile."
        default_code = "stale"

    response = exception_handler(StaleVersion(), {"view": None})
    assert response.status_code == 409
    assert response.data == {"errors": {"detail": ["Changed meanwhile."]}, "codes": {"detail": ["stale"]}}


def test_an_unexpected_error_answers_json_500_without_details(caplog):
    response = exception_handler(RuntimeError("secret internals"), {"view": None})
    assert response.status_code == 500
    assert response.data == {"errors": {"detail": ["A server error occurred."]}, "codes": {"detail": ["error"]}}
    assert "secret internals" not in str(response.data)
    assert any(record.exc_info for record in caplog.records)  # logged with its traceback for the operators
