"""Running a service from a form: the service's ValidationError lands on the right field."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


def run_service(form: forms.Form, call: Callable[[], object]):
    """Call a service; on a refusal attach its messages to the form and return None."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None
