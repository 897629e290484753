"""The site's own address, for links that leave the page: QR codes, PDF footers, e-mails and SMS.

In production the address is a setting (`SITE_URL`, required there: a task or a cron job has no request to
ask). Where it is not set — the demo, a developer's machine, the tests — the address follows how the site is
served: the host and port of the request being answered, so a demo on port 8104 prints QR codes for 8104.
Without a request (the demo's task worker sending a notification) it is the machine's own address on the port
the demo serves (`PORT`, which bin/demo passes to its worker too), not a fixed 8000.
`SiteAddressMiddleware` remembers the request's origin for the length of the request, so code far from the
view (a service sending a notification) gets the same answer without passing the request around.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost

_current_request: ContextVar = ContextVar("jiati_current_request", default=None)


def site_url(request=None) -> str:
    """The absolute address of the site, without a trailing slash."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    request = request if request is not None else _current_request.get()
    if request is not None:
        try:
            return request.build_absolute_uri("/").rstrip("/")
        except DisallowedHost:  # a forged Host header never reaches a printed link
            pass
    return settings.JIATI_LOCAL_SITE_URL


def absolute_url(path: str, request=None) -> str:
    """`/m/votes/12/` → `https://jiati.example.gov.cn/m/votes/12/`."""
    return f"{site_url(request)}{path}"


class SiteAddressMiddleware:
    """Remember the request being answered, whose host and port give the address when SITE_URL is not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
