"""Serializer fields are built once per class (DRF rebuilds them from the model on every instantiation), and each
instance still gets fields of its own: bound to it, in the language of the request, with the text policy."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from jiati.core.serializers import ModelSerializer, Serializer
from jiati.core.text_policy import PrintableTextValidator
from jiati.projects.models import Project


class _ProjectSerializer(ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "stage", "chat_group_name", "community"]


class _Input(Serializer):
    names = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()


def test_a_model_serializer_builds_its_fields_once(monkeypatch):
    _ProjectSerializer().fields  # noqa: B018 - the first instance builds them
    calls = []
    original = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", lambda self: calls.append(1) or original(self))
    first, second = _ProjectSerializer(), _ProjectSerializer()
    assert list(first.fields) == list(second.fields) == ["id", "code", "stage", "chat_group_name", "community"]
    assert calls == []


def test_each_instance_has_its_own_bound_fields():
    first, second = _ProjectSerializer(), _ProjectSerializer(context={"request": None})
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
        assert first.fields[name].field_name == name
    first.fields["code"].label = "changed on one instance"
    assert _ProjectSerializer().fields["code"].label != "changed on one instance"


def test_labels_and_refusals_follow_the_language_of_each_request():
    with translation.override("en"):
        _ProjectSerializer().fields  # noqa: B018 - built during an English request
        _Input().fields  # noqa: B018
    with translation.override("zh-hans"):
        assert str(_ProjectSerializer().fields["stage"].label) == "阶段"
        chinese = _Input(data={"names": ["a"]})
        assert not chinese.is_valid()
        assert str(chinese.errors["note"][0]) == "该字段是必填项。"
    with translation.override("en"):
        assert str(_ProjectSerializer().fields["stage"].label) == "Stage"
        english = _Input(data={"names": ["a"]})
        assert not english.is_valid()
        assert english.errors["note"] == [ErrorDetail("This field is required.", code="required")]


@pytest.mark.parametrize("round_", [1, 2])
def test_every_instance_keeps_the_text_policy_on_inputs_and_list_items(round_):
    fields = _Input().fields
    assert any(isinstance(v, PrintableTextValidator) for v in fields["note"].validators)
    assert any(isinstance(v, PrintableTextValidator) for v in fields["names"].child.validators)
    bad = _Input(data={"names": ["ok", "bad\x00name"], "note": "fine"})
    assert not bad.is_valid()
    assert "names" in bad.errors
    model_fields = _ProjectSerializer().fields
    assert model_fields["chat_group_name"].max_length is not None
    assert any(isinstance(v, PrintableTextValidator) for v in model_fields["chat_group_name"].validators)
