"""Role × endpoint matrix for the organisation: every page, export and API call shows exactly the user's area,
answers 404 (like missing) outside it, and a refused change leaves everything as it was. Plus query counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import PropertyOfficeFactory, RegionFactory
from jiati.organisation.models import GroupMembership, ServiceGroup, ServiceWindow, WindowKind

ROLES = [
    "admin",
    "district",
    "finance",
    "subdistrict",
    "community",
    "property",
    "contractor",
    "maintainer",
    "resident",
    "other_district",
    "other_community",
]
ALL_REGIONS = {"province", "city", "A", "B", "A1", "A2", "B1", "A1a", "A1b", "A2a", "B1a"}
A_TREE = {"A", "A1", "A2", "A1a", "A1b", "A2a"}

# role → (regions, property offices, service windows, service groups) it sees, by the keys used below.
SEES = {
    "admin": (ALL_REGIONS, {"po_a1a", "po_b1a"}, {"w_a1a", "w_po_a1a"}, {"gA", "gA1", "gA1a", "gPo", "gB"}),
    "district": (A_TREE, {"po_a1a"}, {"w_a1a", "w_po_a1a"}, {"gA", "gA1", "gA1a", "gPo"}),
    "finance": (A_TREE, {"po_a1a"}, {"w_a1a", "w_po_a1a"}, {"gA", "gA1", "gA1a", "gPo"}),
    "subdistrict": ({"A1", "A1a", "A1b"}, {"po_a1a"}, {"w_a1a", "w_po_a1a"}, {"gA1", "gA1a", "gPo"}),
    "community": ({"A1a"}, {"po_a1a"}, {"w_a1a", "w_po_a1a"}, {"gA1a", "gPo"}),
    "property": ({"A1a"}, {"po_a1a"}, {"w_po_a1a"}, {"gPo"}),
    "contractor": (set(), set(), set(), set()),
    "maintainer": (set(), set(), set(), set()),
    "resident": (set(), set(), set(), set()),
    "other_district": ({"B", "B1", "B1a"}, {"po_b1a"}, set(), {"gB"}),
    "other_community": ({"A1b"}, set(), set(), set()),
}
WINDOW_NAMES = {"w_a1a": "新木窗口", "w_po_a1a": "长江物业窗口"}
GROUPS = {  # key → (region key, property office key or None)
    "gA": ("A", None),
    "gA1": ("A1", None),
    "gA1a": ("A1a", None),
    "gPo": ("A1a", "po_a1a"),
    "gB": ("B", None),
}


@pytest.fixture
def groups(world):
    return {
        key: ServiceGroup.objects.create(
            name=f"小组-{key}",
            level="community_group",
            region=world.regions[region],
            property_office=world.offices[office] if office else None,
        )
        for key, (region, office) in GROUPS.items()
    }


def _names(client, url_name, **params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return {row.name for row in response.context["rows"]}


def _export_names(client, url_name, column=0):
    response = client.get(reverse(url_name), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
    return {r[column] for r in rows[1:]}


def _api_names(client, basename):
    response = client.get(reverse(f"{basename}-list"))
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_lists_exports_and_api_lists_show_exactly_the_area(world, groups, client_for, role):
    regions, offices, windows, group_keys = SEES[role]
    client = client_for(world.users[role])
    office_names = {world.offices[k].name for k in offices}
    window_names = {WINDOW_NAMES[k] for k in windows}
    group_names = {groups[k].name for k in group_keys}

    assert _names(client, "organisation:office-list") == office_names
    assert _names(client, "organisation:window-list") == window_names
    assert _names(client, "organisation:group-list") == group_names
    assert _export_names(client, "organisation:office-list", column=1) == office_names
    assert _export_names(client, "organisation:window-list") == window_names
    assert _export_names(client, "organisation:group-list") == group_names
    assert AuditEntry.objects.filter(actor=world.users[role], action="export").count() == 3

    assert _api_names(client, "region") == {world.regions[k].name for k in regions}
    assert _api_names(client, "propertyoffice") == office_names
    assert _api_names(client, "servicewindow") == window_names
    assert _api_names(client, "servicegroup") == group_names


@pytest.mark.parametrize("role", ROLES)
def test_details_answer_404_outside_the_area(world, groups, client_for, role):
    regions, offices, windows, group_keys = SEES[role]
    client = client_for(world.users[role])
    for key, region in world.regions.items():
        expected = 200 if key in regions else 404
        assert client.get(reverse("organisation:region-detail", args=[region.pk])).status_code == expected, key
        assert client.get(reverse("region-detail", args=[region.pk])).status_code == expected, key
    for key, office in world.offices.items():
        expected = 200 if key in offices else 404
        assert client.get(reverse("organisation:office-detail", args=[office.pk])).status_code == expected, key
        assert client.get(reverse("propertyoffice-detail", args=[office.pk])).status_code == expected, key
    for key, name in WINDOW_NAMES.items():
        window = ServiceWindow.objects.get(name=name)
        expected = 200 if key in windows else 404
        assert client.get(reverse("servicewindow-detail", args=[window.pk])).status_code == expected, key
    for key, group in groups.items():
        expected = 200 if key in group_keys else 404
        assert client.get(reverse("organisation:group-detail", args=[group.pk])).status_code == expected, key
        assert client.get(reverse("servicegroup-detail", args=[group.pk])).status_code == expected, key


def _group_state():
    return (
        sorted(GroupMembership.objects.values_list("group_id", "user_id", "role", "duties")),
        sorted(ServiceGroup.objects.values_list("pk", "wecom_webhook_url")),
    )


# Organisation editors are the district office, subdistrict groups and administrators (accounts.permissions).
EDITORS_IN_SCOPE = {"admin", "district", "subdistrict", "other_district"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("group_key", ["gA", "gA1a", "gB"])
def test_refused_group_changes_change_nothing(world, groups, client_for, role, group_key):
    group = groups[group_key]
    group.wecom_webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=original"
    group.save()
    GroupMembership.objects.create(group=group, user=world.users["community"], role="member")
    visible = group_key in SEES[role][3]
    allowed = visible and role in EDITORS_IN_SCOPE
    if allowed:
        pytest.skip("an editor of this group; see test_editors_change_groups_of_their_area")
    before = _group_state()
    client = client_for(world.users[role])
    url = reverse("organisation:group-detail", args=[group.pk])
    posts = [
        {"add": "1", "user": world.users["subdistrict"].pk, "role": "leader", "duties": "改"},
        {"add": "1", "user": world.users["community"].pk, "role": "leader", "duties": "改"},
        {"remove": world.users["community"].pk},
        {"robot": "1", "wecom_webhook_url": "https://evil.example.com/hook?key=stolen"},
        {"robot": "1", "clear": "on"},
    ]
    for data in posts:
        response = client.post(url, data)
        assert response.status_code == (200 if visible else 404), (role, data)
    assert _group_state() == before
    assert not AuditEntry.objects.filter(object_id=str(group.pk), action="update").exists()


def test_editors_change_groups_of_their_area(world, groups, client_for):
    group = groups["gA1"]
    client = client_for(world.users["subdistrict"])
    url = reverse("organisation:group-detail", args=[group.pk])
    client.post(url, {"add": "1", "user": world.users["community"].pk, "role": "leader"})
    assert GroupMembership.objects.filter(group=group, user=world.users["community"], role="leader").exists()
    # A member from outside the editor's area is refused.
    client.post(url, {"add": "1", "user": world.users["other_district"].pk, "role": "member"})
    assert not GroupMembership.objects.filter(user=world.users["other_district"]).exists()
    key_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh1234"
    assert client.post(url, {"robot": "1", "wecom_webhook_url": key_url}).status_code == 302
    group.refresh_from_db()
    assert group.wecom_webhook_url == key_url
    page = client.get(url).content.decode()
    assert "key=****1234" in page and "abcdefgh" not in page
    entry = AuditEntry.objects.filter(object_id=str(group.pk), action="update").latest("id")
    assert "abcdefgh" not in str(entry.changes)
    # A blank address keeps the robot; "remove" clears it; a plain-http address is refused.
    client.post(url, {"robot": "1", "wecom_webhook_url": ""})
    group.refresh_from_db()
    assert group.wecom_webhook_url == key_url
    response = client.post(url, {"robot": "1", "wecom_webhook_url": "http://insecure.example.com/hook"})
    assert response.status_code == 200
    group.refresh_from_db()
    assert group.wecom_webhook_url == key_url
    client.post(url, {"robot": "1", "clear": "on"})
    group.refresh_from_db()
    assert group.wecom_webhook_url == ""


# --- query counts ----------------------------------------------------------------------


def _grow(world, n=12):
    """More of everything in community A1a: offices, windows, groups with members, and communities."""
    from jiati.organisation.models import GroupMembership as Membership

    community = world.regions["A1a"]
    for i in range(n):
        office = PropertyOfficeFactory(community=community)
        ServiceWindow.objects.create(
            name=f"窗口{i}", kind=WindowKind.PROPERTY_OFFICE, property_office=office, community=community
        )
        group = ServiceGroup.objects.create(name=f"增加的小组{i}", level="community_group", region=community)
        Membership.objects.create(group=group, user=world.users["community"])
        Membership.objects.create(group=group, user=world.users["subdistrict"])
        RegionFactory(level="community", parent=world.regions["A1"])


def _members(world, groups):
    """One member per group, so that the first measurement already includes the members' prefetch."""
    for group in groups.values():
        GroupMembership.objects.create(group=group, user=world.users["admin"])


LISTS = [
    ("organisation:office-list", {}),
    ("organisation:window-list", {}),
    ("organisation:group-list", {}),
    ("propertyoffice-list", {}),
    ("servicewindow-list", {}),
    ("servicegroup-list", {}),
    ("region-list", {}),
]


@pytest.mark.parametrize("role", ["district", "subdistrict", "admin"])
@pytest.mark.parametrize(("url_name", "params"), LISTS, ids=[name for name, _p in LISTS])
def test_list_query_count_does_not_grow_with_rows(
    world, groups, client_for, django_assert_max_num_queries, role, url_name, params
):
    _members(world, groups)
    client = client_for(world.users[role])
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse(url_name), params).status_code == 200
    _grow(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url_name), params).status_code == 200


@pytest.mark.parametrize("region_key", ["A1", "A1a"])
def test_region_page_query_count_does_not_grow(world, groups, client_for, django_assert_max_num_queries, region_key):
    _members(world, groups)
    client = client_for(world.users["district"])
    url = reverse("organisation:region-detail", args=[world.regions[region_key].pk])
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    _grow(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
