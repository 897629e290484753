from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiati.accounts.models import User
from jiati.administration.tests.helpers import write_csv


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_an_identity_system_creates_changes_and_deactivates_logins(world):
    client = api(world.users["district"])
    created = client.post(
        "/api/administration/accounts/",
        {"full_name": "王五", "phone": "13900001111", "role": "community", "unit": "440307001001"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["unit"] == "440307001001" and body["has_password"] is False and body["phone"] == "139****1111"
    pk = body["id"]
    moved = client.patch(f"/api/administration/accounts/{pk}/", {"unit": "440307002001"}, format="json")
    assert moved.status_code == 200 and moved.json()["unit"] == "440307002001"
    assert (
        client.post(f"/api/administration/accounts/{pk}/deactivate/", {"reason": "离职"}).json()["is_active"] is False
    )
    assert client.post(f"/api/administration/accounts/{pk}/reactivate/").json()["is_active"] is True
    assert client.post(f"/api/administration/accounts/{pk}/reset-password/").status_code == 200
    found = client.get("/api/administration/accounts/", {"phone": "13900001111"}).json()["results"]
    assert [a["id"] for a in found] == [pk]


def test_refusals_name_the_field_and_out_of_reach_answers_404(world):
    client = api(world.users["district"])
    bad = client.post(
        "/api/administration/accounts/",
        {"full_name": "王五", "phone": "139", "role": "community", "unit": "999"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["codes"]) == {"phone", "unit"}
    before = User.objects.count()
    denied = client.post(
        "/api/administration/accounts/",
        {"full_name": "王五", "phone": "13900001111", "role": "community", "unit": "440306001001"},
        format="json",
    )
    assert denied.status_code == 403 and User.objects.count() == before
    other = world.users["other_community"]
    assert (
        api(world.users["other_district"]).post(f"/api/administration/accounts/{other.pk}/deactivate/").status_code
        == 404
    )
    other.refresh_from_db()
    assert other.is_active
    assert api(world.users["community"]).get("/api/administration/accounts/").status_code == 403


def test_staff_import_over_the_api_lists_rejected_rows(world, tmp_path):
    client = api(world.users["district"])
    path = write_csv(tmp_path, [["姓名", "手机号", "角色", "单位代码"], ["赵一", "13911110001", "社区工作站", "nope"]])
    with open(path, "rb") as handle:
        response = client.post("/api/administration/accounts/import/", {"file": handle, "apply": "true"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "column": "Unit code", "message": "No division has code nope."}]
    with open(path, "rb") as handle:
        assert (
            api(world.users["district"]).post("/api/administration/divisions/load/", {"file": handle}).status_code
            == 403
        )


def test_units_and_assignments_over_the_api(world, tmp_path):
    client = api(world.users["district"])
    units = write_csv(tmp_path, [["类型", "社区代码", "名称"], ["工作站", "440307001002", "山厦社区工作站"]], "u.csv")
    with open(units, "rb") as handle:
        response = client.post("/api/administration/units/import/", {"file": handle, "apply": "true"})
    assert response.status_code == 200 and response.json()["workstations"] == 1
    table = write_csv(tmp_path, [["小区编码", "负责人"], ["A1B-1", "other_community"]], "a.csv")
    with open(table, "rb") as handle:
        response = client.post("/api/administration/assignments/import/", {"file": handle})
    assert response.status_code == 200 and response.json()["estates"] == 1 and response.json()["applied"] is False
