"""Independent checks of a service's input are gathered with `core.errors.Refusals`, never merged by hand: a
hand-made `errors.update(exc.error_dict)` drops an earlier error on the same field, and a chain of checks in one
`try` stops at the first (issue 13: every wrong field at once, none lost)."""

from __future__ import annotations

import re
from pathlib import Path

import jiati

HAND_MERGES = (
    re.compile(r"errors\.update\("),  # replaces a field's earlier errors
    re.compile(r"\.update\(\s*\w+\.error_dict"),
)
ROOT = Path(jiati.__file__).parent
SHARED = {ROOT / "core" / "errors.py"}  # where Refusals merges, by field, keeping every error


def test_no_service_merges_refusals_by_hand():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path in SHARED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(pattern.search(line) for pattern in HAND_MERGES):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "gather independent checks with core.errors.Refusals:\n" + "\n".join(found)
