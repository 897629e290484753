"""Running a service from a form (the service's ValidationError lands on the right field), and the form fields
that check input with the services' own rules."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from jiati.core.personal_data import validate_phone


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


class PhoneField(forms.CharField):
    """A mobile or landline number, checked by the form with the rule the services use
    (`core.personal_data.validate_phone`), so that a wrong number is named together with every other wrong
    field instead of on the next submit."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            validate_phone(value)
