import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiati.accounts.models import User
from jiati.administration import services
from jiati.administration.tests.helpers import write_csv
from jiati.audit.models import AuditEntry
from jiati.notifications.channels import ConsoleSmsSender


def snapshot_users():
    return sorted(
        User.objects.values_list(
            "pk",
            "username",
            "role",
            "region_id",
            "property_office_id",
            "company_id",
            "is_active",
            "password",
            "is_unit_admin",
            "phone",
        )
    )


def test_create_makes_a_login_without_password_audits_it_and_texts_a_one_time_link(
    world, django_capture_on_commit_callbacks
):
    ConsoleSmsSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user = services.staff_create(
            actor=world.users["district"],
            full_name="王五",
            phone="13900001111",
            role="community",
            unit_code="440307001001",
        )
    assert user.username == "13900001111" and user.region == world.regions["A1a"]
    assert not user.has_usable_password()
    entry = AuditEntry.objects.get(action="create", object_id=str(user.pk))
    assert entry.actor == world.users["district"] and entry.changes["phone"][1] == "139****1111"
    ((phone, text),) = ConsoleSmsSender.sent
    assert phone == "13900001111" and "/administration/set-password/" in text
    # a text message carries a whole address (the site's, even when SITE_URL is not set), never a bare path
    assert re.search(r"https?://[^/\s]+/administration/set-password/", text)


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"phone": "12345"}, "phone", "invalid_phone"),
        ({"unit_code": "999999"}, "unit", "unknown_unit"),
        ({"unit_code": "440307001"}, "unit", "unit_not_fitting"),  # a community role on a subdistrict
        ({"role": "contractor", "unit_code": "440307001001"}, "unit", "unknown_unit"),
        ({"full_name": " "}, "full_name", "required"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, kwargs, field, code):
    before = snapshot_users()
    data = {"full_name": "王五", "phone": "13900001111", "role": "community", "unit_code": "440307001001", **kwargs}
    with pytest.raises(ValidationError) as caught:
        services.staff_create(actor=world.users["admin"], **data)
    assert field in caught.value.message_dict
    assert snapshot_users() == before


def test_duplicate_phone_and_login_are_refused(world):
    services.staff_create(
        actor=world.users["admin"], full_name="甲", phone="13900001111", role="district_office", unit_code="440307"
    )
    with pytest.raises(ValidationError) as caught:
        services.staff_create(
            actor=world.users["admin"],
            full_name="乙",
            phone="13900001111",
            role="community",
            unit_code="440307001001",
            username="yi",
        )
    assert "phone" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.staff_create(
            actor=world.users["admin"],
            full_name="乙",
            phone="13900002222",
            role="community",
            unit_code="440307001001",
            username="13900001111",
        )
    assert "username" in caught.value.message_dict


def test_a_role_must_fit_the_companys_kind(world):
    with pytest.raises(ValidationError) as caught:
        services.staff_create(
            actor=world.users["admin"],
            full_name="丙",
            phone="13900003333",
            role="contractor",
            unit_code=world.companies["maintainer"].credit_code,
        )
    assert caught.value.message_dict["unit"]


# The delegated-administration matrix: (actor, role, unit) → may create.
def unit_code(world, key):
    if key.startswith("company:"):
        return world.companies[key.split(":")[1]].credit_code
    if key.startswith("office:"):
        return world.offices[key.split(":")[1]].code
    return world.regions[key].code if key else ""


MATRIX = [
    # the platform administrator: everything
    ("admin", "platform_admin", "", True),
    ("admin", "district_office", "B", True),
    ("admin", "contractor", "company:contractor", True),
    # a district office: its district, and companies; never a platform administrator
    ("district", "district_office", "A", True),
    ("district", "district_finance", "A", True),
    ("district", "subdistrict", "A2", True),
    ("district", "property", "office:po_a1a", True),
    ("district", "contractor", "company:contractor", True),
    ("district", "community", "B1a", False),
    ("district", "property", "office:po_b1a", False),
    ("district", "platform_admin", "", False),
    # a subdistrict group: inside its subdistrict, roles at or below its own
    ("subdistrict", "community", "A1a", True),
    ("subdistrict", "subdistrict", "A1", True),
    ("subdistrict", "property", "office:po_a1a", True),
    ("subdistrict", "community", "A2a", False),
    ("subdistrict", "district_office", "A", False),
    ("subdistrict", "contractor", "company:contractor", False),
    # the others administer nothing (a company's own administrator: below)
    ("finance", "community", "A1a", False),
    ("community", "community", "A1a", False),
    ("property", "property", "office:po_a1a", False),
    ("contractor", "contractor", "company:contractor", False),
    ("resident", "community", "A1a", False),
]


@pytest.mark.parametrize(("actor", "role", "unit", "allowed"), MATRIX)
def test_who_may_create_whom(world, actor, role, unit, allowed):
    before = snapshot_users()
    audit_before = AuditEntry.objects.count()
    call = lambda: services.staff_create(  # noqa: E731
        actor=world.users[actor], full_name="新人", phone="13900009999", role=role, unit_code=unit_code(world, unit)
    )
    if allowed:
        assert call().role == role
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert snapshot_users() == before and AuditEntry.objects.count() == audit_before


def test_a_companys_own_administrator_manages_its_companys_logins_only(world):
    boss = services.staff_create(
        actor=world.users["admin"],
        full_name="老板",
        phone="13900004444",
        role="contractor",
        unit_code=world.companies["contractor"].credit_code,
        is_unit_admin=True,
    )
    worker = services.staff_create(
        actor=boss,
        full_name="工人",
        phone="13900005555",
        role="contractor",
        unit_code=world.companies["contractor"].credit_code,
    )
    services.staff_deactivate(actor=boss, user=worker)
    before = snapshot_users()
    for call in (
        lambda: services.staff_create(
            actor=boss,
            full_name="外人",
            phone="13900006666",
            role="maintainer",
            unit_code=world.companies["maintainer"].credit_code,
        ),
        lambda: services.staff_deactivate(actor=boss, user=world.users["maintainer"]),
        lambda: services.staff_password_reset(actor=boss, user=world.users["community"]),
        lambda: services.staff_change(actor=boss, user=worker, role="community", unit_code="440307001001"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot_users() == before


CHANGES = [
    # (actor, target, change, allowed)
    ("district", "community", {"unit_code": "440307002001"}, True),
    ("district", "community", {"unit_code": "440306001001"}, False),  # into another district
    ("district", "other_district", {"full_name": "x"}, False),
    ("district", "admin", {"full_name": "x"}, False),
    ("subdistrict", "community", {"role": "subdistrict", "unit_code": "440307001"}, True),
    ("subdistrict", "community", {"role": "district_office", "unit_code": "440307"}, False),  # above its own
    ("subdistrict", "district", {"full_name": "x"}, False),
    ("subdistrict", "other_community", {"phone": "13900007777"}, True),
    ("community", "other_community", {"full_name": "x"}, False),
]


@pytest.mark.parametrize(("actor", "target", "change", "allowed"), CHANGES)
def test_who_may_change_whom(world, actor, target, change, allowed):
    before = snapshot_users()
    call = lambda: services.staff_change(actor=world.users[actor], user=world.users[target], **change)  # noqa: E731
    if allowed:
        call()
        assert snapshot_users() != before
        assert AuditEntry.objects.filter(object_id=str(world.users[target].pk), action="update").exists()
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert snapshot_users() == before


@pytest.mark.parametrize("action", ["deactivate", "password_reset", "reactivate"])
def test_deactivate_reset_and_reactivate_are_refused_outside_ones_reach(world, action):
    target = world.users["other_community"]
    if action == "reactivate":
        User.objects.filter(pk=target.pk).update(is_active=False)
        target.refresh_from_db()
    before = snapshot_users()
    with pytest.raises(PermissionDenied):
        getattr(services, f"staff_{action}")(actor=world.users["other_district"], user=target)
    assert snapshot_users() == before


def test_deactivate_keeps_the_account_and_reactivate_restores_it(world):
    target = world.users["community"]
    services.staff_deactivate(actor=world.users["subdistrict"], user=target, reason="调岗")
    target.refresh_from_db()
    assert not target.is_active and User.objects.filter(pk=target.pk).exists()
    services.staff_reactivate(actor=world.users["subdistrict"], user=target)
    target.refresh_from_db()
    assert target.is_active
    assert list(
        AuditEntry.objects.filter(object_id=str(target.pk)).order_by("id").values_list("changes", flat=True)
    ) == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_the_last_platform_administrator_cannot_be_removed(world):
    admin = world.users["admin"]
    before = snapshot_users()
    with pytest.raises(ValidationError) as caught:
        services.staff_deactivate(actor=admin, user=admin)
    assert caught.value.message_dict["is_active"]
    with pytest.raises(ValidationError) as caught:
        services.staff_change(actor=admin, user=admin, role="district_office", unit_code="440307")
    assert caught.value.message_dict["role"]
    assert snapshot_users() == before
    second = services.staff_create(actor=admin, full_name="二号", phone="13900008888", role="platform_admin")
    User.objects.filter(pk=second.pk).update(password="x")
    services.staff_deactivate(actor=admin, user=admin)  # now another one is left
    assert not User.objects.get(pk=admin.pk).is_active


def test_reset_voids_the_password_and_the_link_sets_a_new_one_once(world, client, django_capture_on_commit_callbacks):
    target = world.users["community"]
    target.set_password("old-password-123")
    target.save()
    ConsoleSmsSender.sent.clear()
    target.phone = "13900001234"
    target.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_password_reset(actor=world.users["district"], user=target)
    target.refresh_from_db()
    assert not target.has_usable_password()
    link = next(word for word in ConsoleSmsSender.sent[-1][1].split() if "/set-password/" in word)
    path = link[link.index("/administration/") :]
    response = client.get(path, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "13900001234", "new_password2": "13900001234"})
    assert weak.status_code == 200 and weak.context["form"].errors  # like the phone, and numeric
    done = client.post(form_url, {"new_password1": "Lift-Garden-2026!", "new_password2": "Lift-Garden-2026!"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Lift-Garden-2026!")
    assert client.get(path, follow=True).context["validlink"] is False  # used once


def test_import_creates_every_row_or_none_and_names_each_bad_row(world, tmp_path):
    header = ["姓名", "手机号", "角色", "单位代码"]
    good = [
        header,
        ["赵一", "13911110001", "社区工作站", "440307001001"],
        ["钱二", "13911110002", "subdistrict", "440307001"],
        ["孙三", "13911110003", "Property office", "PO-A1A"],
    ]
    bad = [
        *good,
        ["李四", "13911110001", "社区工作站", "440307001002"],  # row 5: phone of row 2
        ["周五", "13911110005", "社区工作站", "440307009009"],  # row 6: unknown unit
        ["吴六", "13911110006", "街道", "440307001"],  # row 7: unknown role
        ["郑七", "13911110007", "区加梯办", "440306"],  # row 8: another district
    ]
    before = snapshot_users()
    result = services.staff_import(
        actor=world.users["district"], path=str(write_csv(tmp_path, bad)), name="s.csv", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [(5, "Phone"), (6, "Unit code"), (7, "Role"), (8, "Unit code")]
    assert snapshot_users() == before

    dry = services.staff_import(
        actor=world.users["district"], path=str(write_csv(tmp_path, good)), name="s.csv", dry_run=True
    )
    assert dry.errors == [] and dry.created == 3 and snapshot_users() == before

    done = services.staff_import(
        actor=world.users["district"], path=str(write_csv(tmp_path, good)), name="s.csv", dry_run=False
    )
    assert done.applied and done.created == 3
    assert User.objects.get(phone="13911110003").property_office == world.offices["po_a1a"]


def test_pages_create_change_and_refuse(world, client):
    client.force_login(world.users["subdistrict"])
    listing = client.get("/administration/accounts/")
    names = {a.username for a in listing.context["accounts"]}
    assert names == {"subdistrict", "community", "other_community", "property"}
    bad = client.post(
        "/administration/accounts/new/",
        {"full_name": "新人", "phone": "139", "role": "community", "unit": "440307001001"},
    )
    assert bad.status_code == 200 and bad.context["form"].errors["phone"]
    assert bad.context["form"]["full_name"].value() == "新人"  # comes back as typed
    ok = client.post(
        "/administration/accounts/new/",
        {"full_name": "新人", "phone": "13900001212", "role": "community", "unit": "440307001001"},
    )
    assert ok.status_code == 302
    assert client.get(f"/administration/accounts/{world.users['district'].pk}/").status_code == 404
    client.force_login(world.users["community"])
    assert client.get("/administration/accounts/").status_code == 403


def test_a_change_names_the_role_the_name_and_the_phone_at_once(world):
    """Issue 13: a change of login was refused one field per submit (the role, then the name, then the phone)."""
    target = world.users["community"]
    before = snapshot_users()
    with pytest.raises(ValidationError) as caught:
        services.staff_change(actor=world.users["admin"], user=target, role="mayor", full_name=" ", phone="12345")
    assert set(caught.value.message_dict) == {"role", "full_name", "phone"}
    assert [e.code for e in caught.value.error_dict["phone"]] == ["invalid_phone"]
    with pytest.raises(ValidationError) as caught:  # a new login too, with its codes kept
        services.staff_create(actor=world.users["admin"], full_name="", phone="12345", role="mayor")
    assert {f: [e.code for e in errors] for f, errors in caught.value.error_dict.items()} == {
        "full_name": ["required"],
        "phone": ["invalid_phone"],
        "role": ["unknown_role"],
    }
    assert snapshot_users() == before
