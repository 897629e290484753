"""Deny by default: every page needs a signed-in user unless its view is marked public; nothing served to a
signed-in user or a resident's session is kept by a browser's or a proxy's cache."""

from __future__ import annotations

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils.cache import patch_cache_control


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's own middleware, except that the API answers 401/403 itself (token auth lives in DRF)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PrivateResponsesMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in user (session or API token) or to a
    visitor with a session (a resident signed in by one-time code), unless the view set its own caching.

    Owner lists, exports with ID numbers, ballot-form PDFs and most pages behind a sign-in carry personal data; a
    rule per view would be forgotten by the next view, so it is one rule for all. Static files never get here
    (WhiteNoise answers them first), and anonymous public pages stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        session = getattr(request, "session", None)
        if (signed_in or (session is not None and not session.is_empty())) and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
