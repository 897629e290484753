"""In a real browser on a phone-sized screen: an owner opens the vote from its QR code, confirms his phone with the
code texted to it, sees the plan and his own share, votes, gets a receipt and checks it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from jiati.consent import services
from jiati.consent.models import Ballot
from jiati.consent.tests.conftest import ensure_rule_sets, in_stage, voters
from jiati.core.tests.factories import build_world
from jiati.notifications.channels import ConsoleSmsSender
from jiati.projects import services as project_services
from jiati.projects.models import Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_votes_on_a_phone(phone_page, live_server):
    ensure_rule_sets()
    world = build_world()
    community = world.users["community"]
    project = in_stage(project_services.project_open(actor=community, stairwell=world.stairwells["a1a"]), Stage.VOTE)
    scheme = services.cost_scheme_create(project=project, actor=community, total_cost=Decimal("480000.00"))
    vote = services.vote_open(
        project=project,
        actor=community,
        closes_at=timezone.now() + dt.timedelta(days=7),
        plan="在北侧加装一部电梯，平层入户。",
        cost_scheme=scheme,
    )
    voter = voters(vote)[4]
    page = phone_page

    page.goto(f"{live_server.url}/consent/v/{vote.public_token}/")
    page.wait_for_selector("#vote-title")
    assert page.viewport_size["width"] == 390
    page.fill("#id_phone", voter.phone)
    page.click("#send-code")
    page.wait_for_selector("#code-form")
    text = next(t for p, t in reversed(ConsoleSmsSender.sent) if p == voter.phone)
    page.fill("#id_code", re.search(r"\d{6}", text).group(0))
    page.click("#verify-code")

    page.wait_for_selector(f"#ballot-form-{voter.pk}")
    assert "在北侧加装一部电梯" in page.inner_text("#plan")
    assert "40,000.00" in page.inner_text("#my-share")
    # Big enough to tap, and nothing wider than the phone.
    assert page.locator(f"#cast-{voter.pk}").bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.check(f"#choice-{voter.pk}-agree")
    page.click(f"#cast-{voter.pk}")

    page.wait_for_selector("#receipt-code")
    receipt = page.inner_text("#receipt-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.voter_id, ballot.choice, ballot.channel) == (voter.pk, "agree", "online")

    page.click("#check-receipt")
    page.wait_for_selector("#receipt-counted")
    assert voter.name not in page.content()  # the public check shows no names
