"""Who the resident is: an owner signed in with a one-time code (session), or a resident user account."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import redirect
from django.urls import reverse

from jiati.housing.models import Owner

SESSION_KEY = "portal_owner_id"


def resident_owner(request) -> Owner | None:
    owner_id = request.session.get(SESSION_KEY)
    if owner_id:
        return Owner.objects.filter(pk=owner_id).first()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.owner_id:
        return user.owner
    return None


def sign_in(request, owner: Owner) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = owner.pk


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)


def resident_required(view):
    """For portal pages: the signed-in owner arrives as `request.owner`, others go to the code sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        owner = resident_owner(request)
        if owner is None:
            return redirect(f"{reverse('portal:login')}?next={request.get_full_path()}")
        request.owner = owner
        return view(request, *args, **kwargs)

    return wrapper
