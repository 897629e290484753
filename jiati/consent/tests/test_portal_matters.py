"""The owner's consent matters on the portal: his votes, objections and cost share, never a neighbour's."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from jiati.consent import services
from jiati.consent.portal import portal_matters
from jiati.consent.tests.conftest import cast_online, voters
from jiati.core.formatting import format_money


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
