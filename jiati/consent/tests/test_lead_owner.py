"""The lead owner follows his project's vote on the resident portal: the live result and what is still needed,
as counts (no names). Other owners, and owners signed in to the portal who do not lead the project, do not."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from jiati.accounts.models import Role
from jiati.consent.panels import project_panels
from jiati.consent.tests.conftest import cast_online, voters
from jiati.core.tests.factories import make_user
from jiati.housing.models import Ownership
from jiati.projects.models import Project
from jiati.residents.auth import SESSION_KEY


@pytest.fixture
def led_vote(vote, world):
    """The open vote on the project; the world's resident user's owner is its lead owner; 5 of 12 agree."""
    lead = world.users["resident"].owner
    Project.objects.filter(pk=vote.project_id).update(lead_owner=lead)
    for voter in voters(vote)[:5]:
        cast_online(vote, voter, "agree")
    return vote


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_lead_owner_sees_the_live_result_and_what_is_still_needed_on_the_portal(led_vote, world, client_for):
    client = client_for(world.users["resident"])
    home = page(client.get(reverse("portal:home")))
    assert f'id="lead-result-{led_vote.pk}"' in home
    assert "Not passing yet" in home and "owner count: 3 more owners voting agree" in home
    detail = page(client.get(reverse("consent:lead-vote", args=[led_vote.pk])))
    assert 'id="still-needed"' in detail and 'id="need-participating_owners"' in detail
    assert "41.7%" in detail and 'hx-get="' + reverse("consent:lead-vote", args=[led_vote.pk]) in detail
    partial = page(client.get(reverse("consent:lead-vote", args=[led_vote.pk]), HTTP_HX_REQUEST="true"))
    assert 'id="vote-result"' in partial and "<html" not in partial
    lead = world.users["resident"].owner
    for voter in voters(led_vote):
        if voter.owner_id != lead.pk:  # counts only, never the other owners' names
            assert voter.name not in detail and voter.name not in home, voter.name


def test_an_owner_signed_in_with_a_code_who_leads_the_project_sees_it_too(led_vote, world, client):
    session = client.session
    session[SESSION_KEY] = world.users["resident"].owner_id
    session.save()
    assert f'id="lead-result-{led_vote.pk}"' in page(client.get(reverse("portal:home")))
    assert 'id="still-needed"' in page(client.get(reverse("consent:lead-vote", args=[led_vote.pk])))


def test_other_owners_do_not_see_the_tally(led_vote, world, client_for):
    lead = world.users["resident"].owner
    other = (
        Ownership.objects.filter(dwelling__stairwell=led_vote.project.stairwell)
        .exclude(owner=lead)
        .select_related("owner")
        .first()
        .owner
    )
    neighbour = make_user("neighbour", Role.RESIDENT, owner=other)
    client = client_for(neighbour)
    home = page(client.get(reverse("portal:home")))
    assert f'id="lead-result-{led_vote.pk}"' not in home and "owner count:" not in home
    assert client.get(reverse("consent:lead-vote", args=[led_vote.pk])).status_code == 404
    # The consent card of the project (wherever a resident may be shown it) carries no tally for him either…
    project = Project.objects.get(pk=led_vote.project_id)
    request = RequestFactory().get("/")
    request.user = neighbour
    panel = project_panels(request=request, project=project)[0]
    assert panel["verdict"] is None and panel["breakdown"] is None and panel["vote"] == led_vote
    # …while the lead owner's does, with a link to follow it.
    request = RequestFactory().get("/")
    request.user = world.users["resident"]
    panel = project_panels(request=request, project=project)[0]
    assert panel["verdict"] is not None and panel["lead_owner"]
    html = render_to_string("consent/_panel.html", {"panel": panel}, request=request)
    assert 'id="vote-result"' in html and 'id="panel-lead-link"' in html


def test_anonymous_visitors_sign_in_first_and_staff_see_their_area(led_vote, world, client, client_for):
    url = reverse("consent:lead-vote", args=[led_vote.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    assert 'id="still-needed"' in page(client_for(world.users["community"]).get(url))
    assert client_for(world.users["other_district"]).get(url).status_code == 404


def test_a_cancelled_vote_is_not_shown(led_vote, world, client_for):
    from jiati.consent import services

    services.vote_cancel(vote=led_vote, actor=world.users["community"], reason="名册有误")
    client = client_for(world.users["resident"])
    assert client.get(reverse("consent:lead-vote", args=[led_vote.pk])).status_code == 404
    assert f'id="lead-result-{led_vote.pk}"' not in page(client.get(reverse("portal:home")))
