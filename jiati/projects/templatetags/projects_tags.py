"""Template helpers for the project pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.defaultfilters import date, filesizeformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

register = template.Library()

_STAGE_MOVE = ": {} → {}"


def _minute(at) -> str:
    """`at|date:"Y-m-d H:i"`, written out: Django's date formatting cost as much as the rest of an entry."""
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"


# The formats the project page writes its dates in, written out (Django's `date` filter parses its format and sets
# up a formatter for every date: ~30 µs each, and the page shows some fifty; issue 18).
_SHORT_DATES = {
    "Y-m-d": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "m-d": lambda d: f"{d.month:02d}-{d.day:02d}",
}


@register.filter(expects_localtime=True)
def short_date(value, arg="Y-m-d"):
    """`value|date:arg`, the same text, for the page's formats ("Y-m-d", "m-d", "Y-m-d H:i" of a time); any other
    format or value goes to Django's `date`. As `date`, a time is shown in the reader's time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and arg == "Y-m-d H:i":
        return _minute(value)
    write = _SHORT_DATES.get(arg)
    if write is None or not isinstance(value, dt.date):
        return date(value, arg)
    return write(value)


@register.filter
def timeline_entry(event) -> str:
    """One entry of a project's timeline (`_timeline_entries.html`), as its markup was written in the template:
    when, who, what, the stages it moved between and its sentence. Written here, the entry costs a fifth of the
    template nodes it replaces (issue 18: the timeline was the page's largest list)."""
    moved = ""
    if event.to_stage and event.kind == "stage":
        moved = format_html(_STAGE_MOVE, event.get_from_stage_display(), event.get_to_stage_display())
    text = event.text
    return format_html(
        '<li class="border-bottom py-1"><span class="text-muted">{}</span> · <strong>{}</strong> · {}{}{}</li>',
        _minute(template_localtime(event.at)),
        event.actor or _("system"),
        event.get_kind_display(),
        moved,
        format_html("<div>{}</div>", text) if text else "",
    )


@register.simple_tag
def document_row(document, project) -> str:
    """One row of the project page's documents table, as its markup was written in the template: the requirement
    (and, for a cluster's shared design, which member it came from), the version, the file, who uploaded it when,
    the start of its fingerprint. Written here for the same reason as `timeline_entry` (issue 18)."""
    shared = ""
    if document.project_id != project.pk:
        # As {% blocktranslate %}: the sentence as translated, the code escaped into it.
        sentence = _("shared by the cluster, from %(code)s") % {"code": conditional_escape(document.project.code)}
        shared = format_html(' <span class="badge text-bg-info" data-shared="cluster">{}</span>', mark_safe(sentence))
    return format_html(
        '<tr><td>{}{}</td><td>v{}</td><td><a href="{}">{}</a> <span class="text-muted">{}</span></td>'
        '<td>{} · {}</td><td><code title="{}">{}…</code></td></tr>',
        document.get_kind_display(),
        shared,
        localize(document.version),
        reverse("projects:document", args=[project.pk, document.pk]),
        document.original_name,
        filesizeformat(document.size),
        short_date(template_localtime(document.uploaded_at), "Y-m-d H:i"),
        document.uploaded_by,
        document.sha256,
        document.sha256[:12],
    )
