"""After the password: the second factor where the role needs one, and the end of an idle staff session."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.accounts.models import Role

# Paths a signed-in person who still owes a second factor may open.
OPEN_PREFIXES = ("/administration/second-factor/", "/accounts/logout/", "/static/", "/i18n/")


SESSION_HAS_DEVICE = "jiati_has_second_factor"


def _has_second_factor(request) -> bool:
    """Whether the signed-in user has a confirmed device, looked up once per session (not on every request)."""
    if SESSION_HAS_DEVICE not in request.session:
        from jiati.administration.second_factor import has_second_factor

        request.session[SESSION_HAS_DEVICE] = has_second_factor(request.user)
    return request.session[SESSION_HAS_DEVICE]


class SecondFactorMiddleware:
    """A signed-in user with a second factor must give it; a role that requires one must first set it up.

    The API answers 403 to such a session; a token (machine clients such as the city's identity system) is not a
    session and never reaches this check (its user is authenticated by DRF, after the middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path_info.startswith(OPEN_PREFIXES)
        ):
            from jiati.administration.permissions import requires_second_factor

            has_device = _has_second_factor(request)
            owes = has_device or (settings.JIATI_REQUIRE_SECOND_FACTOR and requires_second_factor(user))
            if owes and request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"errors": {"detail": _("Sign in with your second factor first.")}, "codes": {"detail": "otp"}},
                    status=403,
                )
            if has_device:
                return redirect(f"{reverse('administration:second-factor-verify')}?next={request.get_full_path()}")
            if owes:
                return redirect("administration:second-factor-setup")
        return self.get_response(request)


class IdleSessionMiddleware:
    """Staff and company sessions end after JIATI_IDLE_MINUTES without a request (residents use the portal's own)."""

    KEY = "jiati_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role != Role.RESIDENT:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.JIATI_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were signed out after a time without activity. Sign in again."))
                return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
            if last is None or now - last >= 30:  # spare a session write on every request
                request.session[self.KEY] = now
        return self.get_response(request)


def remember_at_sign_in(sender, request, user, **kwargs) -> None:
    """On sign-in (Django's `user_logged_in`): note the second-factor flag and the time in the new session, so the
    middleware above costs no query on the following requests."""
    if request is None or not hasattr(request, "session"):
        return
    from jiati.administration.second_factor import has_second_factor

    request.session[SESSION_HAS_DEVICE] = has_second_factor(user)
    request.session[IdleSessionMiddleware.KEY] = int(time.time())
