"""A service names every wrong field of its input at once (issue 13): a function that raises `refuse(...,
field=A)` and `refuse(..., field=B)` for two different fields outside a `with Refusals()` block stops at the
first and hides the second. Independent checks go in the block; what stays outside must be a check that only
makes sense once the fields before it are valid, and such a function is listed below with the reason."""

from __future__ import annotations

import ast
from pathlib import Path

import jiati

ROOT = Path(jiati.__file__).parent

# (module under jiati/, function): why its refusals after the Refusals block must stay one at a time.
DEPENDENT = {
    # The round exists only in a rule set in use, the scope is allowed only by that round, and the earlier
    # rounds are those of that rule set: each check needs the one before it. vote_open gathers this helper's
    # refusal with its own independent checks (closing time, plan, cost scheme).
    ("consent/services/votes.py", "_round_to_open"): "rule set -> round -> scope",
}


def _service_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.stem.endswith("services") or "services" in parts[:-1]:
            yield path


def _is_refusals_block(node: ast.With) -> bool:
    for item in node.items:
        call = item.context_expr
        if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", "")) == "Refusals":
            return True
    return False


def _refused_field(node: ast.Raise) -> str | None:
    call = node.exc
    if not (isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", "")) == "refuse"):
        return None
    for keyword in call.keywords:
        if keyword.arg == "field" and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _fields_refused_one_at_a_time(function) -> set[str]:
    """Fields of `raise refuse(..., field="x")` in the function, outside Refusals blocks and nested functions."""
    fields: set[str] = set()
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.With) and _is_refusals_block(node):
            continue
        if isinstance(node, ast.Raise) and (field := _refused_field(node)):
            fields.add(field)
        stack.extend(ast.iter_child_nodes(node))
    return fields


def refused_one_at_a_time() -> dict[tuple[str, str], set[str]]:
    found = {}
    for path in _service_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                fields = _fields_refused_one_at_a_time(function)
                if len(fields) >= 2:
                    found[(str(path.relative_to(ROOT)), function.name)] = fields
    return found


def test_no_service_stops_at_its_first_wrong_field():
    found = {key: fields for key, fields in refused_one_at_a_time().items() if key not in DEPENDENT}
    assert found == {}, "gather the independent checks with core.errors.Refusals:\n" + "\n".join(
        f"{module} {name}: {', '.join(sorted(fields))}" for (module, name), fields in sorted(found.items())
    )


def test_the_allow_list_names_only_functions_that_still_need_it():
    stale = set(DEPENDENT) - set(refused_one_at_a_time())
    assert stale == set(), f"no longer refuses two fields one at a time, drop from DEPENDENT: {sorted(stale)}"


def test_the_guard_sees_a_chain_and_not_a_block():
    chain = ast.parse(
        "def f(a, b):\n"
        "    if not a:\n        raise refuse('x', code='a', field='a')\n"
        "    if not b:\n        raise refuse('y', code='b', field='b')\n"
    ).body[0]
    block = ast.parse(
        "def f(a, b):\n"
        "    with Refusals() as checked:\n"
        "        if not a:\n            checked.add(refuse('x', code='a', field='a'))\n"
        "        if not b:\n            raise refuse('y', code='b', field='b')\n"
        "    if a > b:\n        raise refuse('z', code='c', field='a')\n"
    ).body[0]
    assert _fields_refused_one_at_a_time(chain) == {"a", "b"}
    assert _fields_refused_one_at_a_time(block) == {"a"}
