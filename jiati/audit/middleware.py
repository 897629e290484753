"""The request's id and address: carried to audit rows and log lines written during it, and one log line per request.

The id comes from the trusted reverse proxy's `X-Request-ID` (so the proxy's log, ours and the audit trail share it)
or is made here; it is sent back in the response's `X-Request-ID` header for a user's report or a support call. The
full personal data a response showed (`jiati.audit.disclosures`) is recorded in one insert once it is built.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings

from jiati.core.net import client_ip

_request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jiati_request", default=None)
# What an incoming id may look like: it is stored in the audit trail (36 characters) and written to logs.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,36}")
request_log = logging.getLogger("jiati.request")


def current_request_context() -> dict:
    return _request_context.get() or {}


def _request_id(request) -> str:
    """The proxy's id when the request came through a trusted proxy and the id is well-formed; a new one otherwise."""
    if request.META.get("REMOTE_ADDR") in set(settings.JIATI_TRUSTED_PROXIES):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        if _INCOMING_ID.fullmatch(incoming):
            return incoming
    return str(uuid.uuid4())


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = _request_id(request)
        context = {"request_id": request_id, "ip_address": client_ip(request), "disclosures": {}}
        token = _request_context.set(context)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            if context["disclosures"] and status < 500:
                from jiati.audit.disclosures import write_disclosures

                write_disclosures(context["disclosures"], context=context, path=request.get_full_path())
            return response
        finally:
            user = getattr(request, "user", None)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            _request_context.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds the current request's id (empty outside a request: the worker, commands) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_context().get("request_id", "")
        return True
