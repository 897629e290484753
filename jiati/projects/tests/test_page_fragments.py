"""Issue 18: the project page's fixed-length lists (the stage strip, the schedule table, the seven ones, the fold-out
forms) are written by tags of `projects_tags` instead of some 400 template nodes. The page they write is the page
the template wrote, to the byte, in either language, for each role, with a plan, late stages and a refused form."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from jiati.projects import schedule
from jiati.projects.models import EventKind, Milestone, Project, ProjectEvent, Stage

PAGE = Path(__file__).resolve().parent.parent / "templates" / "projects" / "detail.html"

# What each tag replaced, as the template wrote it.
FORMER = {
    "{% stage_track_items stages %}": (
        '\n  {% for s in stages %}\n  <li class="px-2 py-1 rounded border text-nowrap {% if s.current %}bg-primary '
        'text-white{% elif s.done %}bg-success-subtle{% else %}bg-white text-muted{% endif %}"{% if s.current %} '
        'aria-current="step"{% endif %}>{% if s.done %}<i class="bi bi-check2"></i> {% endif %}{{ s.label }}</li>\n'
        "  {% endfor %}"
    ),
    "{% schedule_rows timeline %}": (
        '{% for row in timeline %}<tr class="{% if row.current %}table-primary{% elif row.late %}table-danger'
        '{% endif %}">\n        <td>{{ row.label }}</td><td class="text-nowrap">{{ row.planned_start|short_date:"m-d"'
        '|default:"" }}</td><td class="text-nowrap">{{ row.due|short_date:"Y-m-d"|default:"" }}</td>\n        '
        '<td class="text-nowrap">{% if row.started %}{{ row.started|short_date:"m-d" }}{% endif %}{% if row.finished'
        ' %} → {{ row.finished|short_date:"m-d" }}{% endif %}{% if row.late %} <i class="bi '
        'bi-exclamation-triangle-fill text-danger" title="{% translate \'late\' %}"></i>{% endif %}</td></tr>'
        "{% endfor %}"
    ),
    "{% seven_ones_items seven %}": (
        '{% for key, label, done in seven %}<li class="col">{% if done %}<i class="bi bi-check-circle-fill '
        'text-success"></i>{% else %}<i class="bi bi-circle text-danger"></i>{% endif %} {{ label }}</li>'
        "{% endfor %}"
    ),
}
LAZY_PART = re.compile(r'\{% lazy_part "(\w+)" (forms\.\w+) %\}')
FORMER_LAZY_PART = r'{% include "projects/_lazy_part.html" with part="\1" form=\2 %}'
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def former_page() -> str:
    """The project page's template as it was before the tags."""
    text = PAGE.read_text()
    for now, former in FORMER.items():
        assert now in text, now  # a tag gone from the page: this test is to be updated with it
        text = text.replace(now, former)
    assert len(LAZY_PART.findall(text)) == 9
    return LAZY_PART.sub(FORMER_LAZY_PART, text)


@pytest.fixture
def under_way(world, project):
    """A project in design with a plan, two stages finished (one late, one moved late in the evening UTC, the next
    day in Shenzhen), a refused form (its fold-out comes back built) and a checklist partly ticked."""
    community = world.users["community"]
    schedule.plan_make(project=project, actor=community, target_date=timezone.localdate() + dt.timedelta(days=400))
    Milestone.objects.filter(plan__project=project, stage=Stage.INTENTION).update(due_date=dt.date(2026, 1, 2))
    moves = [
        (Stage.INTENTION, Stage.CONSULTATION, dt.datetime(2026, 1, 9, 20, 30, tzinfo=dt.UTC)),
        (Stage.CONSULTATION, Stage.VOTE, dt.datetime(2026, 2, 3, 1, 2, tzinfo=dt.UTC)),
    ]
    for before, after, at in moves:
        ProjectEvent.objects.create(
            project=project, kind=EventKind.STAGE, from_stage=before, to_stage=after, at=at, actor=community
        )
    Project.objects.filter(pk=project.pk).update(stage=Stage.VOTE, chat_group_name="三栋<加梯>群")
    return project


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ["community", "district", "subdistrict"])
@pytest.mark.parametrize("state", ["opened", "under_way", "refused"])
def test_the_page_reads_as_the_template_wrote_it(world, project, request, client, language, role, state):
    if state != "opened":
        request.getfixturevalue("under_way")
    client.force_login(world.users[role])
    if state == "refused":
        client.force_login(world.users["community"])
        refused = {"result": "", "reviewed_on": "2026/13/45", "_form_slot": "1"}
        client.post(reverse("projects:checklist", args=[project.pk, "review"]), refused)
    response = client.get(reverse("projects:detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    context = response.context[0].flatten()
    assert "stages" in context and "timeline" in context

    def render(template: str) -> str:
        page = response.wsgi_request
        page.__dict__.pop("_jiati_form_slots", None)  # each render numbers its forms from the first (refused_forms)
        with translation.override(language):
            return engines["django"].from_string(template).render(context, page)

    now, former = render(PAGE.read_text()), render(former_page())
    assert CSRF.sub(r"\1", now) == CSRF.sub(r"\1", former)
    assert CSRF.sub(r"\1", now) == CSRF.sub(r"\1", response.content.decode())  # the page served is that page
    if state == "refused":
        assert now.count("data-refused") == 1 and 'value="2026/13/45"' in now
    if state == "under_way":
        assert 'class="table-danger"' in now  # the late stage
        assert "01-10" in now  # 20:30 UTC is the next morning in Shenzhen


def test_the_schedule_rows_cover_every_case(world, project):
    """Rows the pages above may not reach: current and late at once, a finish without a recorded start."""
    rows = [
        {
            "stage": "x",
            "label": Stage.VOTE.label,
            "planned_start": dt.date(2026, 3, 4),
            "due": dt.date(2026, 12, 31),
            "started": started,
            "finished": finished,
            "current": current,
            "late": late,
        }
        for started in (None, dt.datetime(2026, 3, 4, 23, 59, tzinfo=dt.UTC))
        for finished in (None, dt.datetime(2026, 5, 6, 16, 0, tzinfo=dt.UTC))
        for current in (False, True)
        for late in (False, True)
    ] + [
        {
            "stage": "y",
            "label": "<b>&</b>",
            "planned_start": None,
            "due": None,
            "started": None,
            "finished": None,
            "current": False,
            "late": False,
        }
    ]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            now = (
                engines["django"].from_string("{% load projects_tags %}{% schedule_rows rows %}").render({"rows": rows})
            )
            former = (
                engines["django"]
                .from_string(
                    "{% load projects_tags %}" + FORMER["{% schedule_rows timeline %}"].replace("timeline", "rows", 1)
                )
                .render({"rows": rows})
            )
        assert now == former
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in now


def test_a_folded_part_is_the_includes_link(world, project):
    """Each fold-out form, not built: the link that loads it, as `_lazy_part.html` writes it."""
    for language in ("en", "zh-hans"):
        for part in ("lead_owner", "working_group", "service_team", "checklist", "blocker", "assign", "plan"):
            context = {"project": project, "part": part, "form": None}
            with translation.override(language):
                now = engines["django"].from_string("{% load projects_tags %}{% lazy_part part form %}").render(context)
                former = (
                    engines["django"]
                    .from_string('{% include "projects/_lazy_part.html" with part=part form=form %}')
                    .render(context)
                )
            assert now == former and f"/{project.pk}/" in now


@pytest.mark.parametrize("prefix", ["/", "/jiati/"])
def test_a_route_filled_in_is_the_url_reverse_writes(prefix):
    """The rows' links are reversed once with stand-ins and filled in (`projects_tags._url`): the URL `reverse`
    writes, under a script prefix too; a value `reverse` would quote or refuse goes to `reverse` itself."""
    from django.urls import NoReverseMatch, get_script_prefix, set_script_prefix

    from jiati.projects.templatetags.projects_tags import _url

    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for args in [(1, 2), (987654321, 7), (40213, 0)]:
            assert _url("projects:document", *args) == reverse("projects:document", args=args)
        for part in ["lead_owner", "plan", "项目", "a b", "x/y"]:
            try:
                expected = reverse("projects:checklist-form", args=[12, part])
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    _url("projects:checklist-form", 12, part)
                continue
            assert _url("projects:checklist-form", 12, part) == expected
        assert _url("projects:document", 3, 4).startswith(prefix)
        with pytest.raises(NoReverseMatch):
            _url("projects:document", "abc", 4)
    finally:
        set_script_prefix(before)
