"""Staff pages: the project panel, opening a vote, the live result, paper ballots, closing, notices and
objections, cost sharing, the spreadsheet tally — each a POST → a service → a page, in few queries."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiati.consent import services
from jiati.consent.models import Ballot, CostScheme, Objection, ObjectionStatus, PublicNotice, Vote, VoteStatus
from jiati.consent.tests.conftest import SCAN, cast_online, in_stage, open_vote, voters
from jiati.projects.models import Stage


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_project_page_shows_the_consent_panel_and_opening_a_vote(project, world, client_for):
    client = client_for(world.users["community"])
    page = html(client.get(reverse("projects:detail", args=[project.pk])))
    assert 'id="consent-panel"' in page and reverse("consent:vote-open", args=[project.pk]) in page
    assert html(client.get(reverse("consent:vote-open", args=[project.pk])))
    closes = (timezone.localtime() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("consent:vote-open", args=[project.pk]),
        {
            "rule_set": services.default_rule_set().pk,
            "round_number": 1,
            "scope": "stairwell",
            "closes_at": closes,
            "title": "",
            "plan": "北侧加装电梯",
        },
    )
    vote = Vote.objects.get()
    assert response["Location"] == reverse("consent:vote-detail", args=[vote.pk])
    assert vote.owners_total == 12
    page = html(client.get(reverse("projects:detail", args=[project.pk])))
    assert 'id="test-agreeing_owners"' in page and 'id="still-needed"' in page


def test_refused_opening_shows_the_reason_and_creates_nothing(project, world, client_for):
    client = client_for(world.users["community"])
    response = client.post(
        reverse("consent:vote-open", args=[project.pk]),
        {
            "rule_set": services.default_rule_set().pk,
            "round_number": 1,
            "scope": "stairwell",
            "closes_at": "2020-01-01T10:00",
            "plan": "x",
        },
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Vote.objects.exists()


def test_vote_page_live_result_and_roll(vote, world, client_for, django_assert_max_num_queries):
    for voter in voters(vote)[:5]:
        cast_online(vote, voter, "agree")
    client = client_for(world.users["community"])
    page = html(client.get(reverse("consent:vote-detail", args=[vote.pk])))
    assert "5 / 12" in page and "41.7%" in page and 'hx-get="' + reverse("consent:vote-result", args=[vote.pk]) in page
    vote.refresh_from_db()
    assert vote.chain_head in page  # the chain head is shown with the frozen roll
    with django_assert_max_num_queries(12):
        partial = html(client.get(reverse("consent:vote-result", args=[vote.pk])))
    assert 'id="vote-result"' in partial and "<html" not in partial
    with django_assert_max_num_queries(12):
        roll = html(client.get(reverse("consent:vote-roll", args=[vote.pk])))
    assert voters(vote)[0].rooms in roll
    export = client.get(reverse("consent:vote-roll", args=[vote.pk]), {"export": "xlsx"})
    assert export.status_code == 200
    not_voted = html(client.get(reverse("consent:vote-roll", args=[vote.pk]), {"voted": "false"}))
    assert voters(vote)[0].name not in not_voted and voters(vote)[11].name in not_voted


def test_paper_ballot_through_the_page_shows_the_receipt(vote, world, client_for):
    client = client_for(world.users["community"])
    voter = voters(vote)[0]
    url = reverse("consent:ballot-record", args=[vote.pk, voter.pk])
    assert 'id="ballot-form"' in html(client.get(url))
    response = client.post(url, {"choice": "agree"})  # no signed form
    assert response.status_code == 200 and not Ballot.objects.exists()
    page = html(client.post(url, {"choice": "agree", "signed_form": SimpleUploadedFile("f.pdf", SCAN)}))
    assert 'id="receipt-code"' in page
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper"
    entry = ballot.latest_entry
    download = client.get(reverse("consent:entry-file", args=[vote.pk, entry.pk, "form"]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == SCAN
    # A second ballot without saying it is a change is refused on the page.
    html(client.post(url, {"choice": "disagree", "signed_form": SimpleUploadedFile("f.pdf", SCAN)}))
    assert Ballot.objects.get().choice == "agree"
    html(client.post(url, {"choice": "disagree", "change": "on", "signed_form": SimpleUploadedFile("f.pdf", SCAN)}))
    assert Ballot.objects.get().choice == "disagree"


def test_close_and_cancel_from_the_page(vote, world, client_for):
    client = client_for(world.users["community"])
    client.post(reverse("consent:vote-close", args=[vote.pk]))
    assert Vote.objects.get().status == VoteStatus.OPEN  # still running, not everyone voted
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=9), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.post(reverse("consent:vote-close", args=[vote.pk]))
    closed = Vote.objects.get()
    assert closed.status == VoteStatus.CLOSED and closed.passed is False
    page = html(client.get(reverse("consent:vote-detail", args=[vote.pk])))
    assert 'data-passed="0"' in page and "hx-get" not in page
    client.post(reverse("consent:vote-cancel", args=[vote.pk]), {"reason": "改"})
    assert Vote.objects.get().status == VoteStatus.CLOSED


def test_notice_and_objections_through_the_pages(project, world, client_for):
    community = world.users["community"]
    vote = open_vote(project, community)
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=community)
    in_stage(project, Stage.PUBLIC_NOTICE)
    client = client_for(community)
    assert 'id="post-notice-link"' in html(client.get(reverse("projects:detail", args=[project.pk])))
    assert html(client.get(reverse("consent:notice-post", args=[project.pk])))
    response = client.post(
        reverse("consent:notice-post", args=[project.pk]),
        {
            "content": "方案与协议",
            "starts_on": timezone.localdate().isoformat(),
            "period_days": 10,
            "day_kind": "working",
        },
    )
    notice = PublicNotice.objects.get()
    assert response["Location"] == reverse("consent:notice-detail", args=[notice.pk])
    assert html(client.get(response["Location"]))
    client.post(
        reverse("consent:objection-new", args=[project.pk]),
        {"channel": "window", "name": "一楼业主", "content": "采光"},
    )
    objection = Objection.objects.get()
    assert objection.notice == notice
    assert 'id="answer-objection"' in html(client.get(reverse("consent:objection-detail", args=[objection.pk])))
    client.post(reverse("consent:objection-action", args=[objection.pk, "answer"]), {"text": "不影响采光"})
    client.post(reverse("consent:objection-action", args=[objection.pk, "close"]), {"outcome": "negotiated"})
    assert Objection.objects.get().status == ObjectionStatus.CLOSED
    assert client.post(reverse("consent:objection-action", args=[objection.pk, "nope"])).status_code == 404
    lists = [reverse("consent:notice-list"), reverse("consent:objection-list"), reverse("consent:vote-list")]
    for url in lists:
        assert project.code in html(client.get(url))


def test_cost_sharing_through_the_pages(project, world, client_for):
    client = client_for(world.users["community"])
    form = html(client.get(reverse("consent:cost-new", args=[project.pk])))
    assert "3: 0.7" in form  # a starting point in the Guangzhou pattern
    response = client.post(
        reverse("consent:cost-new", args=[project.pk]),
        {
            "method": "floor_coefficient",
            "total_cost": "480000.00",
            "coefficients": "1: 0\n2: 0\n3: 0.7\n4: 0.8\n5: 0.9\n6: 1.0",
            "compensation": "1: 3000",
        },
    )
    scheme = CostScheme.objects.get()
    assert response["Location"] == reverse("consent:cost-detail", args=[scheme.pk])
    page = html(client.get(response["Location"]))
    # The sum shown is the sum of the rows shown; compensation is its own labelled line (¥480,000 + ¥6,000).
    summary = dict(re.findall(r'id="line-([\w-]+)".*?data-amount="([\d.]+)"', page, re.S))
    assert summary == {
        "total-cost": "480000.00",
        "subsidy": "0.00",
        "owners-part": "480000.00",
        "compensation": "6000.00",
        "owners-pay": "486000.00",
    }
    assert "Compensation to low floors, paid by the paying owners" in page
    assert re.search(r'id="sum-share">¥486,000.00<', page) and re.search(r'id="sum-net">¥480,000.00<', page)
    assert re.search(r'id="sum-compensation">¥6,000.00<', page)
    assert sum(s.share for s in scheme.shares.all()) == Decimal("486000.00")
    bad = client.post(
        reverse("consent:cost-new", args=[project.pk]),
        {"method": "floor_coefficient", "total_cost": "1000", "coefficients": "three: x"},
    )
    assert bad.status_code == 200 and CostScheme.objects.count() == 1


def test_tally_page_gives_the_same_verdict_as_the_command(world, client_for, rules):
    client = client_for(world.users["district"])
    assert 'id="tally-form"' in html(client.get(reverse("consent:tally")))
    csv = "房号,业主,面积,意见\n101,甲,80,同意\n102,乙,80,同意\n201,丙,80,同意\n202,丁,80,弃权\n".encode()
    page = html(
        client.post(
            reverse("consent:tally"),
            {"file": SimpleUploadedFile("v.csv", csv), "rule": "civil-code-278@1", "round_number": 1},
        )
    )
    assert 'data-passed="1"' in page and "3/4" in page
    bad = html(
        client.post(
            reverse("consent:tally"),
            {
                "file": SimpleUploadedFile("v.csv", b"dwelling,owner,area,choice\n1,a,-5,agree\n"),
                "rule": "civil-code-278@1",
                "round_number": 1,
            },
        )
    )
    assert 'id="tally-problems"' in bad and "Row 2" in bad


def test_rules_overview_and_home(world, client_for, vote):
    client = client_for(world.users["district"])
    page = html(client.get(reverse("consent:rules")))
    for code in ("civil-code-278", "shenzhen-2018", "beijing-stairwell", "shanghai-two-rounds"):
        assert f'id="rule-{code}-1"' in page
    assert reverse("consent:vote-detail", args=[vote.pk]) in html(client.get(reverse("consent:home")))
    start = html(client.get(reverse("core:home")))
    assert reverse("consent:vote-list") in start


def test_pdf_links_answer_pdfs(vote, world, client_for):
    client = client_for(world.users["community"])
    for name in ("consent:vote-forms-pdf", "consent:vote-result-pdf", "consent:vote-agreement-pdf"):
        response = client.get(reverse(name, args=[vote.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("url_name", ["consent:vote-list", "consent:notice-list", "consent:objection-list"])
def test_lists_take_a_fixed_number_of_queries(world, client_for, project, url_name, django_assert_max_num_queries):
    community = world.users["community"]
    vote = open_vote(project, community)
    for _n in range(3):
        services.objection_lodge(project=project, actor=community, channel="window", name="甲", content="x")
    client = client_for(community)
    client.get(reverse(url_name))  # warm the session and caches
    with django_assert_max_num_queries(10):
        assert client.get(reverse(url_name)).status_code == 200
    assert vote.pk


def test_export_of_votes(world, client_for, vote):
    from openpyxl import load_workbook

    client = client_for(world.users["community"])
    response = client.get(reverse("consent:vote-list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
    assert len(rows) == 2


def test_floor_coefficients_are_prefilled_as_exact_decimals(world, client_for, rules):
    from jiati.core.tests.factories import stairwell_with_dwellings
    from jiati.projects import services as project_services

    tall = stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元", storeys=18, per_floor=1)
    project = project_services.project_open(actor=world.users["community"], stairwell=tall)
    form = html(client_for(world.users["community"]).get(reverse("consent:cost-new", args=[project.pk])))
    for line in ("1: 0\n", "3: 0.7\n", "6: 1.0\n", "9: 1.3\n", "16: 2.0\n", "18: 2.0<"):
        assert line in form, line


def test_a_closed_vote_shows_no_online_vote_qr_code(project, world, client_for):
    """Issue 13: the online-vote QR code and link are shown only while owners can still vote online."""
    community = world.users["community"]
    vote = open_vote(project, community)
    client = client_for(community)
    assert 'class="consent-qr"><svg' in html(client.get(reverse("consent:vote-detail", args=[vote.pk])))
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=community)
    page = html(client.get(reverse("consent:vote-detail", args=[vote.pk])))
    assert "consent-qr" not in page and 'id="online-closed"' in page
