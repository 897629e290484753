"""A refused form comes back as it was typed: open, with every value and every error at once.

Forms in fold-out panels post to an action view that, on success, redirects back to the page. On a refusal the
action view calls `remember_refused(request, form)`: what was typed and every error (the form's and the
service's) is kept in the session for one page view. The page renders its forms through `core/_form.html`,
whose `{% refused_form %}` tag re-binds the matching form with what was typed and its errors; the panel
(`<details>`) around a refused form is rendered open (app.js) and its first invalid field focused.

Which form on the page is the refused one: its class and its slot (the n-th form of that class on the page,
sent back as `_form_slot`), so that of ten "resolve" forms only the one used comes back.
Uploaded files cannot be kept; everything else is.
"""

from __future__ import annotations

from django import forms
from django.http import QueryDict

SESSION_KEY = "jiati_refused_form"
SLOT_FIELD = "_form_slot"
NOT_KEPT = frozenset({"csrfmiddlewaretoken", SLOT_FIELD})


def form_key(form: forms.BaseForm) -> str:
    return f"{type(form).__module__}.{type(form).__qualname__}"


def refused_is(request, form_class: type[forms.BaseForm]) -> bool:
    """Whether the form just refused (kept for this page view) is of `form_class`: a page that loads a form
    only when its panel opens builds that one now, so that it comes back open with what was typed."""
    session = getattr(request, "session", None)
    stash = session.get(SESSION_KEY) if session is not None else None
    return bool(stash) and stash["key"] == f"{form_class.__module__}.{form_class.__qualname__}"


def remember_refused(request, form: forms.BaseForm) -> None:
    """Keep what was typed in a refused form, and all its errors, for the next page view."""
    data = {key: request.POST.getlist(key) for key in request.POST if key not in NOT_KEPT}
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    request.session[SESSION_KEY] = {
        "key": form_key(form),
        "slot": request.POST.get(SLOT_FIELD, ""),
        "data": data,
        "errors": errors,
    }


def next_slot(request, form: forms.BaseForm) -> str:
    """The n-th form of this class on the page being rendered ("1", "2", …)."""
    counters = getattr(request, "_jiati_form_slots", None)
    if counters is None:
        counters = request._jiati_form_slots = {}
    key = form_key(form)
    counters[key] = counters.get(key, 0) + 1
    return str(counters[key])


def restore_refused(request, form: forms.BaseForm, slot: str) -> bool:
    """Re-bind `form` with what was typed if it is the one just refused; True if it was."""
    session = getattr(request, "session", None)
    stash = session.get(SESSION_KEY) if session is not None else None
    if not stash or form.is_bound or stash["key"] != form_key(form) or stash["slot"] not in ("", slot):
        return False
    del session[SESSION_KEY]
    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    form.is_bound, form.data, form.files, form._errors = True, data, {}, None
    form.full_clean()
    for field, messages in stash["errors"].items():
        target = field if field in form.fields else None
        known = form.errors.get(field if target else "__all__", [])
        for message in messages:
            if message not in known:
                form.add_error(target, message)
    form.refused = True
    return True
