"""docs/deployment.md, "From an empty database to a working district", step by step."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiati.accounts.models import User
from jiati.administration.tests.helpers import write_csv
from jiati.notifications.channels import ConsoleSmsSender
from jiati.organisation.models import PropertyOffice, Region, ServiceWindow, Workstation

DIVISIONS = [
    ["统计用区划代码", "名称"],
    ["440000000000", "广东省"],
    ["440300000000", "深圳市"],
    ["440307000000", "龙岗区"],
    ["440307001000", "平湖街道"],
    ["440307001001", "新木社区"],
    ["440307001002", "山厦社区"],
]
UNITS = [
    ["类型", "社区代码", "名称", "物业服务中心编码", "物业公司", "设窗口"],
    ["工作站", "440307001001", "新木社区工作站", "", "", ""],
    ["物业服务中心", "440307001002", "山厦物业服务中心", "PO-1", "山厦物业", "是"],
]
STAFF = [
    ["姓名", "手机号", "角色", "单位代码"],
    ["李区", "13900000002", "区加梯办", "440307"],
    ["王社", "13900000003", "社区工作站", "440307001001"],
    ["赵物", "13900000004", "物业服务中心", "PO-1"],
]


def set_password(client, link: str, password: str) -> None:
    path = link[link.index("/administration/") :]
    page = client.get(path, follow=True)
    assert page.context["validlink"]
    response = client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_from_an_empty_database_to_a_working_district(tmp_path, client):
    assert not Region.objects.exists() and not User.objects.exists()
    ConsoleSmsSender.sent.clear()

    # 1. The platform administrator: a one-time link, no password typed anywhere.
    out = StringIO()
    call_command("create_platform_admin", "--name", "张敏", "--phone", "13800000001", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]
    set_password(client, link, "Tian-Ti-Admin-2026")

    # 2. The divisions: a check that saves nothing, a refused file that saves nothing, then the load.
    divisions = write_csv(tmp_path, DIVISIONS, "divisions.csv")
    call_command("load_divisions", str(divisions), stdout=StringIO())
    assert not Region.objects.exists()
    bad = write_csv(tmp_path, [*DIVISIONS, ["44030700100", "短"]], "bad.csv")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_divisions", str(bad), "--apply", stdout=StringIO(), stderr=err)
    assert "row 8, code" in err.getvalue() and not Region.objects.exists()
    call_command("load_divisions", str(divisions), "--apply", stdout=StringIO())
    assert Region.objects.count() == 6

    # 3. Workstations and property offices.
    call_command("import_units", str(write_csv(tmp_path, UNITS, "units.csv")), "--apply", stdout=StringIO())
    assert Workstation.objects.get().community.code == "440307001001"
    assert PropertyOffice.objects.get(code="PO-1").community.code == "440307001002"
    assert ServiceWindow.objects.count() == 2

    # 4. Staff: each receives a one-time link by text message.
    call_command("import_staff", str(write_csv(tmp_path, STAFF, "staff.csv")), "--apply", stdout=StringIO())
    community = User.objects.get(phone="13900000003")
    assert community.region.code == "440307001001" and not community.has_usable_password()
    text = next(t for phone, t in ConsoleSmsSender.sent if phone == "13900000003")
    link = next(word for word in text.split() if "/set-password/" in word)
    set_password(client, link, "Xin-Mu-Window-2026")

    # 5. Sign in: the community worker and the administrator, each in their own place.
    client.logout()
    response = client.post("/accounts/login/", {"username": "13900000003", "password": "Xin-Mu-Window-2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/administration/accounts/").status_code == 403
    client.logout()
    client.post("/accounts/login/", {"username": "13800000001", "password": "Tian-Ti-Admin-2026"})
    accounts = client.get("/administration/accounts/")
    assert {a.phone for a in accounts.context["accounts"]} >= {"13900000002", "13900000003", "13900000004"}
