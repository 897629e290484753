"""What the consultation views share."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from jiati.core.forms import run_service


def form_errors(form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label} {' '.join(errors)}".strip())
    return " ".join(parts) or _("Nothing was changed.")


def act(request, form, call: Callable[[dict], object], *, success: str, back: str):
    """Validate the form, run the service, and go back to the page with the outcome."""
    if form.is_valid():
        result = run_service(form, lambda: call(form.cleaned_data))
        if result is not None:
            messages.success(request, success)
            return redirect(back)
    messages.error(request, form_errors(form))
    return redirect(back)
