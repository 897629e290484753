"""Service-group members: named people and roles, changed by organisation editors of the area, audited."""

from django.urls import reverse

from jiati.audit.models import AuditEntry
from jiati.organisation.models import GroupMembership, ServiceGroup


def test_district_office_adds_and_removes_a_member(world, client_for):
    group = ServiceGroup.objects.create(name="平湖街道加梯小组", level="subdistrict_group", region=world.regions["A1"])
    client = client_for(world.users["district"])
    member = world.users["community"]
    client.post(
        reverse("organisation:group-detail", args=[group.pk]),
        {"add": "1", "user": member.pk, "role": "leader", "duties": "分片包干"},
    )
    assert GroupMembership.objects.get(group=group, user=member).role == "leader"
    assert AuditEntry.objects.filter(object_id=str(group.pk)).exists()
    client.post(reverse("organisation:group-detail", args=[group.pk]), {"remove": member.pk})
    assert not GroupMembership.objects.filter(group=group).exists()


def test_others_cannot_change_members(world, client_for):
    group = ServiceGroup.objects.create(name="平湖街道加梯小组", level="subdistrict_group", region=world.regions["A1"])
    for role in ("community", "other_district"):
        response = client_for(world.users[role]).post(
            reverse("organisation:group-detail", args=[group.pk]),
            {"add": "1", "user": world.users["community"].pk, "role": "leader"},
        )
        assert response.status_code in (200, 404)
    assert not GroupMembership.objects.filter(group=group).exists()
