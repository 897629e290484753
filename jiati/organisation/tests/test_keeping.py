"""Keeping the organisation from its pages: service groups of the three tiers, workstations and property offices.
Each change is audited, stays inside the delegated reach (a subdistrict group keeps its own tier and those below,
in its subdistrict), and a refused form comes back with its values and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiati.audit.models import AuditEntry
from jiati.organisation.models import PropertyOffice, ServiceGroup, ServiceWindow, Workstation


def _group_post(world, **overrides):
    data = {"name": "平湖街道加梯小组", "level": "subdistrict_group", "region": world.regions["A1"].pk}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _state():
    return (
        sorted(ServiceGroup.objects.values_list("name", "level", "region_id", "property_office_id")),
        sorted(Workstation.objects.values_list("community_id", "name", "address", "phone")),
        sorted(PropertyOffice.objects.values_list("code", "name", "community_id", "phone")),
        ServiceWindow.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_district_office_creates_and_changes_a_group_audited(world, client_for):
    client = client_for(world.users["district"])
    response = client.post(reverse("organisation:group-create"), _group_post(world))
    group = ServiceGroup.objects.get(name="平湖街道加梯小组")
    assert response.status_code == 302 and response.url == reverse("organisation:group-detail", args=[group.pk])
    assert AuditEntry.objects.get(object_id=str(group.pk), action="create").actor == world.users["district"]
    response = client.post(
        reverse("organisation:group-edit", args=[group.pk]), _group_post(world, name="平湖街道加梯工作专班")
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "平湖街道加梯工作专班"
    change = AuditEntry.objects.get(object_id=str(group.pk), action="update")
    assert change.changes["name"] == ["平湖街道加梯小组", "平湖街道加梯工作专班"]
    page = client.get(reverse("organisation:group-detail", args=[group.pk])).content.decode()
    assert reverse("organisation:group-edit", args=[group.pk]) in page


def test_a_property_group_belongs_to_an_office_of_its_community(world, client_for):
    client = client_for(world.users["subdistrict"])
    office = world.offices["po_a1a"]
    post = _group_post(world, name="长江物业服务团队", level="property_group", region=world.regions["A1a"].pk)
    response = client.post(reverse("organisation:group-create"), post)
    assert response.status_code == 200 and "Choose the property office of this group." in response.content.decode()
    response = client.post(reverse("organisation:group-create"), {**post, "property_office": office.pk})
    assert response.status_code == 302
    assert ServiceGroup.objects.get(name="长江物业服务团队").property_office == office


def test_a_refused_group_form_keeps_its_values_and_every_error_and_saves_nothing(world, client_for):
    before = _state()
    client = client_for(world.users["district"])
    post = _group_post(
        world, name="新木社区服务团队", level="community_group", property_office=world.offices["po_a1a"].pk
    )  # a community group given a subdistrict, and an office
    response = client.post(reverse("organisation:group-create"), post)
    page = response.content.decode()
    assert response.status_code == 200 and _state() == before
    assert 'value="新木社区服务团队"' in page
    errors = response.context["form"].errors
    assert "answers for a community" in str(errors["region"])
    assert "Only a property service group" in str(errors["property_office"])


# Delegated administration: who may create which tier where. (role, level, region key, allowed)
MATRIX = [
    ("admin", "district_office", "B", True),
    ("district", "district_office", "A", True),
    ("district", "community_group", "A2a", True),
    ("district", "community_group", "B1a", False),  # another district
    ("subdistrict", "community_group", "A1b", True),
    ("subdistrict", "subdistrict_group", "A1", True),
    ("subdistrict", "district_office", "A", False),  # above its own tier
    ("subdistrict", "community_group", "A2a", False),  # another subdistrict
    ("community", "community_group", "A1a", False),  # not an organisation editor
    ("finance", "community_group", "A1a", False),
    ("other_district", "community_group", "A1a", False),
]


@pytest.mark.parametrize(("role", "level", "region", "allowed"), MATRIX)
def test_who_may_create_which_group_where_and_nothing_changes_on_denial(
    world, client_for, role, level, region, allowed
):
    before = _state()
    post = _group_post(world, name="新建小组", level=level, region=world.regions[region].pk)
    response = client_for(world.users[role]).post(reverse("organisation:group-create"), post)
    if allowed:
        assert response.status_code == 302
        group = ServiceGroup.objects.get(name="新建小组")
        assert (group.level, group.region) == (level, world.regions[region])
    else:
        assert response.status_code in (200, 403)  # 200: the form refuses the tier or region it does not offer
        assert _state() == before


def test_a_subdistrict_group_may_not_raise_a_group_above_its_tier_nor_reach_groups_outside(world, client_for):
    own = ServiceGroup.objects.create(name="平湖小组", level="subdistrict_group", region=world.regions["A1"])
    office_group = ServiceGroup.objects.create(name="区加梯办", level="district_office", region=world.regions["A"])
    b_group = ServiceGroup.objects.create(name="宝安小组", level="subdistrict_group", region=world.regions["B1"])
    before = _state()
    client = client_for(world.users["subdistrict"])
    post = _group_post(world, name="x", level="district_office", region=world.regions["A"].pk)
    response = client.post(reverse("organisation:group-edit", args=[own.pk]), post)
    assert response.status_code == 200 and "level" in response.context["form"].errors
    assert client.post(reverse("organisation:group-edit", args=[office_group.pk]), post).status_code == 404
    assert client.get(reverse("organisation:group-edit", args=[b_group.pk])).status_code == 404
    assert client_for(world.users["community"]).get(reverse("organisation:group-create")).status_code == 403
    assert _state() == before


def test_a_workstation_is_set_up_and_changed_from_its_community_page(world, client_for):
    client = client_for(world.users["subdistrict"])
    community = world.regions["A1b"]
    page = client.get(reverse("organisation:region-detail", args=[community.pk])).content.decode()
    assert reverse("organisation:workstation-edit", args=[community.pk]) in page
    url = reverse("organisation:workstation-edit", args=[community.pk])
    assert (
        client.post(url, {"name": "山厦社区工作站", "address": "山厦路2号", "phone": "0755-28881234"}).status_code
        == 302
    )
    station = Workstation.objects.get(community=community)
    assert station.windows.count() == 1  # its service window opens with it
    client.post(url, {"name": "山厦社区党群服务中心", "address": "山厦路2号", "phone": "0755-28881234"})
    station.refresh_from_db()
    assert station.name == "山厦社区党群服务中心"
    assert AuditEntry.objects.filter(object_id=str(station.pk), action="update").exists()
    before = _state()
    own = reverse("organisation:workstation-edit", args=[world.regions["A1a"].pk])
    assert client_for(world.users["community"]).post(own, {"name": "x"}).status_code == 403
    assert client_for(world.users["other_district"]).post(url, {"name": "x"}).status_code == 404
    subdistrict = reverse("organisation:workstation-edit", args=[world.regions["A1"].pk])
    assert client_for(world.users["subdistrict"]).get(subdistrict).status_code == 403  # not a community
    assert _state() == before


def test_property_offices_are_created_and_changed_and_a_taken_code_is_refused(world, client_for):
    client = client_for(world.users["district"])
    post = {
        "code": "PO-A1A", "name": "山厦物业", "company_name": "山厦物业公司", "community": world.regions["A1b"].pk,
        "address": "", "phone": "", "with_window": "on",
    }  # fmt: skip
    before = _state()
    response = client.post(reverse("organisation:office-create"), post)
    assert response.status_code == 200 and _state() == before
    assert "exists already" in str(response.context["form"].errors["code"])
    assert 'value="山厦物业公司"' in response.content.decode()
    response = client.post(reverse("organisation:office-create"), {**post, "code": "PO-A1B"})
    office = PropertyOffice.objects.get(code="PO-A1B")
    assert response.status_code == 302 and office.windows.count() == 1
    assert AuditEntry.objects.filter(object_id=str(office.pk), action="create").exists()
    edit = reverse("organisation:office-edit", args=[office.pk])
    response = client.post(edit, {**post, "code": "CHANGED", "name": "山厦花园物业服务中心"})
    office.refresh_from_db()
    assert response.status_code == 302 and (office.code, office.name) == ("PO-A1B", "山厦花园物业服务中心")
    assert client_for(world.users["other_district"]).get(edit).status_code == 404
    assert client_for(world.users["property"]).get(reverse("organisation:office-create")).status_code == 403


@pytest.mark.parametrize("url_name", ["organisation:group-list", "organisation:office-list"])
def test_the_lists_offer_adding_to_those_who_may_and_filter_in_place(world, client_for, url_name):
    assert "btn-primary" in client_for(world.users["district"]).get(reverse(url_name)).content.decode()
    assert "bi-plus" not in client_for(world.users["community"]).get(reverse(url_name)).content.decode()
    response = client_for(world.users["district"]).get(reverse(url_name), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()


def test_a_workstation_and_an_office_refuse_a_phone_that_is_none_through_the_service_too(world):
    """Issue 13: the services stored any text as a window's phone ("12345"); the API reaches them past the forms."""
    from django.core.exceptions import ValidationError

    from jiati.organisation import services

    before = _state()
    with pytest.raises(ValidationError) as refused:
        services.workstation_save(
            actor=world.users["subdistrict"], community=world.regions["A1b"], name="", address="", phone="12345"
        )
    assert set(refused.value.message_dict) == {"phone", "name"}  # with the model's own check, at once
    with pytest.raises(ValidationError) as refused:
        services.property_office_save(
            actor=world.users["district"], code="PO-X", name="物业", community=world.regions["A1b"], phone="12345"
        )
    assert set(refused.value.message_dict) == {"phone"}
    assert _state() == before
    station = services.workstation_save(
        actor=world.users["subdistrict"], community=world.regions["A1b"], name="工作站", phone="0755 2888 1234"
    )
    assert station.phone == "075528881234" or station.phone.startswith("0755")
