"""The input policy holds for every form and every API serializer in the project: no control characters, no
invisible characters in names, every text input limited to its column (refused, never cut), every date in the
window of its kind."""

from __future__ import annotations

import copy
import importlib
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

import jiati
from jiati.core import forms as policy_forms
from jiati.core import serializers as policy_serializers
from jiati.core.date_policy import DateWindowValidator, kind_of
from jiati.core.text_policy import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, PrintableTextValidator, column_for, printable
from jiati.web.exports import safe_cell

BASES = {policy_forms.__name__, policy_serializers.__name__}


def _project_classes(base):
    for info in pkgutil.walk_packages(jiati.__path__, "jiati."):
        if ".tests" in info.name or ".migrations" in info.name or ".management" in info.name:
            continue
        importlib.import_module(info.name)
    seen, todo = set(), [base]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls not in seen:
                seen.add(cls)
                todo.append(cls)
    return sorted(
        (
            c
            for c in seen
            if c.__module__.startswith("jiati.") and c.__module__ not in BASES and ".tests" not in c.__module__
        ),
        key=lambda c: c.__qualname__,
    )


def _check_date_input(where, name, field):
    rules = [v for v in field.validators if isinstance(v, DateWindowValidator)]
    assert len(rules) == 1, f"{where}.{name}: no date window"
    assert rules[0].kind == kind_of(name)


def _policy(validators):
    return [v for v in validators if isinstance(v, PrintableTextValidator)]


def _check_text_input(where, name, field, *, max_length, validators, model, module):
    rules = _policy(validators)
    assert len(rules) == 1, f"{where}.{name}: no stored-text rule"
    assert max_length, f"{where}.{name}: no length limit"
    column = column_for(name, model=model) if model is not None else None
    if column is not None and column.max_length:
        assert max_length <= column.max_length, f"{where}.{name}: {max_length} > column {column.max_length}"
    if name == "name" or name.endswith("_name"):
        assert rules[0].name and not rules[0].multiline, f"{where}.{name}: a name is one line, no invisibles"


def test_every_form_derives_from_the_policy_base_and_every_text_field_gets_the_policy():
    classes = _project_classes(forms.BaseForm)
    assert len(classes) > 100
    outside = [c.__qualname__ for c in classes if not issubclass(c, policy_forms.TextPolicyMixin)]
    assert outside == [], "forms that do not derive from jiati.core.forms.Form/ModelForm"
    checked = dates = 0
    for cls in classes:
        form = cls.__new__(cls)  # the fields as the policy base sees them after the form's own __init__
        form.fields = copy.deepcopy(cls.base_fields)
        policy_forms.apply_text_policy(form)
        model = getattr(getattr(cls, "_meta", None), "model", None)
        for name, field in form.fields.items():
            if isinstance(field, (forms.DateField, forms.DateTimeField)):
                dates += 1
                _check_date_input(cls.__qualname__, name, field)
            if isinstance(field, forms.CharField):
                checked += 1
                _check_text_input(
                    cls.__qualname__,
                    name,
                    field,
                    max_length=field.max_length,
                    validators=field.validators,
                    model=model,
                    module=cls.__module__,
                )
    assert checked > 150 and dates > 20


def test_every_serializer_derives_from_the_policy_base_and_every_text_input_gets_the_policy():
    classes = _project_classes(serializers.BaseSerializer)
    assert len(classes) > 150
    outside = [c.__qualname__ for c in classes if not issubclass(c, policy_serializers.TextPolicyMixin)]
    assert outside == [], "serializers that do not derive from jiati.core.serializers.Serializer/ModelSerializer"
    checked = dates = 0
    for cls in classes:
        model = getattr(getattr(cls, "Meta", None), "model", None)
        for name, field in cls().fields.items():
            if isinstance(field, serializers.ListField):
                field = field.child
            if isinstance(field, (serializers.DateField, serializers.DateTimeField)) and not field.read_only:
                dates += 1
                _check_date_input(cls.__qualname__, name, field)
            if isinstance(field, serializers.CharField) and not field.read_only:
                checked += 1
                _check_text_input(
                    cls.__qualname__,
                    name,
                    field,
                    max_length=field.max_length,
                    validators=field.validators,
                    model=model,
                    module=cls.__module__,
                )
    assert checked > 200 and dates > 20


class _Notes(policy_forms.Form):
    name = forms.CharField()
    note = forms.CharField(widget=forms.Textarea, required=False)
    code = forms.CharField(max_length=10, required=False)


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": "王\x01建国"}, "name", "control_character"),
        ({"name": "王建国\n"}, "name", None),  # stripped at the end: allowed
        ({"name": "王\n建国"}, "name", "control_character"),
        ({"name": "abc\u202egnp.exe"}, "name", "invisible_character"),
        ({"name": "王\u200b建国"}, "name", "invisible_character"),
        ({"name": "王\ufeff建国"}, "name", "invisible_character"),
        ({"note": "line one\r\n\tline two"}, "note", None),
        ({"note": "bell\x07"}, "note", "control_character"),
        ({"note": "c1\x85c1"}, "note", "control_character"),
        ({"code": "x" * 11}, "code", "max_length"),
        ({"name": "x" * (LINE_MAX_LENGTH + 1)}, "name", "max_length"),
        ({"note": "x" * (TEXT_MAX_LENGTH + 1)}, "note", "max_length"),
    ],
)
def test_the_policy_refuses_naming_the_field_and_keeps_the_value(data, field, code):
    form = _Notes(data={"name": "王建国", "note": "", "code": "a"} | data)
    assert form.is_valid() is (code is None)
    if code:
        assert [e.code for e in form.errors.as_data()[field]] == [code]
        assert form[field].value() == data[field]  # the refused form comes back with the value


def test_the_limit_is_named_in_the_message():
    form = _Notes(data={"name": "王建国", "code": "x" * 11})
    assert not form.is_valid()
    assert "at most 10 characters (it has 11)" in form.errors["code"][0]


def test_a_serializer_field_takes_its_limit_and_line_rule_from_its_column():
    from jiati.consultation.api.serializers import PetitionInputSerializer
    from jiati.consultation.models import Petition

    fields = PetitionInputSerializer().fields
    assert fields["subject"].max_length == Petition._meta.get_field("subject").max_length == 200
    assert fields["petitioner_name"].max_length == 120
    serializer = PetitionInputSerializer(
        data={"subject": "s" * 201, "petitioner_name": "王\u202e建国", "content": "第一行\n第二行\x00"}
    )
    assert not serializer.is_valid()
    codes = serializer.errors
    assert codes["subject"][0].code == "max_length" and "200" in str(codes["subject"][0])
    assert codes["petitioner_name"][0].code == "invisible_character"
    assert codes["content"][0].code in {"control_character", "null_characters_not_allowed"}


def test_export_cells_drop_control_characters_but_keep_line_breaks():
    assert printable("a\x01b\tc\nd") == "ab\tc\nd"
    assert safe_cell("\x01=1+1") == "'=1+1"  # cleaned first, then neutralised as a formula
    assert safe_cell("ok") == "ok"


def test_a_text_column_of_the_model_makes_a_serializer_input_multi_line():
    field = column_for("content", model=None, module="jiati.consultation.api.serializers")
    assert isinstance(field, models.TextField)


def test_a_service_refuses_over_long_text_with_the_limit_instead_of_cutting_it():
    from jiati.consultation.models import Petition
    from jiati.core.text_policy import within_column

    with pytest.raises(ValidationError) as refused:
        within_column("x" * 201, model=Petition, field="subject")
    assert refused.value.error_dict["subject"][0].code == "max_length"
    assert within_column("x" * 200, model=Petition, field="subject") == "x" * 200
