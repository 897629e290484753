"""Sign in and out, and the user's own profile (API token)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.accounts import services


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """A resident who signs in here belongs on the portal (/m/), not on an empty staff workbench."""
        from django.urls import reverse

        from jiati.accounts.models import Role

        if self.request.user.is_authenticated and self.request.user.role == Role.RESIDENT:
            return reverse("portal:home")
        return super().get_default_redirect_url()


def profile(request):
    return render(request, "accounts/profile.html", {"token": services.api_token_get(user=request.user)})


@require_POST
def token_rotate(request):
    token = services.api_token_rotate(user=request.user)
    messages.success(request, _("A new API token was created. Copy it now: %(key)s") % {"key": token.key})
    return redirect("accounts:profile")
