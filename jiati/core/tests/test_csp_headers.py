"""The Content-Security-Policy headers are built once for every response without a nonce or a policy of its own
(`core.middleware.CSPMiddleware`), and are the same as django-csp's."""

from __future__ import annotations

import csp.middleware
import csp.utils
from csp.constants import NONCE
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from jiati.core.middleware import CSPMiddleware


def directives(response) -> set[str]:
    """A policy's directives (their order is django-csp's set order)."""
    return set(response["Content-Security-Policy"].split("; "))


def _django_csp(request, response):
    middleware = csp.middleware.CSPMiddleware(lambda r: response)
    middleware.process_request(request)
    return middleware.process_response(request, response)


def test_an_api_answer_gets_django_csps_header_built_once(client, world, monkeypatch):
    token = Token.objects.get_or_create(user=world.users["district"])[0]
    headers = {"Authorization": f"Token {token.key}"}
    url = "/api/projects/projects/"
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    built = []
    real = csp.utils.build_policy
    monkeypatch.setattr(csp.middleware, "build_policy", lambda *a, **k: built.append(1) or real(*a, **k))
    second = client.get(url, headers=headers)
    assert built == []  # the kept policy
    expected = _django_csp(RequestFactory().get(url), HttpResponse())
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert directives(second) == directives(expected)
    assert "frame-ancestors 'none'" in second["Content-Security-Policy"]


def test_a_nonce_a_views_own_policy_an_exemption_and_changed_settings_are_kept(rf, settings):
    def answer(response, *, nonce=False):
        request = rf.get("/")
        middleware = CSPMiddleware(lambda r: response)
        middleware.process_request(request)
        if nonce:
            str(request.csp_nonce)
        return request, middleware.process_response(request, response)

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    assert directives(answer(HttpResponse())[1]) == {"default-src 'self'", "script-src 'self'"}
    request, response = answer(HttpResponse(), nonce=True)
    assert directives(response) == {"default-src 'self'", f"script-src 'self' 'nonce-{request.csp_nonce}'"}
    own = HttpResponse()
    own._csp_update = {"img-src": ["https://maps.example"]}
    assert "https://maps.example" in answer(own)[1]["Content-Security-Policy"]
    exempt = HttpResponse()
    exempt._csp_exempt = True
    assert "Content-Security-Policy" not in answer(exempt)[1]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert answer(HttpResponse())[1]["Content-Security-Policy"] == "default-src 'none'"
