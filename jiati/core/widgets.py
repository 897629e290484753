"""Form widgets every app shares, so a date or time is written the one way the browser's picker reads.

`<input type="date">` accepts only ISO dates (2026-12-04) and `datetime-local` only 2026-12-04T18:00. Django's
plain DateInput writes the active language's format (2026/12/04 in Chinese), which the browser silently drops:
the pre-filled default vanishes and a required field stops the user with the browser's own message.
"""

from __future__ import annotations

import datetime as dt
import html

from django import forms
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape


class DateInput(forms.DateInput):
    """A date picker, always written as ISO."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A date-and-time picker, always ISO and in the district's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return super().format_value(value)


class MonthInput(forms.DateInput):
    """A month picker (`<input type="month">`), always written as ISO year-month (2026-12)."""

    input_type = "month"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format="%Y-%m")


# --- choice lists rendered in Python ------------------------------------------------------------------------------
# Django renders every <option> and every box of a list through the template engine: on the staff project page a
# district officer's two staff pickers (377 people each on the demo) cost about half of the page's CPU (issue 18).
# These write exactly what the templates write (jiati/core/tests/test_form_widgets.py compares them) for the
# widgets with the standard templates; any other template falls back to the engine.
SELECT_TEMPLATES = ("django/forms/widgets/select.html", "django/forms/widgets/select_option.html")
CHOICE_LIST_TEMPLATES = ("core/widgets/choice_list.html", "core/widgets/choice_option.html")


def _text(value) -> str:
    """What `{{ value }}` writes: localised, escaped unless already safe."""
    if type(value) is str:  # most labels and names: django.utils.html.escape without its wrapping
        return html.escape(value)
    return conditional_escape(localize(value))


def _formatted(value) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict, skip: tuple[str, ...] = ()) -> str:
    """django/forms/widgets/attrs.html (and the loop of choice_option.html, which skips two names)."""
    parts = []
    for name, value in attrs.items():
        if name in skip or value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def fast_template(widget) -> bool:
    """Whether `render_choices` writes this widget (its templates are the standard ones it copies)."""
    names = (getattr(widget, "template_name", None), getattr(widget, "option_template_name", None))
    return isinstance(widget, forms.Select | forms.RadioSelect) and names in (SELECT_TEMPLATES, CHOICE_LIST_TEMPLATES)


def render_choices(widget, context: dict) -> str:
    """Render a choice widget's `get_context(...)["widget"]` as its templates would."""
    from django.utils.safestring import mark_safe

    if widget.template_name == SELECT_TEMPLATES[0]:
        out = [f'<select name="{_text(context["name"])}"{_attrs(context["attrs"])}>']
        for group, options, _index in context["optgroups"]:
            if group:
                out.append(f'\n  <optgroup label="{_text(group)}">')
            for option in options:
                out.append(
                    f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{_text(option['label'])}</option>\n"
                )
            if group:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # every value above is escaped
    attrs = context["attrs"]
    element_id = attrs.get("id")
    css = attrs.get("class")
    out = ["<div"]
    if element_id:
        out.append(' id="' + _text(element_id) + '"')
    out.append(' class="choice-list' + (" " + _text(css) if css else "") + '" role="group">')
    for group, options, _index in context["optgroups"]:
        if group:
            out.append('<div class="choice-list-group"><div class="small text-muted">' + _text(group) + "</div>")
        for option in options:
            option_attrs = option["attrs"]
            value = option["value"]
            option_id = option_attrs.get("id")
            out.append('<div class="form-check"><input type="' + _text(option["type"]) + '" name="')
            out.append(_text(option["name"]) + '" class="form-check-input')
            out.append(' is-invalid"' if option_attrs.get("invalid") else '"')
            if value is not None:
                out.append(' value="' + _formatted(value) + '"')
            out.append(_attrs(option_attrs, skip=("class", "invalid")) + '><label class="form-check-label"')
            if option_id:
                out.append(' for="' + _text(option_id) + '"')
            out.append(">" + _text(option["label"]) + "</label>\n</div>")
        if group:
            out.append("</div>")
    out.append("</div>")
    return mark_safe("".join(out))  # every value above is escaped
