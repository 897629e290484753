"""What the residents' pages are built from: every template a portal page renders (pages extending portal/base.html,
the sections of the residents' home named in each app's portal.py, and what they include) loads no icon font, so it
may carry no `bi bi-*` icon (an empty box that hid a document's received/missing mark), and shows dates through
the shared `day`/`moment` filters rather than a pattern of its own."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

JIATI = Path(settings.BASE_DIR) / "jiati"
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
SECTION = re.compile(r"""["']template["']\s*:\s*["']([^"']+)["']""")
ICON = re.compile(r"""class="[^"]*\bbi bi-""")
FIXED_DATE = re.compile(r"""\|date:"Y-m-d(?: H:i)?\"""")


def _template_files() -> dict[str, Path]:
    found = {}
    for path in JIATI.glob("*/templates/**/*.html"):
        name = "/".join(path.relative_to(JIATI).parts[2:])  # <app>/templates/<name>
        found.setdefault(name, path)
    return found


def portal_templates() -> dict[str, Path]:
    files = _template_files()
    wanted = {name for name, path in files.items() if 'extends "portal/base.html"' in path.read_text()}
    for module in JIATI.glob("*/portal.py"):
        wanted |= set(SECTION.findall(module.read_text()))
    todo = list(wanted)
    while todo:
        path = files.get(todo.pop())
        if path is None:
            continue
        for name in INCLUDE.findall(path.read_text()):
            if name not in wanted:
                wanted.add(name)
                todo.append(name)
    return {name: files[name] for name in sorted(wanted) if name in files}


def test_the_portal_template_set_is_found():
    names = portal_templates()
    # pages, home sections (from portal.py) and an included partial
    assert "portal/home.html" in names
    assert "consent/_portal_section.html" in names
    assert "consent/online/_vote_header.html" in names


def test_no_residents_page_carries_an_icon_font_class():
    offenders = {
        name: ICON.findall(path.read_text())
        for name, path in portal_templates().items()
        if ICON.search(path.read_text())
    }
    assert not offenders, f"the residents' pages load no icon font; remove these icons: {offenders}"


def test_residents_pages_show_dates_through_the_shared_format():
    offenders = [name for name, path in portal_templates().items() if FIXED_DATE.search(path.read_text())]
    assert not offenders, f'use |day or |moment (core.formatting) instead of |date:"Y-m-d…": {offenders}'
