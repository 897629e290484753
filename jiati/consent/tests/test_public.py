"""The owner's side, without a staff sign-in: voting online with a one-time code sent to the phone on the frozen
roll, the receipt check (no names), the public notice and online objections, and the portal section."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from jiati.consent.models import Ballot, Objection, RollVoter
from jiati.consent.tests.conftest import cast_online, in_stage, open_vote, voters
from jiati.core.personal_data import mask_phone
from jiati.notifications.channels import ConsoleSmsSender
from jiati.projects.models import Stage
from jiati.residents.auth import SESSION_KEY
from jiati.residents.models import OneTimeCode


def last_code(phone: str) -> str:
    text = next(t for p, t in reversed(ConsoleSmsSender.sent) if p == phone)
    return re.search(r"\d{6}", text).group(0)


def same_page(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def identify(client, vote, voter) -> None:
    client.post(reverse("consent:online-vote", args=[vote.public_token]), {"phone": voter.phone})
    client.post(reverse("consent:online-code", args=[vote.public_token]), {"code": last_code(voter.phone)})


def test_an_owner_votes_on_the_phone_and_checks_the_receipt(vote, client):
    voter = voters(vote)[3]
    start = client.get(reverse("consent:online-vote", args=[vote.public_token]))
    assert start.status_code == 200 and vote.plan in start.content.decode()
    response = client.post(reverse("consent:online-vote", args=[vote.public_token]), {"phone": voter.phone})
    assert response["Location"] == reverse("consent:online-code", args=[vote.public_token])
    code = last_code(voter.phone)
    response = client.post(reverse("consent:online-code", args=[vote.public_token]), {"code": code})
    assert response["Location"] == reverse("consent:online-ballot", args=[vote.public_token])
    page = client.get(response["Location"]).content.decode()
    assert vote.plan in page and voter.rooms in page and f'id="ballot-form-{voter.pk}"' in page
    response = client.post(
        reverse("consent:online-ballot", args=[vote.public_token]), {"voter": voter.pk, "choice": "agree"}
    )
    assert response["Location"] == reverse("consent:online-done", args=[vote.public_token])
    done = client.get(response["Location"]).content.decode()
    receipt = re.search(r'id="receipt-code">([A-Z0-9-]+)<', done).group(1)
    ballot = Ballot.objects.get()
    assert (ballot.voter_id, ballot.choice, ballot.channel) == (voter.pk, "agree", "online")
    # The receipt is shown once.
    assert client.get(reverse("consent:online-done", args=[vote.public_token])).status_code == 302
    check = client.get(reverse("consent:receipt-check"), {"receipt": receipt}).content.decode()
    assert 'id="receipt-counted"' in check and 'id="chain-ok"' in check
    for name in RollVoter.objects.filter(vote=vote).values_list("name", flat=True):
        assert name not in check
    unknown = client.get(reverse("consent:receipt-check"), {"receipt": "AAAA-BBBB-CCCC"}).content.decode()
    assert 'id="receipt-unknown"' in unknown


def test_the_owner_sees_his_share_before_voting(project, world, client):
    from decimal import Decimal

    from jiati.consent import services

    scheme = services.cost_scheme_create(
        project=project, actor=world.users["community"], total_cost=Decimal("480000.00")
    )
    vote = open_vote(project, world.users["community"], cost_scheme=scheme)
    voter = voters(vote)[0]
    identify(client, vote, voter)
    page = client.get(reverse("consent:online-ballot", args=[vote.public_token])).content.decode()
    assert 'id="my-share"' in page and "40,000.00" in page  # 480,000 over 12 equal dwellings


def test_a_number_not_on_the_roll_gets_no_code_and_the_same_answer(vote):
    """Issue 19: the code step must not tell a stranger whether a number is on the roll (and so where it lives)."""
    voter = voters(vote)[0]
    client = Client()
    known = client.post(reverse("consent:online-vote", args=[vote.public_token]), {"phone": voter.phone})
    before = OneTimeCode.objects.count()
    stranger = Client()
    unknown = stranger.post(reverse("consent:online-vote", args=[vote.public_token]), {"phone": "13700000000"})
    assert OneTimeCode.objects.count() == before  # nobody is texted
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == reverse("consent:online-code", args=[vote.public_token])
    known_page = client.get(known["Location"]).content.decode()
    unknown_page = stranger.get(unknown["Location"]).content.decode()
    masked = mask_phone(voter.phone)
    assert same_page(known_page).replace(masked, "X") == same_page(unknown_page).replace("137****0000", "X")
    # The code step refuses a number not on the roll exactly like a wrong code.
    wrong = "000000" if last_code(voter.phone) != "000000" else "111111"
    refused_known = client.post(known["Location"], {"code": wrong}).content.decode()
    refused_unknown = stranger.post(unknown["Location"], {"code": wrong}).content.decode()
    assert same_page(refused_known).replace(masked, "X") == same_page(refused_unknown).replace("137****0000", "X")


def test_code_requests_are_limited_per_phone_whether_on_the_roll_or_not(vote, client, settings):
    settings.JIATI_SIGNIN_CODES_PER_PHONE_HOUR = 2
    url = reverse("consent:online-vote", args=[vote.public_token])
    for phone in (voters(vote)[0].phone, "13700000000"):
        for _attempt in range(2):
            assert Client().post(url, {"phone": phone}).status_code == 302
        refused = Client().post(url, {"phone": phone})
        assert refused.status_code == 200 and "invalid-feedback" in refused.content.decode()


def test_the_old_counted_address_is_gone_except_for_staff_who_see_the_vote(vote, client, client_for, world):
    legacy = f"/consent/v/{vote.pk}/"
    assert client.get(legacy).status_code == 404
    assert client.get(f"/consent/v/{vote.pk + 1}/").status_code == 404
    staff = client_for(world.users["community"]).get(legacy)
    assert staff.status_code == 302 and staff["Location"] == reverse("consent:online-vote", args=[vote.public_token])
    assert len(vote.public_token) >= 20 and not vote.public_token.isdigit()


def test_wrong_codes_are_counted_and_lock_after_five(vote, client):
    voter = voters(vote)[0]
    client.post(reverse("consent:online-vote", args=[vote.public_token]), {"phone": voter.phone})
    right = last_code(voter.phone)
    wrong = "000000" if right != "000000" else "111111"
    for attempt in range(1, 6):
        page = client.post(reverse("consent:online-code", args=[vote.public_token]), {"code": wrong}).content.decode()
        assert "invalid-feedback" in page
        assert OneTimeCode.objects.get(phone=voter.phone, purpose=f"vote:{vote.pk}").attempts == attempt
    page = client.post(reverse("consent:online-code", args=[vote.public_token]), {"code": right})
    assert page.status_code == 200  # locked: even the right code no longer works
    assert client.get(reverse("consent:online-ballot", args=[vote.public_token]))["Location"] == reverse(
        "consent:online-vote", args=[vote.public_token]
    )
    assert not Ballot.objects.exists()


def test_no_ballot_page_without_the_code(vote, client):
    assert client.get(reverse("consent:online-ballot", args=[vote.public_token])).status_code == 302
    response = client.post(
        reverse("consent:online-ballot", args=[vote.public_token]), {"voter": voters(vote)[0].pk, "choice": "agree"}
    )
    assert response.status_code == 302 and not Ballot.objects.exists()


def test_one_code_one_ballot_and_changing_needs_a_new_code(vote, client):
    voter = voters(vote)[0]
    identify(client, vote, voter)
    client.post(reverse("consent:online-ballot", args=[vote.public_token]), {"voter": voter.pk, "choice": "disagree"})
    client.get(reverse("consent:online-done", args=[vote.public_token]))
    client.post(reverse("consent:online-ballot", args=[vote.public_token]), {"voter": voter.pk, "choice": "agree"})
    assert Ballot.objects.get().choice == "disagree"
    # A day later (another code): he changes his mind; the last one counts and the history stays.
    OneTimeCode.objects.update(created_at="2000-01-01T00:00:00Z")
    client.cookies.clear()
    identify(client, vote, voter)
    page = client.get(reverse("consent:online-ballot", args=[vote.public_token])).content.decode()
    assert 'id="current-ballot"' in page
    client.post(reverse("consent:online-ballot", args=[vote.public_token]), {"voter": voter.pk, "choice": "agree"})
    ballot = Ballot.objects.get()
    assert (ballot.choice, ballot.revision) == ("agree", 2)


def test_a_closed_vote_takes_no_online_ballots(vote, world, client):
    from jiati.consent import services

    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=world.users["community"])
    page = client.get(reverse("consent:online-vote", args=[vote.public_token])).content.decode()
    assert 'id="vote-closed"' in page
    client.post(reverse("consent:online-vote", args=[vote.public_token]), {"phone": voters(vote)[0].phone})
    assert not OneTimeCode.objects.filter(purpose=f"vote:{vote.pk}").exists()


def test_portal_section_lists_the_owners_open_votes(vote, client):
    voter = voters(vote)[0]
    session = client.session
    session[SESSION_KEY] = voter.owner_id
    session.save()
    page = client.get(reverse("portal:home")).content.decode()
    assert 'id="portal-votes"' in page and reverse("consent:online-vote", args=[vote.public_token]) in page
    # The phone is prefilled for an owner signed in to the portal.
    assert voter.phone in client.get(reverse("consent:online-vote", args=[vote.public_token])).content.decode()


def test_public_notice_and_online_objection(project, world, client):
    from jiati.consent import services

    community = world.users["community"]
    vote = open_vote(project, community)
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=community)
    in_stage(project, Stage.PUBLIC_NOTICE)
    from django.utils import timezone

    notice = services.notice_post(
        project=project, actor=community, starts_on=timezone.localdate(), period_days=5, content="方案"
    )
    url = reverse("consent:public-notice", args=[notice.pk])
    page = client.get(url).content.decode()
    assert "方案" in page and reverse("portal:login") in page
    client.post(reverse("consent:public-objection", args=[notice.pk]), {"content": "反对"})
    assert not Objection.objects.exists()  # not signed in
    owner = voters(vote)[0].owner
    session = client.session
    session[SESSION_KEY] = owner.pk
    session.save()
    client.post(reverse("consent:public-objection", args=[notice.pk]), {"content": "电梯噪音"})
    objection = Objection.objects.get()
    assert (objection.owner, objection.channel, objection.notice) == (owner, "online", notice)
    page = client.get(url).content.decode()
    assert owner.name not in page
    # Issue 13: the owner sees his objection and where it stands, and is not invited to lodge a second one.
    assert 'id="my-objections"' in page and "Waiting for an answer" in page and "电梯噪音" in page
    assert 'id="objection-form"' not in page


@pytest.mark.parametrize("name", ["consent:online-vote", "consent:online-code", "consent:online-ballot"])
def test_public_pages_need_no_staff_sign_in_and_unknown_votes_are_404(client, db, name):
    assert client.get(reverse(name, args=["not-a-real-token-at-all"])).status_code == 404


def test_residents_can_not_reach_staff_pages(vote, world, client_for):
    client = client_for(world.users["resident"])
    roll = list(RollVoter.objects.filter(vote=vote))
    assert roll  # the vote has owners whose names a refusal must not show
    for url in (
        reverse("consent:vote-detail", args=[vote.pk]),
        reverse("consent:vote-roll", args=[vote.pk]),
        reverse("consent:tally"),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404)
        page = response.content.decode()
        # A refusal shows nothing of the roll: no other owner's name or phone.
        assert not [v.name for v in roll if v.name in page]
        assert not [v.phone for v in roll if v.phone and v.phone in page]


def test_chinese_is_the_default_for_owners(vote):
    """Residents get Chinese without asking (needs the compiled catalogue, as bin/setup builds it)."""
    page = Client().get(reverse("consent:online-vote", args=[vote.public_token])).content.decode()
    assert '<html lang="zh-CN">' in page
    assert "发送验证码" in page and "表决截止" in page


def test_printed_ballot_forms_point_at_the_vote_by_its_token(vote):
    from jiati.consent.pdfs import ballot_forms_context

    context = ballot_forms_context(vote, RollVoter.objects.filter(vote=vote)[:1])
    assert context["online_url"].endswith(reverse("consent:online-vote", args=[vote.public_token]))
    assert f"/consent/v/{vote.pk}/" not in context["online_url"]
