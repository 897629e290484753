"""Every phone a person types in a form of the project is checked by the one phone rule of the services
(`core.personal_data.validate_phone`) when the form is checked: a number such as "12345" is named on its field
together with every other wrong field of the form, never accepted and never refused a submit later (issue 13:
the service window's objection form took an outside party's "12345"). An API input is checked by its service
(`personal_data.phone_or_refuse` inside the service's `Refusals`), so that the API names it with the service's
other refusals rather than stopping at the serializer."""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.core.exceptions import ValidationError

from jiati.core import forms as policy_forms
from jiati.core.tests.test_text_policy import _project_classes

BAD, GOOD = "12345", "13812345678"


def _phone_like(name: str) -> bool:
    return "phone" in name or "mobile" in name or name.endswith("tel")


def test_every_phone_field_of_every_form_refuses_a_number_that_is_none():
    seen = []
    for cls in _project_classes(forms.BaseForm):
        form = cls.__new__(cls)  # the fields as the policy base sees them after the form's own __init__
        form.fields = copy.deepcopy(cls.base_fields)
        policy_forms.apply_text_policy(form)
        for name, field in form.fields.items():
            if not _phone_like(name) or not isinstance(field, forms.CharField):
                continue
            seen.append(f"{cls.__qualname__}.{name}")
            with pytest.raises(ValidationError) as refused:
                field.clean(BAD)
            assert "invalid_phone" in [e.code for e in refused.value.error_list], f"{cls.__qualname__}.{name}"
            assert field.clean(GOOD) == GOOD
    assert "ObjectionForm.phone" in seen and len(seen) > 15, seen
