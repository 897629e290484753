"""Every sentence the system stores for later readers is stored as msgid + values (core.stored_text.Message),
never translated at the time of writing: a timeline entry written in Chinese must read in English (issue 13).

Scans the services for calls that store a sentence (a project's timeline, a notification's title) whose text is
`_("…")` or `_("…") % {…}`: such a call stores the writer's language.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jiati

# Calls whose argument is stored and read later, by argument name (and position when passed positionally).
STORING_CALLS = {
    "project_event_add": {"message": None},
    "_project_event": {"message": 2},
    "_checklist_change": {"message": 2},
    "notify": {"title": None},
    # the apps' helpers that hand their title on to notify
    "_tell": {"title": None, 1: None, 2: None},
    "_tell_responsible": {"title": 1},
    "_tell_holders": {"title": 1},
    "_tell_lead_owner": {"title": 1},
    "_tell_window_staff": {"title": 1},
    "_tell_handler": {"title": 1},
    "_tell_invitees": {"title": 1},
    "_event": {"message": 2},  # subsidies' timeline entries
}
TRANSLATORS = {"_", "gettext", "pgettext"}


def _translated_now(node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    if isinstance(node, ast.IfExp):
        return _translated_now(node.body) or _translated_now(node.orelse)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATORS


def stored_translated_sentences(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in STORING_CALLS:
            continue
        for keyword, position in STORING_CALLS[name].items():
            if isinstance(keyword, int):
                keyword, position = "", keyword
            arguments = [k.value for k in node.keywords if keyword and k.arg == keyword]
            if position is not None and len(node.args) > position:
                arguments.append(node.args[position])
            found += [f"{filename}:{a.lineno}" for a in arguments if _translated_now(a)]
    return found


def test_the_check_finds_a_sentence_translated_when_written():
    source = 'project_event_add(project=p, message=_("Joined the cluster %(name)s") % {"name": n})\n'
    assert stored_translated_sentences(source, "x.py") == ["x.py:1"]
    source = 'project_event_add(project=p, message=Message(gettext_noop("Joined %(name)s"), name=n))\n'
    assert stored_translated_sentences(source, "x.py") == []


def test_no_service_stores_a_timeline_entry_in_the_writers_language():
    root = Path(jiati.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found += stored_translated_sentences(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    assert found == []
