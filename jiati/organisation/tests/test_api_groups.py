"""Service groups through the API (for a city system pushing its organisation): the same services and rules as the
pages — delegated reach, tier against area, audited — with refusals in the API's one error body, nothing changed."""

from __future__ import annotations

import pytest

from jiati.audit.models import AuditEntry
from jiati.organisation.models import GroupMembership, ServiceGroup

pytestmark = pytest.mark.django_db
URL = "/api/organisation/groups/"


def _state():
    return (
        sorted(ServiceGroup.objects.values_list("name", "level", "region_id", "property_office_id")),
        sorted(GroupMembership.objects.values_list("group_id", "user_id", "role", "duties")),
        AuditEntry.objects.count(),
    )


def test_a_district_office_creates_changes_and_staffs_a_group(world, client_for):
    client = client_for(world.users["district"])
    response = client.post(
        URL,
        {"name": "平湖街道加梯小组", "level": "subdistrict_group", "region": world.regions["A1"].pk},
        "application/json",
    )
    assert response.status_code == 201, response.content
    group = ServiceGroup.objects.get(pk=response.json()["id"])
    assert AuditEntry.objects.filter(object_id=str(group.pk), action="create").exists()
    response = client.put(
        f"{URL}{group.pk}/",
        {"name": "平湖街道加梯工作专班", "level": "subdistrict_group", "region": world.regions["A1"].pk},
        "application/json",
    )
    assert response.status_code == 200 and response.json()["name"] == "平湖街道加梯工作专班"
    member = world.users["subdistrict"]
    response = client.post(
        f"{URL}{group.pk}/members/", {"user": member.pk, "role": "leader", "duties": "统筹协调"}, "application/json"
    )
    assert response.status_code == 200, response.content
    assert [(m["user"], m["role"], m["duties"]) for m in response.json()["members"]] == [
        (member.pk, "leader", "统筹协调")
    ]
    response = client.post(f"{URL}{group.pk}/members/remove/", {"user": member.pk}, "application/json")
    assert response.status_code == 200 and response.json()["members"] == []
    assert AuditEntry.objects.filter(object_id=str(group.pk), action="update").count() == 3


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        # a subdistrict keeps its own tier and those below it, never the district's
        ("subdistrict", {"level": "district_office", "region": "A"}, 403, None),
        # an area outside the caller's reach answers like a forbidden one and creates nothing
        ("subdistrict", {"level": "subdistrict_group", "region": "A2"}, 403, None),
        ("other_district", {"level": "subdistrict_group", "region": "A1"}, 403, None),
        # a tier whose area is of another level is refused, naming the field
        ("district", {"level": "subdistrict_group", "region": "A1a"}, 400, "region"),
        # a property group needs its office
        ("district", {"level": "property_group", "region": "A1a"}, 400, "property_office"),
        ("community", {"level": "community_group", "region": "A1a"}, 403, None),
    ],
)
def test_refusals_name_the_field_or_deny_and_change_nothing(world, client_for, who, body, status, field):
    before = _state()
    payload = {"name": "小组", "level": body["level"], "region": world.regions[body["region"]].pk}
    response = client_for(world.users[who]).post(URL, payload, "application/json")
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["errors"]
    assert _state() == before


def test_a_group_out_of_reach_is_404_and_its_members_unchanged(world, client_for):
    group = ServiceGroup.objects.create(name="宝安小组", level="district_office", region=world.regions["B"])
    before = _state()
    client = client_for(world.users["district"])
    response = client.post(
        f"{URL}{group.pk}/members/", {"user": world.users["district"].pk, "role": "member"}, "application/json"
    )
    assert response.status_code == 404
    assert _state() == before
