"""Template helpers for the project pages."""

from __future__ import annotations

import datetime as dt
import html

from django import template
from django.template.defaultfilters import date, filesizeformat
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

register = template.Library()


def _e(value) -> str:
    """`conditional_escape(value)`, the same text: the tags below write each value into one string and mark the
    whole safe once (`format_html` wraps, escapes and marks every argument: half of a row's cost; issue 18)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _minute(at) -> str:
    """`at|date:"Y-m-d H:i"`, written out: Django's date formatting cost as much as the rest of an entry."""
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"


# The formats the project page writes its dates in, written out (Django's `date` filter parses its format and sets
# up a formatter for every date: ~30 µs each, and the page shows some fifty; issue 18).
_SHORT_DATES = {
    "Y-m-d": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "m-d": lambda d: f"{d.month:02d}-{d.day:02d}",
}


# A route reversed once per process (and script prefix, and URL conf) with stand-in values, then filled in: the
# page's rows link to one route each with the project's and the row's keys (`reverse` per row: ~15 µs; issue 18).
_ROUTES: dict[tuple, str] = {}


def _stand_in(index: int, arg: int | str) -> int | str:
    """A value of the argument's kind that no route of Jiati spells otherwise."""
    return 987654321 + index if isinstance(arg, int) else f"standin{index}x"


def _url(name: str, *args: int | str) -> str:
    """`reverse(name, args=args)`, the same URL, for a route whose values are keys (or plain words)."""
    if not all(
        (isinstance(arg, int) and arg >= 0) or (isinstance(arg, str) and arg.isascii() and arg.isidentifier())
        for arg in args
    ):
        return reverse(name, args=args)  # anything reverse would quote or refuse: reversed as it is
    kinds = tuple(isinstance(arg, int) for arg in args)
    key = (name, kinds, get_script_prefix(), get_urlconf())
    route = _ROUTES.get(key)
    if route is None:
        stand_ins = [_stand_in(index, arg) for index, arg in enumerate(args)]
        route = reverse(name, args=stand_ins).replace("{", "{{").replace("}", "}}")
        for index, stand_in in enumerate(stand_ins):
            route = route.replace(str(stand_in), f"{{{index}}}")
        _ROUTES[key] = route
    return route.format(*args)


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
        moved = f": {_e(event.get_from_stage_display())} → {_e(event.get_to_stage_display())}"
    text = event.text
    return mark_safe(
        f'<li class="border-bottom py-1"><span class="text-muted">{_minute(template_localtime(event.at))}</span> · '
        f"<strong>{_e(event.actor or _('system'))}</strong> · {_e(event.get_kind_display())}{moved}"
        f"{f'<div>{_e(text)}</div>' if text else ''}</li>"
    )


@register.simple_tag
def document_row(document, project) -> str:
    """One row of the project page's documents table, as its markup was written in the template: the requirement
    (and, for a cluster's shared design, which member it came from), the version, the file, who uploaded it when,
    the start of its fingerprint. Written here for the same reason as `timeline_entry` (issue 18)."""
    shared = ""
    if document.project_id != project.pk:
        # As {% blocktranslate %}: the sentence as translated, the code escaped into it.
        sentence = _("shared by the cluster, from %(code)s") % {"code": _e(document.project.code)}
        shared = f' <span class="badge text-bg-info" data-shared="cluster">{sentence}</span>'
    url = _url("projects:document", project.pk, document.pk)
    sha256 = _e(document.sha256)
    return mark_safe(
        f"<tr><td>{_e(document.get_kind_display())}{shared}</td><td>v{_e(localize(document.version))}</td>"
        f'<td><a href="{_e(url)}">{_e(document.original_name)}</a> <span class="text-muted">'
        f"{_e(filesizeformat(document.size))}</span></td>"
        f"<td>{_e(short_date(template_localtime(document.uploaded_at), 'Y-m-d H:i'))} · {_e(document.uploaded_by)}</td>"
        f'<td><code title="{sha256}">{_e(document.sha256[:12])}…</code></td></tr>'
    )


# The project page's lists of fixed length (sixteen stages twice, seven checks, nine fold-out forms) are written
# here, each list in one call, as the template wrote it to the byte: in the template they were some 400 nodes a
# page (issue 18). test_page_fragments.py holds the page to the template it replaced.
_STAGE_LOOK = {  # (current, done) → the item's classes and attributes, its tick
    (True, False): ('bg-primary text-white" aria-current="step', ""),
    (True, True): ('bg-primary text-white" aria-current="step', '<i class="bi bi-check2"></i> '),
    (False, True): ("bg-success-subtle", '<i class="bi bi-check2"></i> '),
    (False, False): ("bg-white text-muted", ""),
}


@register.simple_tag
def stage_track_items(stages) -> str:
    """The items of the page's stage strip (`selectors.stage_track`): done, current, to come (with the white space
    the template's loop wrote around them)."""
    items = []
    for stage in stages:
        look, tick = _STAGE_LOOK[bool(stage["current"]), bool(stage["done"])]
        items.append(f'\n  <li class="px-2 py-1 rounded border text-nowrap {look}">{tick}{_e(stage["label"])}</li>\n  ')
    return mark_safe("\n  " + "".join(items))


def _page_date(value, fmt: str) -> str:
    """`{{ value|short_date:fmt }}` in a template: a time in the reader's time zone first (`expects_localtime`)."""
    return _e(short_date(template_localtime(value), fmt))


@register.simple_tag
def schedule_rows(rows) -> str:
    """The rows of the page's schedule table (`schedule.plan_vs_actual`): each stage's plan against what happened."""
    late_sign = f' <i class="bi bi-exclamation-triangle-fill text-danger" title="{_e(_("late"))}"></i>'
    out = []
    for row in rows:
        look = "table-primary" if row["current"] else "table-danger" if row["late"] else ""
        started, finished = row["started"], row["finished"]
        out.append(
            f'<tr class="{look}">\n        <td>{_e(row["label"])}</td><td class="text-nowrap">'
            f'{_page_date(row["planned_start"], "m-d")}</td><td class="text-nowrap">{_page_date(row["due"], "Y-m-d")}'
            f'</td>\n        <td class="text-nowrap">{_page_date(started, "m-d") if started else ""}'
            f"{' → ' + _page_date(finished, 'm-d') if finished else ''}{late_sign if row['late'] else ''}</td></tr>"
        )
    return mark_safe("".join(out))


_CHECKS = {
    True: '<li class="col"><i class="bi bi-check-circle-fill text-success"></i> ',
    False: '<li class="col"><i class="bi bi-circle text-danger"></i> ',
}


@register.simple_tag
def seven_ones_items(seven) -> str:
    """The seven ones checklist's items: (key, label, done) each, ticked or not."""
    return mark_safe("".join(f"{_CHECKS[bool(done)]}{_e(label)}</li>" for _key, label, done in seven))


@register.simple_tag(takes_context=True)
def lazy_part(context, part: str, form) -> str:
    """`{% include "projects/_lazy_part.html" with part=part form=form %}`: a fold-out form of the page. Folded
    (no form built), the link that loads it is written here; a form built (a refused submit) is rendered by the
    template as before."""
    if form:
        with context.push(part=part, form=form):
            return context.template.engine.get_template("projects/_lazy_part.html").render(context)
    url = _e(_url("projects:checklist-form", context["project"].pk, part))
    return mark_safe(
        f'<div class="mt-2" data-lazy-form="{_e(part)}" hx-get="{url}" hx-trigger="toggle once from:closest details"'
        f' hx-swap="outerHTML"><a href="{url}">{_e(_("Open the form"))}</a></div>\n'
    )
