"""Carries the request's id and address to audit rows written during it."""

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
        token = _request_context.set({"request_id": str(uuid.uuid4()), "ip_address": client_ip(request)})
        try:
            return self.get_response(request)
        finally:
            _request_context.reset(token)
