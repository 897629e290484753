"""Every required field of every form in the project carries the required mark where the shared template
(`core/_form.html`) renders it: an input's label, a list of choices' legend and a single box's label (issue 13:
the resolution's owner and the payment date were required and unmarked). The mark comes from one filter,
`required_mark`, which pages that lay out their fields themselves use too."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory

import jiati
from jiati.core import forms as policy_forms
from jiati.core.tests.test_text_policy import _project_classes

MARK = '<span class="text-danger" aria-hidden="true">*</span><span class="visually-hidden">'


def _renderable(field: forms.Field) -> forms.Field:
    field = copy.deepcopy(field)
    if isinstance(field, forms.ChoiceField):  # the choices do not matter here, and a model list has no rows yet
        field.choices = [("1", "one")]
    return field


def _rendered(name: str, field: forms.Field) -> str:
    form_class = type("One", (policy_forms.Form,), {name: _renderable(field)})
    request = RequestFactory().get("/")
    request.session = {}
    return render_to_string("core/_form.html", {"form": form_class()}, request=request)


def test_every_required_field_of_every_form_renders_with_the_mark_and_no_other_does():
    fields = required = 0
    for cls in _project_classes(forms.BaseForm):
        for name, field in cls.base_fields.items():
            if field.widget.is_hidden:
                continue
            fields += 1
            html = _rendered(name, field)
            where = f"{cls.__qualname__}.{name}"
            if field.required:
                required += 1
                assert MARK in html, f"{where}: required and unmarked"
            else:
                assert MARK not in html, f"{where}: marked but not required"
    assert fields > 400 and required > 150, (fields, required)


def test_a_page_that_lays_out_its_fields_itself_marks_them_with_the_shared_filter():
    """A label or legend of a form field written in a page, not in core/_form.html, ends with `required_mark`."""
    root = Path(jiati.__file__).parent
    label = re.compile(r"<(label|legend)[^>]*>\{\{ (field|f)\.label \}\}(?!\{\{ \2\|required_mark \}\})")
    unmarked = []
    for path in sorted(root.rglob("*.html")):
        for match in label.finditer(path.read_text(encoding="utf-8")):
            unmarked.append(f"{path.relative_to(root)}: {match.group(0)}")
    allowed = {
        "core/templates/core/list.html",  # the list filters: nothing there is required
    }
    assert [u for u in unmarked if u.split(":")[0] not in allowed] == []
