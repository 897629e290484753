"""`manage.py vote_tally`: .csv and .xlsx, English or Chinese headers and words, --json, --rule, and bad input
exiting non-zero with the row named."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[3]
JSON_KEYS = {
    "passed",
    "owners_total",
    "owners_participating",
    "owners_agreeing",
    "area_total",
    "area_participating",
    "area_agreeing",
    "tests",
}


def write_csv(path: Path, lines, header=("dwelling", "owner", "area", "choice"), encoding="utf-8") -> Path:
    path.write_text("\n".join(",".join(map(str, line)) for line in [header, *lines]) + "\n", encoding=encoding)
    return path


def write_xlsx(path: Path, lines, header=("房号", "业主", "面积", "意见")) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for line in lines:
        sheet.append(list(line))
    workbook.save(path)
    return path


def tally(*args) -> dict:
    out = StringIO()
    call_command("vote_tally", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


STAIRWELL = [
    ("101", "张三", "80.10", "agree"),
    ("102", "张三", "75.40", "agree"),  # one owner, two dwellings
    ("201", "李四", "85.30", "agree"),
    ("202", "王五", "85.30", "abstain"),
    ("301", "赵六", "90.00", "agree"),
    ("302", "开发商", "90.00", "absent"),
    ("401", "开发商", "90.00", "absent"),  # developer stock: one head
    ("402", "孙七", "70.10", "disagree"),
]


@pytest.mark.django_db
def test_json_has_the_agreed_keys_and_exact_values(tmp_path):
    data = tally(str(write_csv(tmp_path / "vote.csv", STAIRWELL)))
    assert set(data) >= JSON_KEYS
    assert (data["owners_total"], data["owners_participating"], data["owners_agreeing"]) == (6, 5, 3)
    assert (data["area_total"], data["area_participating"], data["area_agreeing"]) == ("666.20", "486.20", "330.80")
    assert [t["name"] for t in data["tests"]] == [
        "participating_area",
        "participating_owners",
        "agreeing_area",
        "agreeing_owners",
    ]
    assert data["tests"][1] == {"name": "participating_owners", "ratio": "5/6", "threshold": "2/3", "passed": True}
    assert data["tests"][3] == {"name": "agreeing_owners", "ratio": "3/5", "threshold": "3/4", "passed": False}
    assert data["passed"] is False
    assert data["rule_set"] == "civil-code-278@1"
    assert isinstance(data["owners_total"], int) and isinstance(data["area_total"], str)


@pytest.mark.django_db
def test_xlsx_with_chinese_headers_and_words(tmp_path):
    lines = [
        ("101", "甲", 80.1, "同意"),
        ("102", "乙", 80.2, "同意"),
        ("201", "丙", 80.3, "同意"),
        ("202", "丁", 80.0, "弃权"),
    ]
    data = tally(str(write_xlsx(tmp_path / "vote.xlsx", lines)))
    assert data["passed"] is True
    assert data["area_total"] == "320.6"  # floats in the workbook, read as the decimals typed
    assert data["tests"][3]["ratio"] == "3/4"  # exactly at the boundary: passes


@pytest.mark.django_db
def test_gbk_csv_from_chinese_excel(tmp_path):
    path = write_csv(
        tmp_path / "vote.csv", [("101", "甲", "80", "同意")], header=("房号", "业主", "面积", "意见"), encoding="gbk"
    )
    assert tally(str(path))["owners_agreeing"] == 1


@pytest.mark.django_db
def test_rule_option_picks_the_rule_set(tmp_path):
    # Everyone votes, 8 of 12 agree: 8/12 < 3/4 of the participants (Art. 278) but = 2/3 of all (Shenzhen 2018).
    lines = [(f"{n}", f"o{n}", "80", "agree" if n <= 8 else "disagree") for n in range(1, 13)]
    path = str(write_csv(tmp_path / "b.csv", lines))
    assert tally(path)["passed"] is False
    shenzhen = tally(path, "--rule", "shenzhen-2018")
    assert shenzhen["rule_set"] == "shenzhen-2018@1" and shenzhen["passed"] is True
    assert [t["name"] for t in shenzhen["tests"]] == ["agreeing_area_of_total", "agreeing_owners_of_total"]
    assert tally(path, "--rule", "shanghai-two-rounds", "--round", "2")["round"] == 2
    with pytest.raises(CommandError, match="Unknown rule set"):
        tally(path, "--rule", "nowhere-1999")


@pytest.mark.django_db
def test_human_output_names_the_tests_and_what_is_needed(tmp_path):
    out = StringIO()
    call_command("vote_tally", str(write_csv(tmp_path / "v.csv", STAIRWELL)), stdout=out)
    text = out.getvalue()
    assert "civil-code-278@1" in text and "3/5 ≥ 3/4" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "row"),
    [
        ([("101", "甲", "-80", "agree")], 2),
        ([("101", "甲", "80", "agree"), ("102", "乙", "0", "agree")], 3),
        ([("101", "甲", "80", "agree"), ("102", "乙", "", "agree")], 3),
        ([("101", "甲", "80", "yes please")], 2),
        ([("101", "甲", "80", "agree"), ("102", "乙", "80", "agree"), ("103", "甲", "80", "disagree")], 4),
    ],
)
def test_bad_input_raises_naming_the_row(tmp_path, lines, row):
    with pytest.raises(CommandError, match=f"Row {row}"):
        tally(str(write_csv(tmp_path / "bad.csv", lines)))


@pytest.mark.django_db
def test_empty_and_unreadable_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        tally(str(empty))
    header_only = write_csv(tmp_path / "header.csv", [])
    with pytest.raises(CommandError, match="no rows"):
        tally(str(header_only))
    other = tmp_path / "vote.txt"
    other.write_text("dwelling,owner,area,choice\n")
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        tally(str(other))
    with pytest.raises(CommandError, match="No such file"):
        tally(str(tmp_path / "missing.csv"))


def test_exit_status_and_message_from_the_shell(tmp_path):
    """As a user runs it: non-zero exit, the row on stderr; zero and one JSON object when the file is good."""
    bad = write_csv(tmp_path / "bad.csv", [("101", "甲", "80", "agree"), ("102", "乙", "-1", "agree")])
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "vote_tally", str(bad), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode != 0
    assert "3" in result.stderr and result.stdout == ""
    good = write_csv(tmp_path / "good.csv", STAIRWELL)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "vote_tally", str(good), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["owners_total"] == 6


def test_without_a_database_it_uses_the_built_in_rules_and_creates_no_file(tmp_path):
    """Nothing set up: no database file, or one that was never migrated. The tally still runs (the built-in
    rule sets decide) and leaves no database file behind."""
    import os

    good = write_csv(tmp_path / "good.csv", STAIRWELL)
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"JIATI_VAR_DIR": str(var)}
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "vote_tally",
        str(good),
        "--json",
        "--rule",
        "beijing-stairwell",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rule_set"] == "beijing-stairwell@1" and result.stderr == ""
    assert not list(var.glob("*.sqlite3*"))  # no database created
    # A database file that was never migrated: the same, silently.
    import sqlite3

    with sqlite3.connect(var / "jiati.sqlite3") as connection:
        connection.execute("CREATE TABLE unrelated (id integer)")
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)  # noqa: S603
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(result.stdout)["owners_total"] == 6
