"""Stored events are what happened (msgid + values), shown in the reader's language (issue 13)."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.utils import timezone, translation

from jiati.consent.models import RuleSet
from jiati.consent.tests.conftest import ensure_rule_sets
from jiati.core.stored_text import Choice, Message
from jiati.notifications.services import notify
from jiati.projects import schedule
from jiati.projects.common import project_event_add
from jiati.projects.models import DocumentKind, EventKind, ProjectDocument, ProjectEvent

TARGET = timezone.localdate() + dt.timedelta(days=800)


def read(event_or_note, attribute: str, language: str) -> str:
    with translation.override(language):
        return getattr(event_or_note, attribute)


def test_a_timeline_entry_written_in_chinese_reads_in_english(project, world):
    with translation.override("zh-hans"):  # the writer works in Chinese
        schedule.plan_make(project=project, actor=world.users["community"], target_date=TARGET)
    event = ProjectEvent.objects.filter(project=project, kind=EventKind.PLANNED).latest("id")
    assert read(event, "text", "en").startswith(f"Plan v1: in service by {TARGET:%Y-%m-%d}")
    assert read(event, "text", "zh-hans").startswith(f"第 1 版计划：{TARGET:%Y-%m-%d} 前投入使用")


def test_choices_inside_a_stored_sentence_follow_the_reader(project, world):
    document = ProjectDocument(kind=DocumentKind.CONSENT_FORMS)
    with translation.override("zh-hans"):
        event = project_event_add(
            project=project,
            actor=world.users["community"],
            kind=EventKind.DOCUMENT,
            message=Message(
                "%(document)s v%(version)s: %(name)s", document=Choice.of(document, "kind"), version=2, name="a.pdf"
            ),
        )
    assert read(event, "text", "en") == "Signed consent forms v2: a.pdf"
    assert "v2" in read(event, "text", "zh-hans") and "Signed" not in read(event, "text", "zh-hans")
    typed = project_event_add(project=project, actor=None, kind=EventKind.COMMENT, message="业主提出加装意向")
    assert read(typed, "text", "en") == "业主提出加装意向"  # what a person typed is shown as typed


def test_a_notification_title_is_shown_in_the_readers_language(world):
    with translation.override("zh-hans"):
        (note,) = notify(
            recipients=[world.users["community"]],
            kind="project",
            title=Message("Blocker to clear: %(what)s", what="X-1"),
        )
    assert read(note, "shown_title", "en") == "Blocker to clear: X-1"
    assert read(note, "shown_title", "zh-hans") != "Blocker to clear: X-1"


def test_built_in_rule_set_descriptions_follow_the_reader(db):
    ensure_rule_sets()
    rule_set = RuleSet.objects.get(code="civil-code-278")
    assert read(rule_set, "shown_description", "en").startswith("Owners holding two thirds")
    assert read(rule_set, "shown_description", "zh-hans").startswith("参与表决的专有面积")


def test_the_data_migration_converts_existing_rows(project, world, db):
    from jiati.consent.rules import FORMER_DESCRIPTIONS

    ensure_rule_sets()
    former = next(text for text, code in FORMER_DESCRIPTIONS.items() if code == "shenzhen-2018")
    RuleSet.objects.filter(code="shenzhen-2018").update(description=former)
    legacy = ProjectEvent.objects.create(project=project, kind=EventKind.DOCUMENT, message="业主表决同意书 v1: a.pdf")
    with translation.override("zh-hans"):
        label = str(DocumentKind.CONSENT_FORMS.label)
    # an event as an older release stored it (the append-only manager refuses rewrites; a data fix goes around it)
    ProjectEvent._base_manager.filter(pk=legacy.pk).update(message=f"{label} v1: a.pdf")

    importlib.import_module("jiati.consent.migrations.0004_rule_set_descriptions_as_source").to_source(apps, None)
    importlib.import_module("jiati.projects.migrations.0003_event_texts_as_kind_and_values").forwards(apps, None)

    assert read(RuleSet.objects.get(code="shenzhen-2018"), "shown_description", "en").startswith("By building")
    legacy.refresh_from_db()
    assert read(legacy, "text", "en") == "Signed consent forms v1: a.pdf"
