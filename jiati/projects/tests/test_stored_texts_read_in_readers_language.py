"""What issue 13 left stored in its writer's language, read in the reader's (each fails without its fix):
the subsidy file's policy reason, the seven ones' changed fields, a vote's default title, the built-in rule sets,
and the older timeline rows (the subsidy file's, the demo's plans, the seven ones') read back by migration."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from types import SimpleNamespace

from django.utils import translation

from jiati.consent.models import PublicNotice, RuleSet, Vote
from jiati.core.stored_text import Fields, Message, render
from jiati.organisation.models import Region
from jiati.projects.models import Project
from jiati.subsidies import rules
from jiati.subsidies.models import SubsidyPolicy

HAN = re.compile(r"[\u3400-\u9fff]")
migration = importlib.import_module("jiati.projects.migrations.0005_subsidy_and_plan_event_texts")
vote_titles = importlib.import_module("jiati.consent.migrations.0007_vote_default_title_read_in_readers_language")
notice_titles = importlib.import_module("jiati.consent.migrations.0009_notice_default_title_read_in_readers_language")


def _in(language: str, value) -> str:
    """`value` (a Message, or a function that reads something) in the language."""
    with translation.override(language):
        return str(value() if callable(value) else value)


def _policy() -> SubsidyPolicy:
    return SubsidyPolicy(
        name="龙岗区加装电梯补贴办法",
        region=Region(name="龙岗区"),
        effective_from=dt.date(2026, 1, 1),
        effective_to=None,
    )


def test_a_subsidy_files_policy_reason_is_stored_as_kind_and_values():
    basis = {"basis": "eligible", "date": "2026-11-02", "reevaluated": {"on": "2026-12-01", "previous": ""}}
    message = rules.basis_message(basis, _policy())
    assert isinstance(message, Message)
    english = _in("en", message)
    assert "applies because the project became eligible on" in english and "Re-evaluated on" in english
    assert not HAN.search(english.replace("龙岗区加装电梯补贴办法", "").replace("龙岗区", ""))
    assert "符合" in _in("zh-hans", message) or "重新" in _in("zh-hans", message)
    assert render(message.as_json()) == str(message)  # what the timeline stores renders alike


def test_the_seven_ones_changed_fields_are_stored_by_key():
    message = Message("%(fields)s", fields=Fields.of(Project, ["estimated_cost", "brand"]))
    assert message.as_json()["values"]["fields"] == {"fields": "projects.Project", "names": ["estimated_cost", "brand"]}
    english, chinese = _in("en", message), _in("zh-hans", message)
    assert not HAN.search(english) and HAN.search(chinese) and not re.search(r"[A-Za-z]{3}", chinese)


def test_a_votes_default_title_is_read_in_the_readers_language():
    vote = Vote(typed_title="")
    assert _in("en", lambda: vote.title) == "Owners' vote on adding an elevator"
    assert _in("zh-hans", lambda: vote.title) == "加装电梯业主表决"
    assert _in("en", lambda: Vote(typed_title="三单元加梯表决").title) == "三单元加梯表决"
    assert {"Owners' vote on adding an elevator", "加装电梯业主表决"} <= vote_titles.defaults()


def test_a_notices_default_title_is_read_in_the_readers_language():
    notice = PublicNotice(typed_title="")
    assert _in("en", lambda: notice.title) == "Public notice on adding an elevator"
    assert _in("zh-hans", lambda: notice.title) == "关于加装电梯的公示"
    assert _in("en", lambda: PublicNotice(typed_title="三单元加梯公示").title) == "三单元加梯公示"
    assert {"Public notice on adding an elevator", "关于加装电梯的公示"} <= notice_titles.defaults()


def test_built_in_rule_sets_read_in_the_readers_language_and_typed_ones_as_typed():
    built_in = RuleSet(
        code="civil-code-278",
        version=1,
        name="民法典第二百七十八条",
        legal_basis="《民法典》第278条第1款第7项、第2款；最高人民法院建筑物区分所有权解释第8、9条",
    )
    assert _in("en", lambda: built_in.shown_name) == "Civil Code, Art. 278"
    assert _in("zh-hans", lambda: built_in.shown_name) == "民法典第二百七十八条"
    assert not HAN.search(_in("en", lambda: built_in.shown_legal_basis)) and not HAN.search(
        _in("en", lambda: str(built_in))
    )
    typed = RuleSet(code="civil-code-278", version=2, name="本区第278条（调整版）")
    assert _in("en", lambda: typed.shown_name) == "本区第278条（调整版）"


def _old_drafted_text(language: str) -> str:
    """What application_draft stored before: the sentence in the writer's language (the msgids are the services'
    own; read through `tr` so that they are not taken for this test's strings)."""
    tr = translation.gettext
    what, why, drafted = (p.msgid for p in (migration.WHAT[2], migration.BASIS[0], migration.OUTER[0]))
    with translation.override(language):
        what = tr(what) % {"date": "2026-11-02"}
        why = tr(why) % {"policy": "龙岗区加装电梯补贴办法", "scope": "龙岗区", "start": "2026-01-01", "what": what}
        text = tr(drafted) % {"amount": "¥120,000.00", "why": why}
        labels = dict(rules.SubsidyDocumentKind.choices)
        needed = tr(migration.STILL_NEEDED) % {
            "documents": "、".join(str(labels[k]) for k in ("invoice", "bank_account"))
        }
    return f"{text} {needed}"


def test_older_subsidy_plan_and_checklist_rows_are_read_back_as_kind_and_values():
    names = migration.project_field_names(None)
    with translation.override("zh-hans"):
        fields = ", ".join(str(Project._meta.get_field(k).verbose_name) for k in ("brand", "estimated_cost"))
    events = [
        SimpleNamespace(kind="other", message=_old_drafted_text("zh-hans"), data={"subsidy_application": 1}),
        SimpleNamespace(kind="planned", message="计划 2027-03-01 前投入使用", data={}),
        SimpleNamespace(kind="checklist", message=fields, data={}),
        SimpleNamespace(kind="comment", message="计划 2027-03-01 前投入使用", data={}),  # typed: left alone
    ]
    changed = migration.convert(events, migration.Readers(), names)
    assert changed == events[:3]
    drafted, plan, checklist = (_in("en", lambda e=e: render(e.data["text"])) for e in changed)
    assert drafted.startswith("Subsidy application drafted: ¥120,000.00 due. “龙岗区加装电梯补贴办法”")
    assert "applies because the project became eligible on" in drafted and "Still needed:" in drafted
    assert not HAN.search(drafted.replace("龙岗区加装电梯补贴办法", "").replace("龙岗区", ""))
    assert plan.startswith("Plan v1: in service by") and not HAN.search(plan)
    assert not HAN.search(checklist) and HAN.search(_in("zh-hans", lambda: render(changed[2].data["text"])))
