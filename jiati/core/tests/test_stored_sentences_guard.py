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
    "notify": {"title": None, "body": None},
    # the apps' helpers that hand their title (and body) on to notify
    "_tell": {"title": None, "body": None, 1: None, 2: None, 3: None},
    "_tell_responsible": {"title": 1},
    "_tell_holders": {"title": 1},
    "_tell_lead_owner": {"title": 1, "body": 2},
    "_tell_window_staff": {"title": 1},
    "_tell_handler": {"title": 1},
    "_tell_invitees": {"title": 1},
    "_event": {"message": 2},  # subsidies' timeline entries
}
TRANSLATORS = {"_", "gettext", "pgettext"}


def _translated_now(node: ast.AST, translated=frozenset()) -> bool:
    """The expression is text already in the writer's language: `_("…")` (formatted, joined, chosen or in a
    Message's values), a field's verbose name, a choice's label (`get_…_display()`), or a variable given such text."""
    if isinstance(node, ast.Name):
        return node.id in translated
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _translated_now(node.left, translated)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _translated_now(node.left, translated) or _translated_now(node.right, translated)
    if isinstance(node, ast.IfExp):
        return _translated_now(node.body, translated) or _translated_now(node.orelse, translated)
    if isinstance(node, ast.BoolOp):
        return any(_translated_now(value, translated) for value in node.values)
    if isinstance(node, ast.JoinedStr):
        return any(_translated_now(v.value, translated) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _translated_now(node.elt, translated)
    if isinstance(node, ast.Attribute):
        return node.attr in ("verbose_name", "verbose_name_plural")
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""
        if name in TRANSLATORS or (name.startswith("get_") and name.endswith("_display")):
            return True
        if name in ("str", "join", "sorted", "list", "list_text", "Message"):  # text made of texts
            parts = [*node.args[1 if name == "Message" else 0 :], *(k.value for k in node.keywords)]
            return any(_translated_now(part, translated) for part in parts)
    return False


def _translated_names(function: ast.AST) -> set[str]:
    """The local names that are given a text in the writer's language somewhere in the function (`message =
    _("…")`, `message += " " + _("…")`), followed through names given from names."""
    translated: set[str] = set()
    while True:
        before = len(translated)
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and _translated_now(node.value, translated):
                translated |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif (
                isinstance(node, (ast.AugAssign, ast.AnnAssign))
                and isinstance(node.target, ast.Name)
                and node.value is not None
                and _translated_now(node.value, translated)
            ):
                translated.add(node.target.id)
        if len(translated) == before:
            return translated


def stored_translated_sentences(source: str, filename: str) -> list[str]:
    found = []
    tree = ast.parse(source, filename)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    scopes = [(tree, set())] + [(f, _translated_names(f)) for f in functions]
    seen = set()
    for scope, translated in reversed(scopes):  # innermost first: a call is checked with its own function's names
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call) or id(node) in seen:
                continue
            seen.add(id(node))
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in STORING_CALLS:
                continue
            for keyword, position in STORING_CALLS[name].items():
                if isinstance(keyword, int):
                    keyword, position = "", keyword
                arguments = [k.value for k in node.keywords if keyword and k.arg == keyword]
                if position is not None and len(node.args) > position:
                    arguments.append(node.args[position])
                found += [f"{filename}:{a.lineno}" for a in arguments if _translated_now(a, translated)]
    return sorted(set(found))


def test_the_check_finds_a_sentence_translated_when_written():
    source = 'project_event_add(project=p, message=_("Joined the cluster %(name)s") % {"name": n})\n'
    assert stored_translated_sentences(source, "x.py") == ["x.py:1"]
    source = 'project_event_add(project=p, message=Message(gettext_noop("Joined %(name)s"), name=n))\n'
    assert stored_translated_sentences(source, "x.py") == []


def test_the_check_follows_a_sentence_through_a_variable_a_body_and_field_names():
    source = (
        "def f(a):\n"
        '    message = _("Drafted: %(why)s") % {"why": why}\n'
        '    message += " " + _("Still needed.")\n'
        '    _event(a, None, message, "drafted")\n'
        '    notify(recipients=r, kind="k", title=Message(gettext_noop("T")), body=a.get_kind_display())\n'
        '    _checklist_change(p, None, ", ".join(str(P._meta.get_field(k).verbose_name) for k in c))\n'
        '    notify(recipients=r, kind="k", title=Message(gettext_noop("T %(x)s"), x=_("word")))\n'
    )
    assert stored_translated_sentences(source, "x.py") == ["x.py:4", "x.py:5", "x.py:6", "x.py:7"]
    source = (
        "def f(a, description):\n"
        '    description = checked(text_or_refuse, description, _("Say what."), field="description")\n'
        '    _event(a, None, Message(gettext_noop("Resolution: %(what)s"), what=description), "x")\n'
        '    notify(recipients=r, kind="k", title=Message(gettext_noop("T")), body=label(a, "kind"))\n'
    )
    assert stored_translated_sentences(source, "x.py") == []


def test_no_service_stores_a_timeline_entry_in_the_writers_language():
    root = Path(jiati.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found += stored_translated_sentences(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    assert found == []
