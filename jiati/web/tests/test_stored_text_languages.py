"""The main staff pages of a demo-like scene read wholly in the reader's language (issue 13): an English reader
meets no Chinese and a Chinese reader no English, outside what people typed (names, addresses, titles, notes).

The demo is seeded as production writes it (in Chinese), then a few more things are done in English, through the
services: the seven-ones checklist and a subsidy file's policy re-evaluated (the demo's votes have no typed
title). Every free-text column is taken for what people typed and cut out of the page, except the columns that
hold what the system wrote (timeline entries, notifications, a vote's default title, the built-in rule sets):
what is left must be in the reader's language.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jiati.demo import companies as companies_demo
from jiati.demo import consent as consent_demo
from jiati.demo import consultation as consultation_demo
from jiati.demo import projects as projects_demo
from jiati.demo import subsidies as subsidies_demo
from jiati.demo.bulk import BulkSink
from jiati.demo.housing import generate
from jiati.demo.people import build_people

# Columns whose text the system wrote (or used to write) for later readers: never taken for user input.
SYSTEM_TEXT = {
    ("projects", "ProjectEvent", "message"),
    ("notifications", "Notification", "title"),
    ("notifications", "Notification", "body"),
    ("consent", "Vote", "typed_title"),
    ("consent", "Vote", "title"),  # before the default title was left blank
    ("consent", "RuleSet", "name"),
    ("consent", "RuleSet", "jurisdiction"),
    ("consent", "RuleSet", "legal_basis"),
    ("consent", "RuleSet", "description"),
}
# Terms an English page quotes on purpose beside their English name ("includes its boundary (以上, Civil Code
# Art. 1259)", the heading "Consultation meetings 一梯一会").
QUOTED = {"以上", "一梯一会"}
SYSTEM_KINDS = ["checklist", "document", "planned", "cluster", "other", "stage"]
HAN = re.compile(r"[\u3400-\u9fff]+")
# Three English words in a row (codes, units and single words such as "PDF" or "QR" are not sentences).
ENGLISH = re.compile(r"[A-Za-z]{2,}[’']?[a-z]*(?:[ ,;:]+[A-Za-z]{2,}[’']?[a-z]*){2,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skip += 1
        if tag == "option":  # a select's choices: the language switcher names each language in its own name
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "option"):
            self.skip = max(self.skip - 1, 0)

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def typed_texts() -> list[str]:
    """Every value of every free-text column people fill in (longest first, so a name is cut before its part)."""
    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jiati."):
            continue
        meta = model._meta
        names = [
            f.name
            for f in meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and not f.choices
            and (meta.app_label, meta.object_name, f.name) not in SYSTEM_TEXT
        ]
        for name in names:
            found.update(v for v in model._base_manager.values_list(name, flat=True).distinct() if v and v.strip())
    # a timeline's notes, comments and reasons are typed; the kinds the system writes are not
    from jiati.projects.models import ProjectEvent

    notes = ProjectEvent.objects.exclude(kind__in=SYSTEM_KINDS).exclude(data__has_key="text")
    found.update(v for v in notes.values_list("message", flat=True).distinct() if v and v.strip())
    return sorted(found, key=len, reverse=True)


def stray(text: str, typed: list[str], pattern: re.Pattern) -> list[str]:
    """What is left of the pattern once typed text is cut out, each with a little of its line around it."""
    for value in typed:  # only what could be taken for the pattern: Chinese among Han, English among Latin
        if pattern.search(value) and value in text:
            text = text.replace(value, "▢")
    found = set()
    for match in pattern.finditer(text):
        if match.group(0) in QUOTED:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        found.add(text[max(line_start, match.start() - 30) : min(line_end % (len(text) + 1), match.end() + 30)])
    return sorted(found)


@pytest.fixture
def scene(transactional_db):
    """The demo as production stores it (written in Chinese), then the seven ones changed in both languages and a
    subsidy file's policy re-evaluated in English."""
    from jiati.consent.models import Vote
    from jiati.projects.models import Project, Stage
    from jiati.projects.services import project_set_checklist
    from jiati.subsidies.models import SubsidyApplication
    from jiati.subsidies.selectors import REEVALUABLE_Q
    from jiati.subsidies.services import applications_reevaluate

    with translation.override("zh-hans"):
        generated = generate(dwellings=40_000, sink=BulkSink(batch_rows=50_000))
        context = {"generated": generated, "people": build_people(generated=generated)}
        for module in (projects_demo, consent_demo, consultation_demo, subsidies_demo, companies_demo):
            module.seed(context)
    people = context["people"]
    district = people["district"]
    demo_vote = Vote.objects.filter(status="open").select_related("project").order_by("pk").first()
    project = Project.objects.filter(stage=Stage.DESIGN).order_by("pk").first() or demo_vote.project
    for language in ("zh-hans", "en"):  # the seven ones, changed by a Chinese and an English reader
        with translation.override(language):
            cost = (project.estimated_cost or Decimal("500000")) + 1000
            project_set_checklist(project=project, actor=district, estimated_cost=cost, chat_group_name=language)
    with translation.override("en"):
        # the daily run, for an English-speaking office, re-evaluates a file
        vote = demo_vote  # opened by the demo (in Chinese) without a typed title
        subsidy = SubsidyApplication.objects.filter(REEVALUABLE_Q).order_by("pk").first()
        SubsidyApplication.objects.filter(pk=subsidy.pk).update(policy=None)
        assert applications_reevaluate() >= 1
    return {
        "people": people,
        "project": project,
        "vote": vote,
        "demo_vote": demo_vote,
        "subsidy": subsidy,
    }


def pages(scene) -> dict[str, str]:
    subsidy = scene["subsidy"]
    return {
        "project": reverse("projects:detail", args=[scene["project"].pk]),
        "vote's project": reverse("projects:detail", args=[scene["vote"].project_id]),
        "subsidy's project": reverse("projects:detail", args=[subsidy.project_id]),
        "vote": reverse("consent:vote-detail", args=[scene["vote"].pk]),
        "demo vote": reverse("consent:vote-detail", args=[scene["demo_vote"].pk]),
        "votes": reverse("consent:vote-list"),
        "subsidy file": reverse("subsidies:application-detail", args=[subsidy.pk]),
        "notifications": reverse("notifications:inbox"),
        "rule sets": reverse("consent:rules"),
    }


def read(scene, language: str, user, only: tuple[str, ...] = ()) -> dict[str, str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    shown = {}
    for name, url in pages(scene).items():
        if only and name not in only:
            continue
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        shown[name] = visible_text(response.content.decode())
    return shown


def test_the_staff_pages_read_wholly_in_the_readers_language(scene):
    typed = typed_texts()
    people = scene["people"]
    # the district office reads every page; the others read their notifications
    readers = [(people["district"], ())]
    readers += [
        (user, ("notifications",)) for user in (scene["subsidy"].project.responsible, people["finance"]) if user
    ]
    found = {}
    for user, only in readers:
        for name, text in read(scene, "en", user, only).items():
            if leftover := stray(text, typed, HAN):
                found[f"en {user.username} {name}"] = leftover
        for name, text in read(scene, "zh-hans", user, only).items():
            if leftover := stray(text, typed, ENGLISH):
                found[f"zh {user.username} {name}"] = leftover
    assert found == {}
