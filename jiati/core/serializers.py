"""Serializer bases every API serializer derives from: the stored-text policy (`core.text_policy`) on every
text input and the date rule (`core.date_policy`) on every date, like the form bases."""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator
from django.utils.functional import lazy
from django.utils.text import capfirst
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


# Fields holding other fields (a nested serializer, a list's child, a many-relation's child) bind those to
# themselves when built, so a copy of one is rebuilt whole (DRF's deepcopy) and given the policy again.
_HOLDERS = (serializers.BaseSerializer, serializers.ManyRelatedField, serializers.ListField, serializers.DictField)


def _keep_label_lazy(field, name: str, model) -> None:
    """DRF leaves a model field's label out when it reads like the field's name in the language active while it
    builds, and `bind` then labels it with the English name. Built once for every language, the label is the
    model field's own (translated when read)."""
    source = field.source if field.source and "." not in field.source and field.source != "*" else name
    try:
        verbose_name = getattr(model._meta.get_field(source), "verbose_name", None)  # a reverse relation has none
    except FieldDoesNotExist:
        return
    if verbose_name:
        field.label = capfirst(verbose_name)
        field._kwargs["label"] = field.label  # a holder's copy is rebuilt from its arguments


class TextPolicyMixin:
    """The text policy on every input, and the fields built once per class.

    DRF builds a model serializer's fields from the model on every instantiation (every request, every nested
    object): 26 fields took a fifth of a project detail call. What it builds depends only on the class (its
    Meta, its declared fields, the model), so each class builds them once and every instance gets its own
    shallow copies, which `fields` then binds to it.
    """

    def get_fields(self):
        cls = type(self)
        templates = cls.__dict__.get("_jiati_field_templates")
        if templates is None:
            templates = self._build_fields()
            cls._jiati_field_templates = templates
        fields = {}
        for name, template in templates.items():
            if isinstance(template, _HOLDERS):
                fields[name] = copy.deepcopy(template)
                self._apply_policy(name, fields[name])
            else:  # a shallow copy, cheaper than copy.copy's generic path
                fields[name] = clone = object.__new__(type(template))
                clone.__dict__.update(template.__dict__)
        return fields

    def _build_fields(self):
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            self._apply_policy(name, field)
            if field.label is None and model is not None:
                _keep_label_lazy(field, name, model)
        return fields

    def _apply_policy(self, name, field):
        model = getattr(getattr(self, "Meta", None), "model", None)
        source = field.source if field.source and "." not in field.source and field.source != "*" else name
        apply_text_policy(source, field, model=model, module=type(self).__module__)


class Serializer(TextPolicyMixin, serializers.Serializer):
    """Every plain serializer in the project."""


class ModelSerializer(TextPolicyMixin, serializers.ModelSerializer):
    """Every model serializer in the project."""

    def _build_fields(self):
        """A related field shown by name (`StringRelatedField`) over a foreign key that may be empty answers null:
        it says so, like the fields DRF builds from the model (issue 19: the schema promised a string). Done once
        per class, with the rest of the build."""
        fields = super()._build_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            if not (field.read_only and isinstance(field, serializers.RelatedField)) or field.allow_null:
                continue
            source = field.source or name
            try:
                model_field = model._meta.get_field(source) if model and "." not in source else None
            except FieldDoesNotExist:  # a property or method: nothing to learn from the model
                model_field = None
            if model_field is not None and getattr(model_field, "null", False):
                field.allow_null = True
        return fields

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """A read-only field of a model field that may be blank still says so: DRF drops `allow_blank` with the
        input-only arguments, and the schema then promised a choice always in its enum and a URL always a URL,
        where the answer can be "" (issue 19)."""
        allow_blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs
