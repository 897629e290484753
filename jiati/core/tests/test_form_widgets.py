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


# --- choice widgets written in Python (issue 18) -------------------------------------------------------------------
class Choices(forms.Form):
    GROUPED = [("Team <A>", [("1", "Ann & Bo"), ("2", '"Cy"')]), ("3", "Dee O'Neil")]
    pick = forms.ChoiceField(label="Pick", choices=[("", "---------"), ("a", "Ann"), ("b", "Bo <b>")])
    grouped = forms.ChoiceField(label="Grouped", choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(label="Many", choices=[("1", "Ann"), ("2", "Bo")], required=False)
    boxes = forms.MultipleChoiceField(
        label="Boxes", choices=GROUPED, widget=forms.CheckboxSelectMultiple(attrs={"class": "x", "data-n": 3})
    )
    radio = forms.ChoiceField(label="Radio", choices=[(1, "One"), (2, "Two")], widget=forms.RadioSelect)
    disabled = forms.ChoiceField(label="Off", choices=[("a", "A")], disabled=True, required=False)


def _both(form, name: str, attrs: dict) -> tuple[str, str]:
    from jiati.web.templatetags.jiati import _as_widget

    field = form[name]
    return str(_as_widget(field, dict(attrs))), str(field.as_widget(attrs=dict(attrs)))


def test_choice_widgets_written_in_python_are_the_templates_markup():
    from jiati.core.widgets import fast_template

    forms_to_try = [
        Choices(),
        Choices(initial={"pick": "b", "grouped": "2", "many": ["1", "2"], "boxes": ["3"], "radio": 2}),
        Choices(data={"pick": "zz", "boxes": []}),  # refused: invalid boxes, values kept
    ]
    for form in forms_to_try:
        form.is_bound and form.is_valid()
        for name in form.fields:
            widget = form.fields[name].widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.template_name = "core/widgets/choice_list.html"
                widget.option_template_name = "core/widgets/choice_option.html"
            assert fast_template(widget), name
            for attrs in ({}, {"class": "form-select form-select-sm is-invalid"}, {"invalid": True}):
                fast, engine = _both(form, name, attrs)
                assert fast == engine, (name, attrs)


def test_a_long_select_renders_no_template_per_option(monkeypatch):
    from django.forms.renderers import DjangoTemplates

    class People(forms.Form):
        one = forms.ChoiceField(choices=[(str(n), f"Person {n}") for n in range(300)])
        team = forms.MultipleChoiceField(
            choices=[(str(n), f"Person {n}") for n in range(300)], widget=forms.CheckboxSelectMultiple
        )

    renders = []
    original = DjangoTemplates.render
    monkeypatch.setattr(
        DjangoTemplates, "render", lambda self, *a, **k: renders.append(a[0]) or original(self, *a, **k)
    )
    html = render(People())
    assert html.count("<option") == 300 and html.count('type="checkbox"') == 300
    assert renders == []
