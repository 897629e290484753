"""Owners' ID and phone numbers: masked roles never receive them in full — not on the edit page, not through a
search by part of a number — and may still replace them by typing a new value."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiati.audit.models import AuditEntry
from jiati.core.personal_data import mask_id_number, mask_phone
from jiati.core.tests.factories import valid_resident_id
from jiati.housing.models import Owner


def _owner(world, key="a1a"):
    return world.stairwells[key].dwellings.order_by("id").first().ownerships.get().owner


# (role, sees the ID number in full, sees the phone in full) — accounts.permissions.PERSONAL_DATA_ROLES
EDITORS = [
    ("district", False, False),
    ("subdistrict", False, True),
    ("property", False, True),
    ("community", True, True),
    ("admin", True, True),
]


@pytest.mark.parametrize(("role", "sees_id", "sees_phone"), EDITORS)
def test_owner_edit_page_shows_only_what_the_role_may_see(world, client_for, role, sees_id, sees_phone):
    owner = _owner(world)
    html = client_for(world.users[role]).get(reverse("housing:edit", args=["owner", owner.pk])).content.decode()
    assert (owner.id_number in html) == sees_id
    assert (owner.phone in html) == sees_phone
    if not sees_id:
        assert f'placeholder="{mask_id_number(owner.id_number)}"' in html
    if not sees_phone:
        assert f'placeholder="{mask_phone(owner.phone)}"' in html
    if not (sees_id and sees_phone):
        assert "Leave blank to keep it" in html


def test_masked_editor_keeps_numbers_by_leaving_them_blank(world, client_for):
    owner = _owner(world)
    id_number, phone = owner.id_number, owner.phone
    client = client_for(world.users["district"])
    response = client.post(
        reverse("housing:edit", args=["owner", owner.pk]),
        {"kind": "person", "name": "改名后", "id_number": "", "phone": ""},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.name, owner.id_number, owner.phone) == ("改名后", id_number, phone)


def test_masked_editor_replaces_numbers_by_typing_new_ones(world, client_for):
    owner = _owner(world)
    new_id = valid_resident_id()
    client = client_for(world.users["district"])
    response = client.post(
        reverse("housing:edit", args=["owner", owner.pk]),
        {"kind": "person", "name": owner.name, "id_number": new_id, "phone": "13912345678"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.id_number, owner.phone) == (new_id, "13912345678")


def test_a_typed_number_is_still_validated(world, client_for):
    owner = _owner(world)
    id_number = owner.id_number
    client = client_for(world.users["district"])
    response = client.post(
        reverse("housing:edit", args=["owner", owner.pk]),
        {"kind": "person", "name": owner.name, "id_number": "440307199001011234", "phone": ""},
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.id_number == id_number


def test_entitled_editor_sees_and_may_clear_the_phone(world, client_for):
    owner = _owner(world)
    client = client_for(world.users["community"])
    response = client.post(
        reverse("housing:edit", args=["owner", owner.pk]),
        {"kind": "person", "name": owner.name, "id_number": owner.id_number, "phone": ""},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.phone == ""


# --- searching by ID number ---------------------------------------------------


def _export_rows(client, url, params):
    response = client.get(url, {**params, "export": "xlsx"})
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)[1:]


@pytest.mark.parametrize("role", ["district", "subdistrict", "property", "other_district"])
def test_masked_roles_cannot_search_by_part_of_an_id_number(world, client_for, role):
    """Every answer to an `id_ending` search is the same whatever the fragment: nothing to learn from it."""
    user = world.users[role]
    owner = Owner.objects.visible_to(user).order_by("id").first()
    client = client_for(user)
    right, wrong = owner.id_number[-4:], "0000" if owner.id_number[-4:] != "0000" else "1111"

    api = reverse("owner-list")
    refused = client.get(api, {"id_ending": right})
    assert refused.status_code == 400
    assert "id_fragment_not_allowed" in str(refused.json()["codes"])
    assert client.get(api, {"id_ending": wrong}).status_code == 400

    page = reverse("housing:owner-list")
    html = client.get(page, {"id_ending": right}).content.decode()
    assert "may not search by part of one" in html
    assert (
        client.get(page, {"id_ending": right}).context["rows"] == client.get(page, {"id_ending": wrong}).context["rows"]
    )
    assert _export_rows(client, page, {"id_ending": right}) == _export_rows(client, page, {"id_ending": wrong})


def test_roles_that_see_id_numbers_search_by_the_whole_number_each_search_audited(world, client_for):
    user = world.users["community"]
    owner = Owner.objects.visible_to(user).order_by("id").first()
    client = client_for(user)
    found = client.get(reverse("owner-list"), {"id_number": owner.id_number.lower()}).json()["results"]
    assert [row["id"] for row in found] == [owner.pk]
    assert client.get(reverse("owner-list"), {"id_number": owner.id_number[-4:]}).json()["results"] == []
    outside = _owner(world, "b1a")
    assert client.get(reverse("owner-list"), {"id_number": outside.id_number}).json()["results"] == []
    page = client.get(reverse("housing:owner-list"), {"id_number": owner.id_number})
    assert [row.pk for row in page.context["rows"]] == [owner.pk]
    searches = AuditEntry.objects.filter(actor=user, changes__has_key="owner_search_id_number")
    assert searches.count() == 4
    assert searches.first().changes["owner_search_id_number"] == mask_id_number(owner.id_number)


@pytest.mark.parametrize("role", ["district", "subdistrict", "property"])
def test_roles_that_see_id_numbers_masked_may_not_search_by_one(world, client_for, role):
    """An exact match answers yes or no: with a name it recovers a masked number one guess at a time."""
    user = world.users[role]
    owner = Owner.objects.visible_to(user).order_by("id").first()
    client = client_for(user)
    for number in (owner.id_number, "110101199003070000"):
        response = client.get(reverse("owner-list"), {"id_number": number, "q": owner.name})
        assert response.status_code == 400 and response.json()["codes"] == {"id_number": ["id_search_not_allowed"]}
    page = reverse("housing:owner-list")
    html = client.get(page).content.decode()
    assert 'name="id_number"' not in html
    right = client.get(page, {"id_number": owner.id_number, "q": owner.name})
    wrong = client.get(page, {"id_number": "110101199003070000", "q": owner.name})
    assert "may not search by one" in right.content.decode()
    assert right.context["rows"] == wrong.context["rows"]
    assert _export_rows(client, page, {"id_number": owner.id_number}) == _export_rows(
        client, page, {"id_number": "110101199003070000"}
    )
    assert not AuditEntry.objects.filter(changes__has_key="owner_search_id_number").exists()


def test_searches_by_id_number_are_throttled_per_person(world, client_for):
    from jiati.housing.services import ID_SEARCHES_PER_HOUR

    user = world.users["community"]
    owner = Owner.objects.visible_to(user).order_by("id").first()
    client = client_for(user)
    for _ in range(ID_SEARCHES_PER_HOUR):
        assert client.get(reverse("owner-list"), {"id_number": owner.id_number}).status_code == 200
    refused = client.get(reverse("owner-list"), {"id_number": owner.id_number})
    assert refused.status_code == 400 and refused.json()["codes"] == {"id_number": ["rate_limited"]}
    # Another person's allowance is their own.
    other = client_for(world.users["admin"]).get(reverse("owner-list"), {"id_number": owner.id_number})
    assert other.status_code == 200


@pytest.mark.parametrize("role", ["community", "admin"])
def test_roles_that_see_id_numbers_search_by_their_ending(world, client_for, role):
    user = world.users[role]
    owner = _owner(world)
    client = client_for(user)
    found = client.get(reverse("owner-list"), {"id_ending": owner.id_number[-6:]}).json()["results"]
    assert owner.pk in [row["id"] for row in found]
    html = client.get(reverse("housing:owner-list")).content.decode()
    assert 'name="id_ending"' in html and "may not search" not in html


def _with_check_digit(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(
    ("kind", "number", "reason"),
    [
        ("resident", "44030719950101001", "应为18位"),
        ("resident", "4403071995010100AB", "只能是数字，末位可以是X"),
        ("resident", "bad-checksum", "校验位不符"),
        ("resident", _with_check_digit("44030719951301001"), "出生日期或地区码不存在"),
        ("credit", "91440300", "应为18位"),
        ("credit", "bad-checksum", "校验位不符"),
    ],
)
def test_a_refused_number_says_why_in_the_users_language(kind, number, reason):
    """python-stdnum explains in English only; an elderly owner's window clerk reads Chinese."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from jiati.core.personal_data import validate_credit_code, validate_resident_id
    from jiati.core.tests.factories import valid_credit_code

    validate = validate_resident_id if kind == "resident" else validate_credit_code
    if number == "bad-checksum":
        good = valid_resident_id() if kind == "resident" else valid_credit_code()
        number = good[:-1] + ("1" if good[-1] != "1" else "2")
    with pytest.raises(ValidationError) as refused:
        validate(number)
    with translation.override("zh-hans"):
        message = refused.value.messages[0]
    assert reason in message
    assert not any(word in message for word in ("valid", "number", "checksum", "length")), message
    with translation.override("en"):
        assert "valid" in refused.value.messages[0]
