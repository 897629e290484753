"""Pages that belong to no single domain: the start page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jiati.core import selectors


def home(request):
    """Each role's start page: what is in their area and what waits for them (a resident's is the portal)."""
    if getattr(request.user, "is_resident", False):  # core imports no app: the user model says who is a resident
        return redirect("portal:home")
    return render(request, "core/home.html", {"widgets": selectors.start_page_widgets(user=request.user)})


@login_not_required
@require_GET
def favicon(request):
    """Our own icon for the browsers and tools that ask for /favicon.ico (pages name it in their <head>)."""
    from django.templatetags.static import static

    return redirect(static("jiati/favicon.svg"), permanent=True)


@login_not_required
@require_GET
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
