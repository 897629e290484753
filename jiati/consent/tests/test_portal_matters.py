"""The owner's consent matters on the portal: his votes, objections and cost share, never a neighbour's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from jiati.consent import services
from jiati.consent.models import Objection
from jiati.consent.portal import portal_matters
from jiati.consent.tests.conftest import cast_online, voters
from jiati.core.formatting import format_money
from jiati.residents.auth import SESSION_KEY


def test_owner_sees_his_vote_objection_and_cost_share_and_not_his_neighbours(world, vote):
    mine, theirs = voters(vote)[:2]
    cast_online(vote, theirs, "agree")
    scheme = services.cost_scheme_create(
        project=vote.project, actor=world.users["community"], total_cost=Decimal("480000")
    )
    services.objection_lodge(project=vote.project, content="挡住采光", channel="online", owner=theirs.owner)

    matters = portal_matters(request=None, owner=mine.owner)
    by_order = {m["order"]: m for m in matters}
    assert by_order[10]["url"] == reverse("consent:online-vote", args=[vote.public_token])
    assert by_order[10]["urgent"] and by_order[10]["status"] == "Waiting for your vote"
    assert 20 not in by_order  # the neighbour's objection is his alone
    own_share = scheme.shares.get(dwelling__ownerships__owner=mine.owner)
    shares = [m for m in matters if m["order"] == 25]
    assert [m["status"] for m in shares] == [format_money(own_share.net)] and own_share.room in shares[0]["title"]

    theirs_matters = portal_matters(request=None, owner=theirs.owner)
    voted = next(m for m in theirs_matters if m["order"] == 10)
    assert not voted["urgent"] and voted["status"].startswith("You voted")
    objection = next(m for m in theirs_matters if m["order"] == 20)
    assert objection["status"] == "Waiting for an answer"


def _signed_in(owner) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = client.session
    session[SESSION_KEY] = owner.pk
    session.save()
    return client


def test_the_objection_page_shows_the_owners_own_objection_with_its_answer(world, vote, client_for):
    mine, theirs = voters(vote)[:2]
    objection = services.objection_lodge(
        project=vote.project, content="挡住采光\n楼下很暗", channel="online", owner=mine.owner
    )
    Objection.objects.filter(pk=objection.pk).update(lodged_at=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC))
    url = reverse("consent:my-objection", args=[objection.pk])
    [matter] = [m for m in portal_matters(request=None, owner=mine.owner) if m["order"] == 20]
    assert matter["url"] == url  # my matters links here

    client = _signed_in(mine.owner)
    html = client.get(url).content.decode()
    assert "挡住采光" in html and "楼下很暗" in html and "Waiting for an answer" in html
    assert "2026-03-02 01:30" in html  # lodged, in the district's time
    assert "No answer yet" in html
    services.objection_answer(objection=objection, actor=world.users["community"], text="已协调设计单位调整井道位置。")
    html = client.get(url).content.decode()
    assert "已协调设计单位调整井道位置。" in html and "Answered" in html and "No answer yet" not in html

    assert _signed_in(theirs.owner).get(url).status_code == 404  # a neighbour's objection
    assert Client().get(url).status_code == 302  # not signed in: to the sign-in
    assert client_for(world.users["community"]).get(url).status_code == 200  # staff of the area
    assert client_for(world.users["other_community"]).get(url).status_code == 404  # staff elsewhere
