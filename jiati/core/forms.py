"""Form bases every form in the project derives from, running a service from a form (the service's
ValidationError lands on the right field), and the form fields that check input with the services' own rules.

The bases apply the stored-text policy (`core.text_policy`) to every text field: no control characters, no
invisible characters in names, a length limit refused by name, never cut; and the date rule (`core.date_policy`)
to every date.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from jiati.core import date_policy, personal_data, text_policy
from jiati.core.personal_data import validate_phone


def apply_text_policy(form: forms.BaseForm) -> None:
    """Give each text field of this form instance its limit and its character rule, each date its window, each
    phone (a field named like one: `personal_data.kind_of_field`) the phone rule of the services."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    for name, field in form.fields.items():
        if isinstance(field, (forms.DateField, forms.DateTimeField)):
            field.validators = text_policy.add_validator(field.validators, date_policy.validator_for(name))
            continue
        if not isinstance(field, forms.CharField):
            continue
        if personal_data.kind_of_field(name) == "phone":  # every phone input, checked by the services' own rule
            field.validators = text_policy.add_validator(field.validators, validate_phone)
        multiline = isinstance(field.widget, forms.Textarea)
        max_length, _multiline, validator = text_policy.rules_for(
            name, max_length=field.max_length, multiline=multiline, model=model, module=type(form).__module__
        )
        if field.max_length is None or max_length < field.max_length:
            field.max_length = max_length
            field.validators = [
                *(v for v in field.validators if not isinstance(v, MaxLengthValidator)),
                MaxLengthValidator(max_length),
            ]
            field.widget.attrs["maxlength"] = str(max_length)
        field.validators = text_policy.add_validator(field.validators, validator)


def _on_file(form: forms.BaseForm, name: str):
    """The value a personal-data field holds now: the form's initial (a model form's: its instance's)."""
    value = form.initial.get(name, form.fields[name].initial)
    return value if isinstance(value, str) else None


def mask_personal_fields(form: forms.BaseForm) -> None:
    """Personal data in a form follows the masks of pages and the API: a field named like an ID number, a phone
    or a bank account shows its value masked (as a placeholder) unless the viewer sees that kind in full; left
    empty, the value on file is kept. A resident or a visitor is never shown a mask: their forms hold only their
    own data (`accounts.middleware`)."""
    form.kept_on_file = {}
    for name, field in form.fields.items():
        kind = personal_data.kind_of_field(name)
        if kind is None or not isinstance(field, forms.CharField) or personal_data.viewer_sees(kind):
            continue
        value = _on_file(form, name)
        if not value:
            continue
        form.kept_on_file[name] = value
        form.initial[name] = ""
        field.required = False
        field.widget.attrs["placeholder"] = personal_data.MASKS[kind](value)
        field.help_text = _("Shown masked; leave empty to keep it on file.")


class ChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice field's choices read with one plain query when the form is rendered.

    Django's iterator reads them through `QuerySet.iterator()`, which on PostgreSQL outside a transaction is a
    server-side cursor declared WITH HOLD: the rows are materialised on the server, then fetched and the cursor
    closed, three round trips for a short list (the project page has a dozen such lists)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def read_choices_plainly(form: forms.BaseForm) -> None:
    """Give every model choice field of this form `ChoiceIterator` (its widget's choices too)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = ChoiceIterator
            field.widget.choices = field.choices


class TextPolicyMixin:
    """The policies every form follows (also for forms that must derive from another library's form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_text_policy(self)
        mask_personal_fields(self)
        read_choices_plainly(self)

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in self.kept_on_file.items():
            if self.cleaned_data.get(name) in ("", None) and name in self.cleaned_data:
                self.cleaned_data[name] = value  # left empty: the value on file, never cleared by a mask


class Form(TextPolicyMixin, forms.Form):
    """Every plain form in the project."""


class ModelForm(TextPolicyMixin, forms.ModelForm):
    """Every model form in the project."""


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
    field instead of on the next submit. The rule itself is on every field named like a phone
    (`apply_text_policy`); this field adds the phone keyboard and works outside the form bases too."""

    default_validators = [validate_phone]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)
