"""Serializer bases every API serializer derives from: the stored-text policy (`core.text_policy`) on every
text input and the date rule (`core.date_policy`) on every date, like the form bases."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.utils.functional import lazy
from rest_framework import serializers

from jiati.core import date_policy, text_policy


def _limit_message(max_length: int):
    return lazy(serializers.CharField.default_error_messages["max_length"].format, str)(max_length=max_length)


def apply_text_policy(name: str, field, *, model, module: str) -> None:
    """Give one text input its limit and its character rule (a list of texts: each item)."""
    if isinstance(field, serializers.ListField) and field.child is not None:
        apply_text_policy(name, field.child, model=None, module=module)
        return
    if field.read_only:
        return
    if isinstance(field, (serializers.DateField, serializers.DateTimeField)):
        field.validators = text_policy.add_validator(field.validators, date_policy.validator_for(name))
        return
    if not isinstance(field, serializers.CharField):
        return
    multiline = True if field.style.get("base_template") == "textarea.html" else None
    max_length, _multiline, validator = text_policy.rules_for(
        name, max_length=field.max_length, multiline=multiline, model=model, module=module
    )
    if field.max_length is None or max_length < field.max_length:
        field.max_length = max_length
        field.validators = [
            *(v for v in field.validators if not isinstance(v, MaxLengthValidator)),
            MaxLengthValidator(max_length, message=_limit_message(max_length)),
        ]
    field.validators = text_policy.add_validator(field.validators, validator)


class TextPolicyMixin:
    def get_fields(self):
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            source = field.source if field.source and "." not in field.source and field.source != "*" else name
            apply_text_policy(source, field, model=model, module=type(self).__module__)
        return fields


class Serializer(TextPolicyMixin, serializers.Serializer):
    """Every plain serializer in the project."""


class ModelSerializer(TextPolicyMixin, serializers.ModelSerializer):
    """Every model serializer in the project."""
