"""axe-core (the npm package, injected in Chromium) finds no serious or critical violation on the staff pages of
issue 13 — workbench, projects, a project, a vote and its roll, objections, meetings, a service window, subsidies
and a subsidy file, owners, the dashboard, the pool, a site check, companies — for a district and a community
login, in Chinese and English, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.core.tests.browser import axe_serious, login, with_axe
from jiati.core.tests.factories import build_world, stairwell_with_dwellings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _scene() -> list[str]:
    """A district with a project at every page's step; the staff pages to try, as paths."""
    from jiati.consent import services as consent_services
    from jiati.consent.tests.conftest import ensure_rule_sets, in_stage
    from jiati.consultation.tests.conftest import make_slot
    from jiati.organisation.models import ServiceWindow
    from jiati.projects import services as project_services
    from jiati.projects.models import Stage
    from jiati.subsidies.models import SubsidyApplication
    from jiati.subsidies.tests.conftest import eligible_project
    from jiati.supervision.tests.conftest import at_stage

    ensure_rule_sets()
    world = build_world()
    for key in ("district", "community"):
        world.users[key].set_password("pass-Word-2026")
        world.users[key].save()
    community = world.users["community"]
    project = in_stage(project_services.project_open(actor=community, stairwell=world.stairwells["a1a"]), Stage.VOTE)
    vote = consent_services.vote_open(
        project=project, actor=community, closes_at=timezone.now() + dt.timedelta(days=7), plan="加装一部电梯。"
    )
    site = project_services.project_open(
        actor=community, stairwell=stairwell_with_dwellings(estate=world.estates["a1a"], number="8单元")
    )
    site = at_stage(site, Stage.FOUNDATION, world.companies["contractor"])
    subsidised = eligible_project(
        world, stairwell=stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元")
    )
    application = SubsidyApplication.objects.get(project=subsidised)
    window = ServiceWindow.objects.filter(community=project.community, kind="workstation").first()
    make_slot(window, days=1, created_by=community)
    return [
        reverse("core:home"),
        reverse("projects:list"),
        reverse("projects:detail", args=[project.pk]),
        reverse("consent:vote-detail", args=[vote.pk]),
        reverse("consent:vote-roll", args=[vote.pk]),
        reverse("consent:objection-list"),
        reverse("consultation:meeting-list"),
        reverse("consultation:window-detail", args=[window.pk]),
        reverse("subsidies:home"),
        reverse("subsidies:application-list"),
        reverse("subsidies:application-detail", args=[application.pk]),
        reverse("housing:owner-list"),
        reverse("stats:dashboard"),
        reverse("pool:list"),
        reverse("supervision:check-new", args=[site.pk]),
        reverse("companies:list"),
    ]


@pytest.mark.parametrize("username", ["district", "community"])
def test_staff_pages_have_no_serious_axe_violation(browser, live_server, username):
    paths = _scene()
    problems, statuses = [], []
    for size, viewport in SIZES.items():
        context = browser.new_context(
            locale="zh-CN", viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone"
        )
        page = context.new_page()
        page.set_default_timeout(30000)
        with_axe(page)
        login(page, live_server, username)
        for language in ("zh-hans", "en"):
            page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                statuses.append((path, response.status))
                for violation in axe_serious(page):
                    problems.append({"page": path, "size": size, "language": language, **violation})
        context.close()
    assert all(status == 200 for _path, status in statuses), statuses
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
