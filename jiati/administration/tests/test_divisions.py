import pytest

from jiati.accounts.models import Role
from jiati.administration.divisions import DivisionRejected, divisions_load, parse_code
from jiati.administration.tests.helpers import write_csv
from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import make_user
from jiati.organisation.models import Region

HEADER = ["统计用区划代码", "名称"]
LONGGANG = [
    HEADER,
    ["440000000000", "广东省"],
    ["440300000000", "深圳市"],
    ["440307000000", "龙岗区"],
    ["440307001000", "平湖街道"],
    ["440307001001", "新木社区"],
    ["440307001002", "山厦社区"],
    ["440307002000", "坂田街道"],
    ["440307002001", "岗头社区"],
]


@pytest.fixture
def admin(db):
    return make_user("root", Role.PLATFORM_ADMIN)


def load(admin, tmp_path, rows, *, dry_run=False, name="d.csv"):
    path = write_csv(tmp_path, rows, name=name)
    return divisions_load(actor=admin, path=str(path), name=name, dry_run=dry_run)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("440000000000", ("province", "440000", None)),
        ("440300000000", ("city", "440300", "440000")),
        ("440307000000", ("district", "440307", "440300")),
        ("440307001000", ("subdistrict", "440307001", "440307")),
        ("440307001001", ("community", "440307001001", "440307001")),
    ],
)
def test_a_statistical_code_names_its_level_and_parent(code, expected):
    assert parse_code(code) == expected


@pytest.mark.parametrize("code", ["4403070010", "44030700100A", "000000000000", "4403070010011"])
def test_malformed_codes_are_refused(code):
    with pytest.raises(DivisionRejected):
        parse_code(code)


def test_dry_run_checks_and_writes_nothing_then_apply_builds_the_tree(admin, tmp_path):
    result = load(admin, tmp_path, LONGGANG, dry_run=True)
    assert result.errors == [] and result.added == 8
    assert not Region.objects.exists() and not AuditEntry.objects.exists()

    result = load(admin, tmp_path, LONGGANG)
    assert result.applied and result.added == 8
    community = Region.objects.get(code="440307001001")
    assert community.level == "community" and community.parent.code == "440307001"
    assert community.path == "/440000/440300/440307/440307001/440307001001/"
    assert AuditEntry.objects.filter(action="create").count() == 8


def test_every_bad_row_is_listed_with_its_row_and_column_and_nothing_is_saved(admin, tmp_path):
    rows = [
        *LONGGANG,
        ["44030700300", "短代码社区"],  # row 10: 11 digits
        ["440307009001", "无父社区"],  # row 11: its subdistrict is nowhere
        ["440307001003", "新木社区"],  # row 12: a second 新木社区 under 平湖街道
        ["440307001001", "重复"],  # row 13: the code again
        ["440307002002", ""],  # row 14: no name
    ]
    result = load(admin, tmp_path, rows)
    assert not result.applied
    assert [(e.row, e.column) for e in result.errors] == [
        (10, "code"),
        (11, "code"),
        (12, "name"),
        (13, "code"),
        (14, "name"),
    ]
    assert "440307009" in result.errors[1].message
    assert not Region.objects.exists()


def test_reloading_renames_adds_and_retires_what_disappeared_within_the_files_area(admin, tmp_path):
    load(admin, tmp_path, LONGGANG)
    other = load(admin, tmp_path, [HEADER, ["440306000000", "宝安区"]], name="b.csv")
    assert other.applied  # its parent, Shenzhen, is already loaded
    newer = [
        HEADER,
        ["440307000000", "龙岗区"],
        ["440307001000", "平湖街道"],
        ["440307001001", "新木社区（新）"],  # renamed
        ["440307001003", "白坭坑社区"],  # added
        ["440307002000", "坂田街道"],
        ["440307002001", "岗头社区"],
        # 山厦社区 440307001002 is gone
    ]
    result = load(admin, tmp_path, newer, name="newer.csv")
    assert (result.added, result.renamed, result.retired) == (1, 1, 1)
    assert Region.objects.get(code="440307001001").name == "新木社区（新）"
    gone = Region.objects.get(code="440307001002")
    assert gone.is_retired  # kept: staff and estates may refer to it
    # Outside the file's area (Longgang) nothing is retired.
    assert not Region.objects.get(code="440306").is_retired
    assert not Region.objects.get(code="440300").is_retired

    again = load(admin, tmp_path, [*newer, ["440307001002", "山厦社区"]], name="again.csv")
    assert again.restored == 1 and not Region.objects.get(code="440307001002").is_retired


def test_only_the_platform_administrator_loads_divisions(world, tmp_path):
    path = write_csv(tmp_path, LONGGANG)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        divisions_load(actor=world.users["district"], path=str(path), name="d.csv", dry_run=True)


def test_the_page_lists_rejected_rows_and_applies(admin, client, tmp_path):
    client.force_login(admin)
    path = write_csv(tmp_path, [*LONGGANG, ["4403", "坏"]])
    with open(path, "rb") as handle:
        response = client.post("/administration/divisions/", {"file": handle, "check": "1"})
    assert response.status_code == 200
    assert response.context["result"].errors[0].row == 10
    assert "A division code has exactly 12 digits." in response.content.decode()
    assert not Region.objects.exists()
    path = write_csv(tmp_path, LONGGANG)
    with open(path, "rb") as handle:
        response = client.post("/administration/divisions/", {"file": handle, "apply": "1"})
    assert response.context["result"].applied
    assert Region.objects.count() == 8
