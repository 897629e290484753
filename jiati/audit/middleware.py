"""Carries the request's id and address to audit rows written during it, and records the full personal data the
response showed (`jiati.audit.disclosures`) in one insert once it is built."""

from __future__ import annotations

import contextvars
import uuid

from jiati.core.net import client_ip

_request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jiati_request", default=None)


def current_request_context() -> dict:
    return _request_context.get() or {}


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = {"request_id": str(uuid.uuid4()), "ip_address": client_ip(request), "disclosures": {}}
        token = _request_context.set(context)
        try:
            response = self.get_response(request)
            if context["disclosures"] and response.status_code < 500:
                from jiati.audit.disclosures import write_disclosures

                write_disclosures(context["disclosures"], context=context, path=request.get_full_path())
            return response
        finally:
            _request_context.reset(token)
