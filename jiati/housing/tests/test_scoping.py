"""Role × endpoint matrix for the registry: every page, export and API call shows only the user's area,
answers 404 (like missing) out of it, and a refused change leaves the data as it was."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiati.housing.models import Dwelling, Estate, Owner, Stairwell

# Which estates (keys of world.estates) each role sees.
VISIBLE = {
    "admin": {"a1a", "a1b", "a2a", "b1a"},
    "district": {"a1a", "a1b", "a2a"},
    "finance": {"a1a", "a1b", "a2a"},
    "subdistrict": {"a1a", "a1b"},
    "community": {"a1a"},
    "property": {"a1a"},
    "contractor": set(),
    "maintainer": set(),
    "resident": set(),
    "other_district": {"b1a"},
    "other_community": {"a1b"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_querysets_follow_the_tree(world, role):
    user = world.users[role]
    expected = {world.estates[k].pk for k in VISIBLE[role]}
    assert set(Estate.objects.visible_to(user).values_list("pk", flat=True)) == expected
    assert set(Stairwell.objects.visible_to(user).values_list("estate_id", flat=True)) == expected
    assert set(Dwelling.objects.visible_to(user).values_list("estate_id", flat=True)) == expected
    owners = set(Owner.objects.visible_to(user).values_list("ownerships__dwelling__estate_id", flat=True))
    assert owners == expected


DETAIL_PAGES = [
    ("housing:estate-detail", lambda w, k: w.estates[k].pk),
    ("housing:building-detail", lambda w, k: w.stairwells[k].building_id),
    ("housing:stairwell-detail", lambda w, k: w.stairwells[k].pk),
    ("housing:dwelling-detail", lambda w, k: w.stairwells[k].dwellings.first().pk),
    ("housing:owner-detail", lambda w, k: w.stairwells[k].dwellings.first().ownerships.first().owner_id),
]


@pytest.mark.parametrize("role", sorted(VISIBLE))
@pytest.mark.parametrize(("url_name", "pk_of"), DETAIL_PAGES, ids=[d[0] for d in DETAIL_PAGES])
def test_detail_pages_answer_404_outside_the_area(world, client_for, role, url_name, pk_of):
    client = client_for(world.users[role])
    for key in world.estates:
        response = client.get(reverse(url_name, args=[pk_of(world, key)]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, url_name, key)


LIST_PAGES = ["housing:estate-list", "housing:stairwell-list", "housing:dwelling-list", "housing:owner-list"]


@pytest.mark.parametrize("role", ["district", "subdistrict", "community", "property", "other_district"])
@pytest.mark.parametrize("url_name", LIST_PAGES)
def test_list_pages_and_exports_show_only_the_area(world, client_for, role, url_name):
    client = client_for(world.users[role])
    page = client.get(reverse(url_name))
    assert page.status_code == 200
    html = page.content.decode()
    for key, estate in world.estates.items():
        if url_name == "housing:owner-list":
            continue  # owners are named without their estate; checked through the export below
        assert (estate.name in html) == (key in VISIBLE[role]), (role, url_name, key)
    export = client.get(reverse(url_name), {"export": "xlsx"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active.values)
    model = {
        "housing:estate-list": Estate,
        "housing:stairwell-list": Stairwell,
        "housing:dwelling-list": Dwelling,
        "housing:owner-list": Owner,
    }[url_name]
    assert len(rows) - 1 == model.objects.visible_to(world.users[role]).count()


@pytest.mark.parametrize("role", ["contractor", "maintainer", "resident"])
def test_non_staff_lists_are_empty(world, client_for, role):
    client = client_for(world.users[role])
    for url_name in LIST_PAGES:
        html = client.get(reverse(url_name)).content.decode()
        for estate in world.estates.values():
            assert estate.name not in html


API_LISTS = ["estate", "building", "stairwell", "dwelling", "owner"]


@pytest.mark.parametrize("role", sorted(VISIBLE))
@pytest.mark.parametrize("basename", API_LISTS)
def test_api_lists_and_details_are_scoped(world, client_for, role, basename):
    client = client_for(world.users[role])
    response = client.get(reverse(f"{basename}-list"))
    assert response.status_code == 200
    estate_ids = {world.estates[k].pk for k in VISIBLE[role]}
    for row in response.json()["results"]:
        if basename == "estate":
            assert row["id"] in estate_ids
        elif basename != "owner":
            assert row["estate"] in estate_ids
    outside = [k for k in world.estates if k not in VISIBLE[role]]
    for key in outside:
        stairwell = world.stairwells[key]
        pk = {
            "estate": stairwell.estate_id,
            "building": stairwell.building_id,
            "stairwell": stairwell.pk,
            "dwelling": stairwell.dwellings.first().pk,
            "owner": stairwell.dwellings.first().ownerships.first().owner_id,
        }[basename]
        assert client.get(reverse(f"{basename}-detail", args=[pk])).status_code == 404


def test_api_requires_authentication(world, client):
    response = client.get(reverse("estate-list"))
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role", ["finance", "contractor", "resident", "other_district", "other_community"])
def test_edit_refused_changes_nothing(world, client_for, role):
    estate = world.estates["a1a"]
    client = client_for(world.users[role])
    response = client.post(reverse("housing:edit", args=["estate", estate.pk]), {"name": "被改了", "year_built": 2001})
    assert response.status_code in (403, 404)
    estate.refresh_from_db()
    assert estate.name == "长江花园"
    assert estate.year_built == 1995


def test_edit_in_area_saves_and_records_history(world, client_for):
    estate = world.estates["a1a"]
    client = client_for(world.users["community"])
    response = client.post(
        reverse("housing:edit", args=["estate", estate.pk]),
        {"name": "长江花园（一期）", "address": "新木路8号", "year_built": 1996},
    )
    assert response.status_code == 302
    estate.refresh_from_db()
    assert estate.name == "长江花园（一期）"
    page = client.get(reverse("housing:estate-detail", args=[estate.pk])).content.decode()
    assert "长江花园（一期）" in page and "1995" in page and "1996" in page  # before → after in the history


@pytest.mark.parametrize("url_name", [*LIST_PAGES, "estate-list", "stairwell-list", "dwelling-list", "owner-list"])
def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries, url_name):
    """A page of 50 rows costs the same handful of queries as a page of 12."""
    from jiati.core.tests.factories import stairwell_with_dwellings

    client = client_for(world.users["district"])
    with django_assert_max_num_queries(10) as few:
        client.get(reverse(url_name))
    stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元", storeys=6, per_floor=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(url_name))


def test_moving_an_estate_moves_its_rows_scope(world):
    from jiati.housing import services

    estate = world.estates["a1a"]
    services.estate_update(
        actor=world.users["admin"], estate=estate, community=world.regions["A1b"], property_office=None
    )
    assert Dwelling.objects.visible_to(world.users["other_community"]).filter(estate=estate).exists()
    assert not Owner.objects.visible_to(world.users["community"]).filter(ownerships__dwelling__estate=estate).exists()


def test_owner_pages_walk_forwards_and_back(world, client_for, monkeypatch):
    """The owner list's pages (read through the area's ownerships for narrow scopes) cover everyone once."""
    from jiati.core.tests.factories import stairwell_with_dwellings
    from jiati.housing.views import OwnerListView

    monkeypatch.setattr(OwnerListView, "page_size", 7)
    stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元", storeys=6, per_floor=6)
    client = client_for(world.users["community"])
    expected = set(Owner.objects.visible_to(world.users["community"]).values_list("pk", flat=True))
    seen, pages, url = [], [], reverse("housing:owner-list")
    response = client.get(url)
    while True:
        page = response.context["page"]
        seen.extend(row.pk for row in page.rows)
        pages.append(page)
        if not page.next_after:
            break
        response = client.get(url, {"after": page.next_after})
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert seen == sorted(seen, reverse=True)
    assert len(pages) > 3
    back = client.get(url, {"before": pages[-1].prev_before}).context["page"] if pages[-1].prev_before else None
    if back is not None:
        assert [row.pk for row in back.rows] == [row.pk for row in pages[-2].rows]


@pytest.mark.parametrize("role", ["community", "district", "admin"])
def test_dwelling_pages_walk_forwards_and_back(world, client_for, monkeypatch, role):
    """Narrow scopes pick each page's ids before joining (web.lists); every scope covers every row once, in order,
    and a step back shows the same rows again."""
    from jiati.core.tests.factories import stairwell_with_dwellings
    from jiati.housing.views import DwellingListView

    monkeypatch.setattr(DwellingListView, "page_size", 5)
    stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元", storeys=4, per_floor=4)
    user = world.users[role]
    expected = list(Dwelling.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True))
    client = client_for(user)
    url = reverse("housing:dwelling-list")
    seen, pages = [], []
    response = client.get(url)
    while True:
        page = response.context["page"]
        assert len(page.rows) <= 5
        seen.extend(row.pk for row in page.rows)
        pages.append(page)
        if not page.next_after:
            break
        response = client.get(url, {"after": page.next_after})
    assert seen == expected and len(pages) > 3
    back = client.get(url, {"before": pages[-1].prev_before}).context["page"]
    assert [row.pk for row in back.rows] == [row.pk for row in pages[-2].rows]


# --- exports: every role × every list, with and without personal data --------------------------------------

EXPORTS = {
    "housing:estate-list": Estate,
    "housing:stairwell-list": Stairwell,
    "housing:dwelling-list": Dwelling,
    "housing:owner-list": Owner,
}
# Roles that see personal data in full (accounts.permissions.PERSONAL_DATA_ROLES).
FULL_IDS = {"admin", "community", "other_community"}
FULL_PHONES = {"admin", "community", "other_community", "subdistrict", "property"}


def _workbook_rows(response):
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)


@pytest.mark.parametrize("role", sorted(VISIBLE))
@pytest.mark.parametrize("url_name", sorted(EXPORTS))
def test_every_export_holds_exactly_the_area_and_is_audited(world, client_for, role, url_name):
    from jiati.audit.models import AuditEntry

    user = world.users[role]
    client = client_for(user)
    rows = _workbook_rows(client.get(reverse(url_name), {"export": "xlsx"}))
    model = EXPORTS[url_name]
    expected = model.objects.visible_to(user)
    assert len(rows) - 1 == expected.count()
    if url_name == "housing:estate-list":
        assert {r[0] for r in rows[1:]} == {world.estates[k].code for k in VISIBLE[role]}
    entry = AuditEntry.objects.filter(actor=user, action="export").get()
    assert entry.changes["model"] == model._meta.label and entry.changes["rows"] == len(rows) - 1


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_owner_export_shows_personal_data_only_to_roles_that_need_it(world, client_for, role):
    from jiati.audit.models import AuditEntry

    user = world.users[role]
    client = client_for(user)
    owners = {o.name: o for o in Owner.objects.visible_to(user)}
    for asked in (False, True):
        params = {"export": "xlsx", **({"personal": "1"} if asked else {})}
        rows = _workbook_rows(client.get(reverse("housing:owner-list"), params))
        assert {r[0] for r in rows[1:]} == set(owners)
        for name, _kind, id_number, phone in rows[1:]:
            owner = owners[name]
            assert (id_number == owner.id_number) == (asked and role in FULL_IDS)
            assert (phone == owner.phone) == (asked and role in FULL_PHONES)
            assert id_number.startswith(owner.id_number[:3]) and phone.endswith(owner.phone[-4:])
    recorded = AuditEntry.objects.filter(actor=user, action="export").order_by("id")
    in_full = [kind for kind, roles in (("id_number", FULL_IDS), ("phone", FULL_PHONES)) if role in roles]
    assert [sorted(e.changes["personal_data"]) for e in recorded] == [[], in_full]


def test_a_list_row_names_its_columns_for_the_phone_layout(world, client_for):
    """On a phone each row stacks into a card; every cell carries its column's name for the CSS to show."""
    from jiati.housing.views import DwellingListView

    html = client_for(world.users["community"]).get(reverse("housing:dwelling-list")).content.decode()
    for column in DwellingListView.columns:
        assert f'data-label="{column.header}"' in html
