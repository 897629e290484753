"""Template helpers shared by every app."""

from __future__ import annotations

from django import forms, template
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from jiati.core.text import list_text
from jiati.web.personal import personal_value

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, value, kind: str, subject=None):
    """Show personal data in full only to a role that needs it: {% personal owner.phone "phone" %}; a full ID
    number or bank account names whose it is, to be recorded: {% personal owner.id_number "id_number" owner %}."""
    request = context.get("request")
    return personal_value(getattr(request, "user", None), value, kind, subject=subject)


@register.simple_tag
def query(querystring: str, **extra) -> str:
    """Append cursor params to a list's current filter query string."""
    extra_part = urlencode({k: v for k, v in extra.items() if v not in (None, "")})
    return "&".join(p for p in (querystring, extra_part) if p)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def cell(context, column, row):
    """One table cell: the column's value, masked if personal, linked if the column links.

    The value goes through `formatting.display`, like every value a person reads: an aware datetime is shown in
    the district's time zone (Django's `localize` alone would print it in UTC, 8 hours early).
    """

    from jiati.core.formatting import display

    value = column.get(row)
    if column.personal:
        value = personal(context, value, column.personal, column.subject_of(row))
    text = display(value)
    if column.link:
        url = column.link(row)
        if url:
            return format_html('<a href="{}">{}</a>', url, text)
    return text


@register.filter
def styled(field, size: str = "sm"):
    """Render a form field with Bootstrap's classes, marking it invalid when it has errors."""

    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        # One layout for every list of boxes: each option a .form-check, the list a bordered box (issue 13:
        # Django's own markup left the boxes hanging off the left edge and the labels over the next field).
        widget.template_name = "core/widgets/choice_list.html"
        widget.option_template_name = "core/widgets/choice_option.html"
        return _as_widget(field, {"invalid": True} if field.errors else {})
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = f"form-select form-select-{size}" if size else "form-select"
    else:
        css = f"form-control form-control-{size}" if size else "form-control"
    if field.errors:
        css += " is-invalid"
    return _as_widget(field, {"class": css})


def _as_widget(field, attrs: dict):
    """`field.as_widget(attrs=attrs)`; a select or a list of boxes written in Python (core.widgets.render_choices:
    the same markup, without a template render per option)."""
    from jiati.core.widgets import fast_template, render_choices

    widget = field.field.widget
    if not fast_template(widget):
        return field.as_widget(attrs=attrs)
    # What BoundField.as_widget does before it renders.
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(name=field.html_name, value=field.value(), attrs=attrs)
    return render_choices(widget, context["widget"])


@register.filter
def join_list(items) -> str:
    """{{ names|join_list }}: joined with the active language's list separator (、 in Chinese)."""
    return list_text(items)


@register.simple_tag(takes_context=True)
def refused_form(context, form):
    """{% refused_form form as form %}: the form, re-bound with what was typed if it was just refused
    (core.refused_forms); sets `form.form_slot`, sent back so the page knows which of its forms was used."""
    from jiati.core.refused_forms import next_slot, restore_refused

    request = context.get("request")
    if request is None or form is None or not hasattr(form, "fields"):
        return form
    form.form_slot = next_slot(request, form)
    restore_refused(request, form, form.form_slot)
    return form


@register.filter
def required_mark(field) -> str:
    """The mark after a required field's label: a red star, and "(required)" for screen readers. Every label of
    a form field is followed by it (`core/_form.html`, and pages that lay out their fields themselves), so the
    browser's own message is never the first a user learns of it."""
    if not field.field.required:
        return ""
    return format_html(
        ' <span class="text-danger" aria-hidden="true">*</span><span class="visually-hidden">{}</span>',
        gettext("(required)"),
    )


@register.filter
def widget_kind(field) -> str:
    """ "checkbox" (one box), "choices" (a list of boxes or radios, shown as a fieldset) or "input"."""
    from django import forms

    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


# The top bar's entries, on every page, written here each list in one call as base.html's loops wrote them, to the
# byte (their white space too): the loops were some 150 template nodes, ~0.7 ms of every page (issue 18).
# test_top_bar.py holds them to the loops they replaced.


def _top_bar_link(item) -> tuple[str, str, str]:
    """An entry's " active" class, its aria-current and the rest of its link: href, icon, label."""
    active = item["active"]
    return (
        " active" if active else "",
        ' aria-current="page"' if active else "",
        f'href="{conditional_escape(item["url"])}"',
    )


@register.simple_tag
def top_bar_items(items, more, inline) -> str:
    """The top bar's entries (`web.context_processors.navigation`): past `inline` of them, when some sit under
    "More" on a desktop, an entry is in the phone menu only."""
    out = []
    for index, item in enumerate(items):
        active, current, href = _top_bar_link(item)
        out.append(
            f'\n        <li class="nav-item{" d-xl-none" if more and index >= inline else ""}"><a class="nav-link '
            f'text-nowrap{active}" {href}{current}><i class="bi bi-{conditional_escape(item["icon"])}" '
            f'aria-hidden="true"></i> {conditional_escape(item["label"])}</a></li>\n        '
        )
    return mark_safe("".join(out))


@register.simple_tag
def top_bar_more_items(items) -> str:
    """The entries under the top bar's "More" on a desktop."""
    out = []
    for item in items:
        active, current, href = _top_bar_link(item)
        out.append(
            f'\n            <li><a class="dropdown-item{active}" {href}{current}><i class="bi '
            f'bi-{conditional_escape(item["icon"])}" aria-hidden="true"></i> {conditional_escape(item["label"])}'
            "</a></li>\n            "
        )
    return mark_safe("".join(out))
