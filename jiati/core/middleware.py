"""Deny by default: every page needs a signed-in user unless its view is marked public; nothing served to a
signed-in user or a resident's session is kept by a browser's or a proxy's cache."""

from __future__ import annotations

from dataclasses import asdict
from http import HTTPStatus
from types import SimpleNamespace
from typing import ClassVar

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.signals import setting_changed
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


# What a view or a template may set on a response for its own policy (django-csp's decorators and nonce).
_PER_RESPONSE_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the headers of a response that has no nonce and no policy of its own built once.

    django-csp builds both policies from the settings on every response (a copy of the settings' dictionaries and
    the join of every directive): a twentieth of a project detail API call, for the same two strings every time
    on a JSON answer or any page without an inline script. Responses with a nonce or a view's own policy, and
    DEBUG's error pages, take django-csp's path unchanged; the headers are the same either way (a test compares
    them)."""

    _plain: ClassVar[dict[bool, tuple[str, tuple[str, ...]]]] = {}

    @classmethod
    def forget(cls, **kwargs) -> None:
        """The settings changed (tests): build the policies again."""
        cls._plain.clear()

    def _plain_policy(self, report_only: bool) -> tuple[str, tuple[str, ...]]:
        kept = self._plain.get(report_only)
        if kept is None:
            parts = self.get_policy_parts(
                request=SimpleNamespace(), response=SimpleNamespace(), report_only=report_only
            )
            name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
            prefixes = tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            kept = self._plain[report_only] = (build_policy(**asdict(parts), report_only=report_only), prefixes)
        return kept

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)
            or (settings.DEBUG and response.status_code in (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND))
        ):
            return super().process_response(request, response)
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            policy, prefixes = self._plain_policy(report_only)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error, not a silently missing nonce.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


setting_changed.connect(CSPMiddleware.forget)
