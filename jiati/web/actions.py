"""The one page action: validate a form, run the service, go back with the outcome (or show the form again).

Every app's POST handlers go through `act`, so a refused change reads the same everywhere: the service's
refusal lands on the field it names (`jiati.core.forms.run_service`), and either the page is shown again with
everything as typed, or the user goes back to where they were with the errors in one message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from jiati.core.forms import run_service
from jiati.core.refused_forms import remember_refused


def form_errors(form) -> str:
    """Every error of a bound form in one line, each after its field's label."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label} {' '.join(str(e) for e in errors)}".strip())
    return " ".join(parts) or _("Nothing was changed.")


def focus_first_error(form) -> None:
    """Put the cursor (and the browser's scroll) on the first field the refusal names."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def act(
    request,
    form,
    call: Callable[[dict], object],
    *,
    success,
    back: str,
    page: Callable[[object], HttpResponse] | None = None,
):
    """Validate the form, run the service, and go back to the page with the outcome.

    `success` is the message, or a function of the service's result returning it. When the change is refused
    and `page` is given (the page the form sits on, rendered with this bound form), the page is shown again with
    the form as it was typed and its errors on their fields — nothing typed is lost. For an htmx request the page
    replaces the body, whatever the request targeted. Without `page`, the errors go back as one message.
    """
    if form.is_valid():
        result = run_service(form, lambda: call(form.cleaned_data))
        if result is not None:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(back)
    if page is None:
        messages.error(request, form_errors(form))
        remember_refused(request, form)  # the panel comes back open, as typed (core.refused_forms)
        return redirect(back)
    messages.error(request, _("Not saved: see the form below."))
    focus_first_error(form)
    response = page(form)
    if getattr(request, "htmx", False):
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
    return response
