"""The top bar: each app's `navigation.py` contributes its entries; the web layer collects them in order and
shows each user only what they may open — the same entries, in the same order, as before the hook existed."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from jiati.web.context_processors import navigation

STAFF = [
    "My tasks",
    "Home",
    "Dashboard",
    "Projects",
    "Organisation",
    "Estates",
    "Retrofit pool",
    "Site checks",
    "Stairwells",
    "Elevators",
    "Owners",
    "Companies",
    "Red/black list",
    "Consultation",
    "Subsidies",
]
REGION_ADMIN = [*STAFF, "Administration", "Import"]  # who may manage accounts in their area, and import housing


def labels(user, path="/") -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    return [str(item["label"]) for item in navigation(request)["nav_items"]]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", REGION_ADMIN),
        ("district", REGION_ADMIN),
        ("subdistrict", REGION_ADMIN),
        ("community", [*STAFF, "Import"]),  # a community workstation manages no accounts
        ("finance", [x for x in STAFF if x != "Site checks"]),  # finance neither checks sites nor imports
        ("property", [x for x in STAFF if x != "Dashboard"]),  # a property office has no dashboard, no import
        ("contractor", ["My tasks", "Projects", "Rectifications", "Elevators", "Companies", "Red/black list"]),
        ("maintainer", ["My tasks", "Projects", "Elevators", "Companies", "Red/black list"]),
        ("resident", ["Projects", "Red/black list"]),  # the red/black list is public
    ],
)
def test_each_role_sees_its_entries_in_order(world, role, expected):
    assert labels(world.users[role]) == expected


def test_entries_link_to_their_pages_and_mark_the_current_one(world):
    request = RequestFactory().get(reverse("housing:estate-list") + "?page=2")
    request.user = world.users["community"]
    items = {str(item["label"]): item for item in navigation(request)["nav_items"]}
    assert items["Estates"]["url"] == reverse("housing:estate-list") and items["Estates"]["active"]
    assert items["Projects"]["url"] == reverse("projects:list") and not items["Projects"]["active"]
    assert not items["Home"]["active"]  # "/" is a prefix of every path; it is never marked
    assert items["Import"]["icon"] == "upload"


def test_nobody_signed_in_gets_no_entries(db):
    assert labels(AnonymousUser()) == []


def test_the_page_shows_the_collected_top_bar(world, client_for):
    """The top bar's links, in order (the inbox link on the right of the bar comes after them)."""
    html = client_for(world.users["contractor"]).get(reverse("projects:list")).content.decode()
    links = re.findall(r'class="nav-link[^"]*" href="([^"]+)"', html)
    assert links[:2] == [reverse("supervision:my-tasks"), reverse("projects:list")]
    assert reverse("core:home") not in links
    html = client_for(world.users["community"]).get(reverse("projects:list")).content.decode()
    links = re.findall(r'class="nav-link[^"]*" href="([^"]+)"', html)
    assert links[: len(STAFF) + 1] == [
        reverse(name)
        for name in (
            "supervision:my-tasks",
            "core:home",
            "stats:dashboard",
            "projects:list",
            "organisation:region-list",
            "housing:estate-list",
            "pool:list",
            "supervision:home",
            "housing:stairwell-list",
            "elevators:list",
            "housing:owner-list",
            "companies:list",
            "companies:lists",
            "consultation:home",
            "subsidies:home",
            "housing:import",
        )
    ]


def test_the_desktop_bar_keeps_its_first_entries_and_puts_the_rest_under_more(world, client_for):
    """Seventeen entries never fit one line at 1366 px in English (the bar wrapped onto two rows): past the first
    eight, entries go under "More" on desktops and stay in the phone menu; the More button is marked when the
    current page is one of them."""
    from jiati.web.context_processors import NAV_INLINE

    request = RequestFactory().get(reverse("subsidies:home"))
    request.user = world.users["district"]
    context = navigation(request)
    assert [str(i["label"]) for i in context["nav_more"]] == REGION_ADMIN[NAV_INLINE:]
    assert context["nav_more_active"]
    html = client_for(world.users["district"]).get(reverse("projects:list")).content.decode()
    more = html[html.index('id="nav-more"') :]
    assert 'href="' + reverse("subsidies:home") + '"' in more and 'class="dropdown-item' in more
    assert html.count("d-xl-none") >= len(REGION_ADMIN) - NAV_INLINE  # the same entries, flat in the phone menu
    request = RequestFactory().get(reverse("projects:list"))
    request.user = world.users["contractor"]  # six entries: no More
    assert navigation(request)["nav_more"] == []


def test_entries_are_reversed_once_per_process_and_follow_the_script_prefix(world, monkeypatch):
    """The top bar is on every page: its addresses are reversed once, not once per entry per page (issue 18); a
    deployment under a sub-path still gets its prefix."""
    from django.urls import set_script_prefix

    from jiati.web import context_processors

    labels(world.users["district"])  # warm
    calls = []
    monkeypatch.setattr(context_processors, "reverse", lambda *a, **k: calls.append(a) or "/")
    assert labels(world.users["district"]) == REGION_ADMIN
    assert calls == []
    monkeypatch.undo()
    set_script_prefix("/jiati/")
    try:
        request = RequestFactory().get("/jiati/projects/")
        request.user = world.users["community"]
        items = {str(item["label"]): item for item in navigation(request)["nav_items"]}
        assert items["Projects"]["url"] == reverse("projects:list")
        assert items["Projects"]["url"].startswith("/jiati/") and items["Projects"]["active"]
    finally:
        set_script_prefix("/")
