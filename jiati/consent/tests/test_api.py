"""The consent API: the same services and tally as the pages, stable error codes, and a valid schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiati.consent.models import Ballot, Vote
from jiati.consent.tests.conftest import SCAN, cast_online, in_stage, voters
from jiati.projects.models import Stage


def test_open_vote_record_ballot_read_result_and_close(project, world, client_for):
    client = client_for(world.users["community"])
    response = client.post(
        reverse("consent-vote-list"),
        {
            "project": project.pk,
            "rule_set": "civil-code-278",
            "closes_at": (timezone.now() + dt.timedelta(days=5)).isoformat(),
            "plan": "北侧加装电梯",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    vote = Vote.objects.get(pk=response.json()["id"])
    assert response.json()["rule_set"] == "civil-code-278@1" and response.json()["owners_total"] == 12
    again = client.post(
        reverse("consent-vote-list"),
        {"project": project.pk, "closes_at": (timezone.now() + dt.timedelta(days=5)).isoformat(), "plan": "x"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["codes"] == {"non_field_errors": ["vote_already_open"]}
    roll = client.get(reverse("consent-vote-roll", args=[vote.pk])).json()["results"]
    assert len(roll) == 12 and "*" not in roll[0]["phone"]  # community staff call owners: phones in full
    cast = client.post(
        reverse("consent-vote-ballots", args=[vote.pk]),
        {"voter": roll[0]["id"], "choice": "agree", "signed_form": SimpleUploadedFile("f.pdf", SCAN)},
    )
    assert cast.status_code == 201, cast.json()
    assert len(cast.json()["receipt"]) == 14 and Ballot.objects.count() == 1
    missing_form = client.post(
        reverse("consent-vote-ballots", args=[vote.pk]), {"voter": roll[1]["id"], "choice": "agree"}
    )
    assert missing_form.status_code == 400
    for voter in voters(vote):
        if voter.pk != roll[0]["id"]:
            cast_online(vote, voter, "agree")
    result = client.get(reverse("consent-vote-result", args=[vote.pk])).json()
    assert result["passed"] is True and result["tests"][0] == {
        "name": "participating_area",
        "ratio": "1/1",
        "threshold": "2/3",
        "passed": True,
    }
    closed = client.post(reverse("consent-vote-close", args=[vote.pk])).json()
    assert closed["status"] == "closed" and closed["passed"] is True
    late = client.post(
        reverse("consent-vote-ballots", args=[vote.pk]),
        {
            "voter": roll[0]["id"],
            "choice": "disagree",
            "change": True,
            "signed_form": SimpleUploadedFile("f.pdf", SCAN),
        },
    )
    assert late.status_code == 400 and late.json()["codes"] == {"non_field_errors": ["vote_closed"]}


def test_notice_objection_and_costs_through_the_api(project, world, client_for):
    from jiati.consent import services

    community = world.users["community"]
    vote = services.vote_open(
        project=project, actor=community, closes_at=timezone.now() + dt.timedelta(days=3), plan="方案"
    )
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=community)
    in_stage(project, Stage.PUBLIC_NOTICE)
    client = client_for(community)
    notice = client.post(
        reverse("consent-notice-list"),
        {
            "project": project.pk,
            "content": "方案",
            "starts_on": timezone.localdate().isoformat(),
            "period_days": 10,
            "day_kind": "working",
        },
        content_type="application/json",
    )
    assert notice.status_code == 201, notice.json()
    objection = client.post(
        reverse("consent-objection-list"),
        {"project": project.pk, "channel": "letter", "name": "甲", "phone": "13912345678", "content": "反对"},
        content_type="application/json",
    ).json()
    assert objection["notice"] == notice.json()["id"] and objection["phone"] == "13912345678"
    early = client.post(reverse("consent-objection-close", args=[objection["id"]]), {"outcome": "negotiated"})
    assert early.status_code == 400 and early.json()["codes"] == {"non_field_errors": ["not_answered"]}
    client.post(reverse("consent-objection-answer", args=[objection["id"]]), {"text": "已答复"})
    client.post(reverse("consent-objection-escalate", args=[objection["id"]]), {"level": "court"})
    closed = client.post(reverse("consent-objection-close", args=[objection["id"]]), {"outcome": "court"}).json()
    assert closed["status"] == "closed"
    scheme = client.post(
        reverse("consent-costscheme-list"),
        {"project": project.pk, "method": "area", "total_cost": "360000.00"},
        content_type="application/json",
    )
    assert scheme.status_code == 201 and scheme.json()["owners_pay"] == "360000.00"
    assert sum(float(s["share"]) for s in scheme.json()["shares"]) == 360000.0


def test_district_sees_objector_phones_masked(project, world, client_for):
    from jiati.consent import services

    services.objection_lodge(
        project=project, actor=world.users["community"], channel="phone", name="甲", phone="13912345678", content="x"
    )
    row = client_for(world.users["district"]).get(reverse("consent-objection-list")).json()["results"][0]
    assert row["phone"] == "139****5678"


def test_tally_endpoint(world, client_for, rules):
    client = client_for(world.users["subdistrict"])
    good = client.post(
        reverse("consent-tally"),
        {
            "file": SimpleUploadedFile("v.csv", "房号,业主,面积,意见\n1,甲,80,同意\n2,乙,80,未参与\n".encode()),
            "rule": "civil-code-278",
        },
    )
    assert good.status_code == 200 and good.json()["owners_total"] == 2 and good.json()["passed"] is False
    bad = client.post(
        reverse("consent-tally"), {"file": SimpleUploadedFile("v.csv", b"dwelling,owner,area,choice\n1,a,0,agree\n")}
    )
    assert bad.status_code == 400 and "Row 2" in str(bad.json()["errors"])
    assert client_for(world.users["contractor"]).post(reverse("consent-tally"), {}).status_code == 403


def test_schema_lists_the_consent_endpoints(world, client_for):
    schema = client_for(world.users["district"]).get(reverse("api-schema"), {"format": "json"}).json()
    for path in (
        "/api/consent/votes/",
        "/api/consent/votes/{id}/result/",
        "/api/consent/votes/{id}/ballots/",
        "/api/consent/tally/",
        "/api/consent/rule-sets/",
    ):
        assert path in schema["paths"], path


def test_the_tally_refuses_hostile_files_in_the_service_for_page_api_and_command(
    world, client_for, rules, settings, tmp_path
):
    """The sweep's workbook (one 300 MB shared string packed into 300 KB) and an oversized CSV are refused with
    their cause by the API, the page and `vote_tally` alike: the checks live in `tally_file`, not in a view."""
    from django.core.management import CommandError, call_command

    from jiati.core.tests.workbooks import hostile_workbook, long_shared_string

    bomb = hostile_workbook(
        sheet=b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=long_shared_string(300 * 1024 * 1024)
    )
    client = client_for(world.users["subdistrict"])
    answer = client.post(
        reverse("consent-tally"), {"file": SimpleUploadedFile("v.xlsx", bomb), "rule": "civil-code-278"}
    )
    assert answer.status_code == 400 and "sharedStrings.xml" in str(answer.json()["errors"])

    settings.JIATI_TALLY_MAX_BYTES = 1024
    big = SimpleUploadedFile("v.csv", b"dwelling,owner,area,choice\n" + b"1,a,80,agree\n" * 200)
    answer = client.post(reverse("consent-tally"), {"file": big, "rule": "civil-code-278"})
    assert answer.status_code == 400 and "the limit is 1.0" in str(answer.json()["errors"])

    big.seek(0)
    page = client.post(reverse("consent:tally"), {"file": big, "rule": "civil-code-278@1", "round_number": 1})
    assert page.status_code == 200 and "the limit is 1.0\xa0KB" in page.content.decode()

    path = tmp_path / "vote.csv"
    with open(path, "wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: 60 MB long, nothing on disk, never read
    with pytest.raises(CommandError, match=r"60\.0"):
        call_command("vote_tally", str(path))
