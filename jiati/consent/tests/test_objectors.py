"""Who objects, and whose objection blocks a "no objection from other owners" vote (Beijing style): staff record
an owner by his dwelling (stairwell and room) or an outside party by name; only owners of the rule's wider area
(the building) who are not on the vote's roll, objecting during the vote, count as "others"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiati.consent import selectors, services
from jiati.consent.models import Objection, ObjectionStatus
from jiati.consent.tests.conftest import cast_online, in_stage, open_vote, voters
from jiati.consent.tests.test_services_notices import post as post_notice
from jiati.core.tests.factories import DwellingFactory, OwnerFactory, StairwellFactory
from jiati.housing.models import Ownership
from jiati.projects.models import Stage


@pytest.fixture
def beijing_vote(project, world, rules):
    """A Beijing-style vote on the stairwell where all 12 owners agree: only objections from others can stop it."""
    vote = open_vote(project, world.users["community"], rule_set=rules["beijing-stairwell"])
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    return vote


@pytest.fixture
def next_door(world):
    """A second stairwell of the same building, its owner not on the vote's roll."""
    stairwell = StairwellFactory(building=world.stairwells["a1a"].building, number="2单元", storeys=6)
    dwelling = DwellingFactory(stairwell=stairwell, room="301", floor=3)
    owner = OwnerFactory(name="隔壁业主")
    Ownership.objects.create(owner=owner, dwelling=dwelling)
    return dwelling


def lodge_on_the_page(client, project, **data):
    return client.post(reverse("consent:objection-new", args=[project.pk]), {"channel": "window", **data})


def test_objection_from_a_neighbour_chosen_by_room_on_the_page_blocks_the_vote(
    beijing_vote, project, next_door, world, client_for
):
    assert selectors.vote_verdict(beijing_vote).passed
    client = client_for(world.users["community"])
    response = lodge_on_the_page(client, project, stairwell=next_door.stairwell_id, room="301", content="挡光")
    objection = Objection.objects.get()
    assert response["Location"] == reverse("consent:objection-detail", args=[objection.pk])
    assert objection.dwelling == next_door and objection.owner.name == "隔壁业主" and objection.name == "隔壁业主"
    page = client.get(response["Location"]).content.decode()
    assert "Owner of" in page and "301" in page
    verdict = selectors.vote_verdict(beijing_vote)
    assert all(t.passed for t in verdict.tests) and not verdict.passed
    assert verdict.counts.objections_from_others == 1 and verdict.needed.objections == 1
    assert "1 open objection from other owners settled" in verdict.needed.text()
    # Settled (withdrawn without an answer): the vote passes again.
    services.objection_close(objection=objection, actor=world.users["community"], outcome="withdrawn")
    assert selectors.vote_verdict(beijing_vote).passed


def test_an_outside_party_named_on_the_page_does_not_block_the_vote(beijing_vote, project, world, client_for):
    client = client_for(world.users["community"])
    lodge_on_the_page(client, project, name="路过的市民", address="外小区", content="影响市容")
    objection = Objection.objects.get()
    assert objection.owner is None and objection.dwelling is None and objection.name == "路过的市民"
    assert "An outside party" in client.get(reverse("consent:objection-detail", args=[objection.pk])).content.decode()
    verdict = selectors.vote_verdict(beijing_vote)
    assert verdict.counts.objections_from_others == 0 and verdict.passed


def test_an_owner_on_the_roll_or_in_another_building_is_not_an_other(beijing_vote, project, world, client_for):
    client = client_for(world.users["community"])
    on_roll = voters(beijing_vote)[3].dwellings.get().dwelling
    lodge_on_the_page(client, project, stairwell=on_roll.stairwell_id, room=on_roll.room, content="我反悔了")
    far = StairwellFactory(building__estate=world.estates["a1a"], number="1单元")
    far_dwelling = DwellingFactory(stairwell=far, room="101")
    Ownership.objects.create(owner=OwnerFactory(), dwelling=far_dwelling)
    lodge_on_the_page(client, project, stairwell=far.pk, room="101", content="别的楼")
    assert Objection.objects.count() == 2
    assert Objection.objects.filter(dwelling__isnull=False).count() == 2
    verdict = selectors.vote_verdict(beijing_vote)
    assert verdict.counts.objections_from_others == 0 and verdict.passed


def test_only_objections_raised_during_the_vote_count(beijing_vote, project, next_door, world):
    community = world.users["community"]
    objection = services.objection_lodge(
        project=project, actor=community, channel="letter", dwelling=next_door, content="早先的来信"
    )
    Objection.objects.filter(pk=objection.pk).update(lodged_at=beijing_vote.opens_at - dt.timedelta(days=1))
    assert selectors.vote_verdict(beijing_vote).passed
    Objection.objects.filter(pk=objection.pk).update(lodged_at=timezone.now())
    assert not selectors.vote_verdict(beijing_vote).passed


def test_the_wider_area_can_be_the_estate(project, world, rules):
    """A district's own version whose "others" are the whole estate's owners."""
    district = world.users["district"]
    estate_wide = services.rule_set_create(
        actor=district,
        code="beijing-stairwell",
        name="北京（全小区无异议）",
        rounds=[
            {
                "scope": "stairwell",
                "no_objection_from_others": True,
                "others_scope": "estate",
                "tests": [{"measure": "owners", "numerator": "agreeing", "denominator": "total", "threshold": "2/3"}],
            }
        ],
    )
    vote = open_vote(project, world.users["community"], rule_set=estate_wide)
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    far = StairwellFactory(building__estate=world.estates["a1a"], number="1单元")
    far_dwelling = DwellingFactory(stairwell=far, room="101")
    Ownership.objects.create(owner=OwnerFactory(), dwelling=far_dwelling)
    services.objection_lodge(
        project=project, actor=world.users["community"], channel="phone", dwelling=far_dwelling, content="噪音"
    )
    assert selectors.vote_verdict(vote).counts.objections_from_others == 1


def test_the_objection_form_names_a_missing_room_and_records_nothing(project, world, client_for):
    client = client_for(world.users["community"])
    stairwell = world.stairwells["a1a"]
    url = reverse("consent:objection-new", args=[project.pk])
    page = client.post(
        url, {"channel": "window", "stairwell": stairwell.pk, "room": "9999", "content": "x"}, follow=True
    )
    assert "There is no room “9999”" in page.content.decode()
    page = client.post(url, {"channel": "window", "content": "无名"}, follow=True)  # neither a dwelling nor a name
    assert "give the name of an outside party" in page.content.decode()
    assert not Objection.objects.exists()


def test_the_service_refuses_a_dwelling_outside_the_estate_and_nameless_objections(project, world):
    community = world.users["community"]
    elsewhere = world.stairwells["a1b"].dwellings.first()
    with pytest.raises(ValidationError) as exc:
        services.objection_lodge(project=project, actor=community, channel="window", dwelling=elsewhere, content="x")
    assert exc.value.error_dict["dwelling"][0].code == "dwelling_not_in_estate"
    with pytest.raises(ValidationError):
        services.objection_lodge(project=project, actor=community, channel="window", content="x")
    assert not Objection.objects.exists()


def test_the_api_records_the_objector_by_dwelling(project, world, client_for, next_door):
    client = client_for(world.users["community"])
    response = client.post(
        reverse("consent-objection-list"),
        {"project": project.pk, "channel": "letter", "dwelling": next_door.pk, "content": "来信反对"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["dwelling"] == next_door.pk and response.json()["name"] == "隔壁业主"
    elsewhere = world.stairwells["a1b"].dwellings.first()
    response = client.post(
        reverse("consent-objection-list"),
        {"project": project.pk, "channel": "letter", "dwelling": elsewhere.pk, "content": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and Objection.objects.count() == 1


def test_a_withdrawn_objection_closes_without_an_answer_on_the_page(project, world, client_for):
    community = world.users["community"]
    objection = services.objection_lodge(project=project, actor=community, channel="phone", name="甲", content="反对")
    client = client_for(community)
    page = client.get(reverse("consent:objection-detail", args=[objection.pk])).content.decode()
    assert 'id="withdraw-objection"' in page
    # Any other outcome still needs an answer first.
    with pytest.raises(ValidationError) as exc:
        services.objection_close(objection=objection, actor=community, outcome="negotiated")
    assert exc.value.error_list[0].code == "not_answered"
    client.post(reverse("consent:objection-action", args=[objection.pk, "withdraw"]), {"text": "书面撤回"})
    objection.refresh_from_db()
    assert (objection.status, objection.outcome, objection.response) == (ObjectionStatus.CLOSED, "withdrawn", "")
    assert list(objection.steps.values_list("kind", flat=True)) == ["lodged", "closed"]


def test_the_live_verdict_is_one_query_with_the_objections_counted_in_it(
    beijing_vote, project, next_door, world, django_assert_num_queries
):
    """The rule round is frozen on the vote when it opens; counts and objections come from one statement."""
    services.objection_lodge(
        project=project, actor=world.users["community"], channel="letter", dwelling=next_door, content="挡光"
    )
    vote = type(beijing_vote).objects.get(pk=beijing_vote.pk)
    with django_assert_num_queries(1):
        verdict = selectors.vote_verdict(vote)
    assert verdict.counts.objections_from_others == selectors.objections_from_others(vote, verdict.spec) == 1
    assert verdict.counts.owners_participating == vote.owners_total == 12 and not verdict.passed
    assert verdict.spec.no_objection_from_others and verdict.spec.label == "beijing-stairwell@1"


def test_a_vote_opened_before_the_round_was_frozen_on_it_reads_the_rule_set(beijing_vote, rules):
    from jiati.consent.rules import spec_for_round

    rule_round = rules["beijing-stairwell"].rounds.get(number=1)
    assert beijing_vote.rule_spec == spec_for_round(rule_round).as_json()
    frozen = selectors.vote_verdict(beijing_vote)
    type(beijing_vote).objects.filter(pk=beijing_vote.pk).update(rule_spec={})
    vote = type(beijing_vote).objects.get(pk=beijing_vote.pk)
    assert selectors.round_spec(vote) == frozen.spec
    assert selectors.vote_verdict(vote) == frozen


@pytest.fixture
def agreed(project, world):
    """The project after a passed vote, in the public-notice stage."""
    vote = open_vote(project, world.users["community"])
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=world.users["community"])
    return in_stage(project, Stage.PUBLIC_NOTICE)


def test_a_refused_outside_objection_comes_back_as_typed_with_every_error_at_once(agreed, world, client_for):
    """Issue 13: an outside party's phone "12345" was taken; now it is refused with the missing objection in
    the same answer, and the form on the notice's page comes back open with what was typed."""
    notice = post_notice(agreed, world.users["community"])
    client = client_for(world.users["community"])
    page = lodge_on_the_page(client, agreed, name="外来人员", phone="12345", address="隔壁小区", content="")
    assert page.url == reverse("consent:notice-detail", args=[notice.pk])
    html = client.get(page.url).content.decode()
    assert "is not a valid mobile or landline number" in html  # the phone …
    assert "This field is required." in html or "该字段是必填项" in html  # … and the empty objection, at once
    assert 'value="外来人员"' in html and 'value="12345"' in html and 'value="隔壁小区"' in html
    assert not Objection.objects.exists()
    services_refusal = pytest.raises(ValidationError)
    with services_refusal as caught:  # the service alone (the API) names both too
        services.objection_lodge(
            project=agreed, actor=world.users["community"], channel="letter", name="外来人员", phone="12345", content=""
        )
    assert set(caught.value.error_dict) == {"phone", "content"}
