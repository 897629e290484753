"""Shared form rendering (core/_form.html): lists of boxes laid out as Bootstrap checks, required fields marked."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template
from django.test import RequestFactory


class Sample(forms.Form):
    people = forms.MultipleChoiceField(
        label="Service team", choices=[("1", "Ann"), ("2", "Bo")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="Agree", required=False)
    name = forms.CharField(label="Name")


def render(form) -> str:
    return Template('{% include "core/_form.html" %}').render(
        Context({"form": form, "request": RequestFactory().get("/")})
    )


def test_a_list_of_checkboxes_is_a_fieldset_of_bootstrap_checks():
    html = render(Sample())
    assert '<fieldset><legend class="form-label fs-6 mb-1">Service team' in html
    assert 'class="choice-list"' in html
    options = re.findall(r'<div class="form-check"><input type="checkbox" name="people" class="form-check-input"', html)
    assert len(options) == 2
    # No box outside a .form-check (the old markup left them hanging off the left edge).
    assert '<div class="form-check"><div' not in html


def test_required_fields_carry_the_mark_for_eyes_and_screen_readers():
    html = render(Sample())
    assert html.count('<span class="text-danger" aria-hidden="true">*</span>') == 2  # people, name; not agree
    assert "(required)" in html


def test_an_invalid_list_marks_its_boxes():
    form = Sample(data={"name": ""})
    assert not form.is_valid()
    html = render(form)
    assert html.count("form-check-input is-invalid") == 2
    assert html.count("invalid-feedback d-block") == 2  # every error at once
