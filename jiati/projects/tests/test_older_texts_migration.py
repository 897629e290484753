"""Timeline entries and notification titles stored as finished Chinese sentences by an older release are read
back into msgid + values by the data migrations, so an English reader reads English (issue 13)."""

from __future__ import annotations

import datetime as dt
import importlib

from django.utils import translation

from jiati.core.stored_text import Pattern, SentenceReader
from jiati.notifications.models import Notification
from jiati.projects.models import EventKind, ProjectEvent

events_migration = importlib.import_module("jiati.projects.migrations.0004_older_event_texts_as_kind_and_values")
titles_migration = importlib.import_module("jiati.notifications.migrations.0004_older_titles_as_kind_and_values")


def zh(msgid: str, **values) -> str:
    """The sentence as an older release stored it: translated when written, values already rendered."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid) % values


def label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def read(event, language: str) -> str:
    with translation.override(language):
        return event.text


def stored(project, kind, message) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, kind=kind, message=message)


def test_the_reader_takes_a_sentence_apart_in_either_language():
    reader = SentenceReader(
        [Pattern("Contract review: %(result)s", choices={"result": "projects.ContractReview.result"})]
    )
    from jiati.projects.models import ReviewResult

    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = translation.gettext("Contract review: %(result)s") % {"result": str(ReviewResult.CHANGES.label)}
        assert reader.parse(text) == {
            "msgid": "Contract review: %(result)s",
            "values": {"result": {"choice": "projects.ContractReview.result", "value": ReviewResult.CHANGES.value}},
        }
    assert reader.parse(zh("Contract review: %(result)s", result="不存在的结果")) is None  # an unknown label
    assert reader.parse("业主代表自己写的话") is None


def test_old_chinese_timeline_entries_read_in_english(project, world):
    from jiati.consent.models import CostMethod, DayKind
    from jiati.consultation.models import ConsultationRecord
    from jiati.projects.models import ReviewResult

    channel = ConsultationRecord._meta.get_field("channel").choices[0]
    topic = ConsultationRecord._meta.get_field("topic").choices[0]
    with translation.override("zh-hans"):
        channel_label, topic_label = str(channel[1]), str(topic[1])
    rows = {
        "review": stored(
            project, EventKind.CHECKLIST, zh("Contract review: %(result)s", result=label(ReviewResult.CHANGES))
        ),
        "group": stored(project, EventKind.CHECKLIST, zh("Working group: %(names)s", names="王芳、李雷")),
        "cost": stored(
            project,
            EventKind.OTHER,
            zh(
                "Cost sharing v%(version)s: %(method)s; owners pay %(pay)s yuan (cost %(cost)s, subsidy %(subsidy)s)",
                version=2,
                method=label(CostMethod.AREA),
                pay="386000.00",
                cost="580000.00",
                subsidy="194000.00",
            ),
        ),
        "notice": stored(
            project,
            EventKind.OTHER,
            zh(
                "Public notice posted: %(start)s – %(end)s (%(days)s %(kind)s)",
                start=dt.date(2026, 12, 4),
                end=dt.date(2026, 12, 14),
                days=10,
                kind=label(DayKind.CALENDAR),
            ),
        ),
        "closed": stored(
            project,
            EventKind.OTHER,
            zh(
                "Owners' vote closed: %(outcome)s under %(rule)s — %(tests)s",
                outcome=zh("passed"),
                rule="民法典第278条",
                tests="专有面积 2/3 ≥ 2/3 ✓",
            ),
        ),
        "meeting": stored(
            project,
            EventKind.OTHER,
            zh(
                "Consultation meeting scheduled: %(title)s, %(when)s",
                title="加装协商会",
                when="2026-12-04 18:30",  # the district's time, as written then
            ),
        ),
        "consultation": stored(
            project,
            EventKind.OTHER,
            zh("Consultation (%(channel)s): %(topic)s", channel=channel_label, topic=topic_label),
        ),
        "cluster": stored(project, EventKind.CLUSTER, zh("Joined the cluster %(name)s", name="一号片区")),
    }
    left = {
        # a closing that went on with what was still needed: wording not known, kept as written
        "needed": stored(
            project,
            EventKind.OTHER,
            zh(
                "Owners' vote closed: %(outcome)s under %(rule)s — %(tests)s",
                outcome=zh("did not pass"),
                rule="R",
                tests="x",
            )
            + " — "
            + zh("still needed: %(needed)s", needed="3 户"),
        ),
        "comment": stored(
            project, EventKind.COMMENT, zh("Working group: %(names)s", names="王芳")
        ),  # typed by a person
        "unknown": stored(project, EventKind.OTHER, "旧版本写的一句话"),
    }
    with translation.override("en"):
        english_channel, english_topic = str(channel[1]), str(topic[1])

    events_migration.forwards(django_apps(), None)

    for event in [*rows.values(), *left.values()]:
        event.refresh_from_db()
    assert read(rows["review"], "en") == f"Contract review: {ReviewResult.CHANGES.label}"
    assert read(rows["group"], "en") == "Working group: 王芳、李雷"
    assert read(rows["cost"], "en").startswith("Cost sharing v2: ")
    assert "owners pay 386000.00 yuan" in read(rows["cost"], "en")
    assert read(rows["notice"], "en") == "Public notice posted: 2026-12-04 – 2026-12-14 (10 calendar days)"
    assert read(rows["closed"], "en") == "Owners' vote closed: passed under 民法典第278条 — 专有面积 2/3 ≥ 2/3 ✓"
    assert read(rows["meeting"], "en") == "Consultation meeting scheduled: 加装协商会, 2026-12-04 18:30"
    assert read(rows["consultation"], "en") == f"Consultation ({english_channel}): {english_topic}"
    assert read(rows["cluster"], "en") == "Joined the cluster 一号片区"
    for event in rows.values():  # and the Chinese reader still reads what was written
        assert read(event, "zh-hans") == event.message
    for event in left.values():
        assert "text" not in event.data
        assert read(event, "en") == event.message

    events_migration.forwards(django_apps(), None)  # running it again changes nothing
    rows["review"].refresh_from_db()
    assert read(rows["review"], "en") == f"Contract review: {ReviewResult.CHANGES.label}"


def test_old_chinese_notification_titles_read_in_english(world):
    from jiati.projects.models import Stage

    user = world.users["community"]
    overdue = Notification.objects.create(
        recipient=user,
        kind="overdue",
        title=zh(
            "%(code)s is overdue in “%(stage)s” (due %(due)s)",
            code="P-1",
            stage=label(Stage.VOTE),
            due=dt.date(2026, 12, 4),
        ),
    )
    paid = Notification.objects.create(
        recipient=user, kind="subsidy", title=zh("Subsidy paid: %(code)s, %(amount)s", code="P-1", amount="¥580,000.00")
    )
    free = Notification.objects.create(recipient=user, kind="other", title="一条旧通知")

    titles_migration.forwards(django_apps(), None)

    for note in (overdue, paid, free):
        note.refresh_from_db()
    with translation.override("en"):
        assert overdue.shown_title == f"P-1 is overdue in “{Stage.VOTE.label}” (due 2026-12-04)"
        assert paid.shown_title == "Subsidy paid: P-1, ¥580,000.00"
        assert free.shown_title == "一条旧通知"
    with translation.override("zh-hans"):
        assert overdue.shown_title == overdue.title
    assert free.texts == {}


def django_apps():
    from django.apps import apps

    return apps
