"""Pages that belong to no single domain: the start page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiati.core import selectors


def home(request):
    """Each role's start page: what is in their area and what waits for them."""
    return render(request, "core/home.html", {"widgets": selectors.start_page_widgets(user=request.user)})


@login_not_required
@require_GET
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
