"""Issue 18: a timeline entry is written by a filter (`projects_tags.timeline_entry`) instead of a dozen template
nodes; what the reader sees is the markup the template wrote, to the byte, in either language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone, translation

from jiati.projects import selectors, services
from jiati.projects.models import EventKind, ProjectEvent, Stage

# The entry as `_timeline_entries.html` wrote it before the filter.
FORMER = (
    '{% for e in events %}<li class="border-bottom py-1"><span class="text-muted">{{ e.at|date:"Y-m-d H:i" }}</span>'
    ' · <strong>{{ e.actor|default:_("system") }}</strong> · {{ e.get_kind_display }}{% if e.to_stage and '
    'e.kind == "stage" %}: {{ e.get_from_stage_display }} → {{ e.get_to_stage_display }}{% endif %}{% with '
    "text=e.text %}{% if text %}<div>{{ text }}</div>{% endif %}{% endwith %}</li>{% endfor %}"
)
NOW = "{% load projects_tags %}{% for e in events %}{{ e|timeline_entry }}{% endfor %}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_entry_reads_as_the_template_wrote_it(world, project, language):
    community = world.users["community"]
    services.comment_add(project=project, actor=community, text='<b>"楼上" & 楼下</b>')  # escaped, not markup
    at = dt.datetime(2026, 3, 4, 5, 6, tzinfo=timezone.get_current_timezone())  # one-digit parts: padded
    ProjectEvent.objects.create(  # a stage move by the system (no actor), with no sentence
        project=project, kind=EventKind.STAGE, from_stage=Stage.INTENTION, to_stage=Stage.CONSULTATION, at=at
    )
    ProjectEvent.objects.create(project=project, kind=EventKind.STAGE, to_stage=Stage.INTENTION, actor=community)
    events = selectors.timeline_events(project, user=community)
    assert len(events) == 4
    with translation.override(language):
        former = engines["django"].from_string(FORMER).render({"events": events})
        now = engines["django"].from_string(NOW).render({"events": events})
    assert now == former
    assert "&lt;b&gt;&quot;楼上&quot; &amp; 楼下&lt;/b&gt;" in now
    assert ("system" if language == "en" else "系统") in now and " → " in now and "2026-03-04 05:06" in now


@pytest.mark.parametrize("fmt", ["Y-m-d", "m-d", "Y-m-d H:i", "Y年n月j日"])
def test_the_pages_short_dates_read_as_djangos_date_filter_wrote_them(fmt):
    """Issue 18: the project page writes its dates with `short_date` (its few formats written out): the same text
    as `date`, a time in the reader's time zone (late evening UTC is the next day in Shenzhen), anything else as
    `date` writes it."""
    values = [
        dt.date(2026, 3, 4),
        dt.datetime(2026, 3, 4, 20, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 1, 2, tzinfo=timezone.get_current_timezone()),
        None,
        "",
    ]
    for value in values:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and "H" in fmt:
            continue  # Django's date refuses a time's format for a day
        context = {"value": value, "fmt": fmt}
        former = engines["django"].from_string("{{ value|date:fmt }}").render(context)
        now = engines["django"].from_string("{% load projects_tags %}{{ value|short_date:fmt }}").render(context)
        assert now == former, (value, fmt)
    shenzhen = engines["django"].from_string('{% load projects_tags %}{{ value|short_date:"m-d" }}')
    assert shenzhen.render({"value": dt.datetime(2026, 3, 4, 20, 30, tzinfo=dt.UTC)}) == "03-05"
