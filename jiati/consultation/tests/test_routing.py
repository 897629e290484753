"""Routing: a petition goes to the group answering for its estate, then one level up at a time."""

from __future__ import annotations

from jiati.consultation import routing
from jiati.consultation.models import PetitionLevel
from jiati.organisation.models import GroupMembership, MemberRole


def test_community_group_with_the_estates_responsible_staff(world, groups, liaison):
    route = routing.route_for(estate=world.estates["a1a"])
    assert route == routing.Route(level=PetitionLevel.COMMUNITY, group=groups["community"], handler=liaison)


def test_without_a_responsible_person_the_group_leader_handles(world, groups):
    route = routing.route_for(estate=world.estates["a1a"])
    assert route.group == groups["community"] and route.handler == world.users["community"]


def test_an_inactive_responsible_person_is_skipped(world, groups, liaison):
    liaison.is_active = False
    liaison.save()
    assert routing.route_for(estate=world.estates["a1a"]).handler == world.users["community"]


def test_leader_before_deputy_before_member(world, groups):
    GroupMembership.objects.filter(group=groups["community"]).update(role=MemberRole.MEMBER)
    GroupMembership.objects.create(group=groups["community"], user=world.users["property"], role=MemberRole.DEPUTY)
    assert routing.route_for(estate=world.estates["a1a"]).handler == world.users["property"]


def test_next_levels(world, groups):
    estate = world.estates["a1a"]
    sub = routing.route_for(estate=estate, level=PetitionLevel.SUBDISTRICT)
    assert (sub.level, sub.group, sub.handler) == (
        PetitionLevel.SUBDISTRICT,
        groups["subdistrict"],
        world.users["subdistrict"],
    )
    top = routing.route_for(estate=estate, level=PetitionLevel.DISTRICT)
    assert (top.level, top.group, top.handler) == (PetitionLevel.DISTRICT, groups["district"], world.users["district"])
    assert routing.next_level(PetitionLevel.COMMUNITY) == PetitionLevel.SUBDISTRICT
    assert routing.next_level(PetitionLevel.DISTRICT) is None


def test_a_community_without_a_group_passes_to_the_subdistrict(world, groups):
    route = routing.route_for(estate=world.estates["a2a"])  # community A2a has no group, nor has subdistrict A2
    assert route.level == PetitionLevel.DISTRICT and route.group == groups["district"]


def test_no_group_anywhere(world):
    route = routing.route_for(estate=world.estates["b1a"])
    assert route.group is None and route.handler is None and route.level == PetitionLevel.COMMUNITY
