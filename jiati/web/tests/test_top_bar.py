"""Issue 18: the top bar's entries are written by two tags (`jiati.top_bar_items`, `top_bar_more_items`) instead of
base.html's loops, on every page. The bar they write is the bar the loops wrote, to the byte, in either language,
for a role with entries under "More" and one without, the current page inline, under "More" or neither."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

BASE = Path(__file__).resolve().parents[2] / "core" / "templates" / "base.html"

# What each tag replaced, as base.html wrote it.
FORMER = {
    "{% top_bar_items nav_items nav_more nav_inline %}": (
        '{% for item in nav_items %}\n        <li class="nav-item{% if nav_more and forloop.counter0 >= nav_inline %}'
        ' d-xl-none{% endif %}"><a class="nav-link text-nowrap{% if item.active %} active{% endif %}" '
        'href="{{ item.url }}"{% if item.active %} aria-current="page"{% endif %}><i class="bi bi-{{ item.icon }}" '
        'aria-hidden="true"></i> {{ item.label }}</a></li>\n        {% endfor %}'
    ),
    "{% top_bar_more_items nav_more %}": (
        '{% for item in nav_more %}\n            <li><a class="dropdown-item{% if item.active %} active{% endif %}" '
        'href="{{ item.url }}"{% if item.active %} aria-current="page"{% endif %}><i class="bi bi-{{ item.icon }}" '
        'aria-hidden="true"></i> {{ item.label }}</a></li>\n            {% endfor %}'
    ),
}
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a CSRF token: masked anew at each render


def former_base() -> str:
    text = BASE.read_text()
    for now, former in FORMER.items():
        assert now in text, now  # a tag gone from the page: this test is to be updated with it
        text = text.replace(now, former)
    return text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ["district", "community", "contractor", "resident"])
@pytest.mark.parametrize("page", ["projects:list", "consultation:window-list", "core:home"])
def test_the_top_bar_reads_as_the_loops_wrote_it(world, client, role, page, language):
    client.force_login(world.users[role])
    response = client.get(reverse(page), HTTP_ACCEPT_LANGUAGE=language)
    request = response.wsgi_request

    def render(template: str) -> str:
        with translation.override(language):
            return CSRF.sub("TOKEN", engines["django"].from_string(template).render({}, request))

    now = render(BASE.read_text())
    assert now == render(former_base())
    if role == "district":  # seventeen entries: nine under "More"; the current one inline or under "More"
        assert now.count("d-xl-none") == 9
        if page == "projects:list":
            assert 'class="nav-link text-nowrap active" href="/projects/" aria-current="page"' in now
        if page == "consultation:window-list":
            assert 'class="dropdown-item active"' in now and "nav-link dropdown-toggle text-nowrap active" in now
