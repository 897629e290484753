"""The weekly review and the monthly dispatch against figures worked out by hand, saved as they were,
printable; and each subdistrict sees only its own numbers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiati.consultation.models import Petition
from jiati.projects import services as project_services
from jiati.projects.models import Blocker, EventKind, Project, ProjectEvent, Stage
from jiati.subsidies.models import Budget, LedgerEntry, SubsidyApplication
from jiati.supervision import selectors, services
from jiati.supervision.models import Rectification
from jiati.supervision.tests.conftest import all_ok, at_stage


def _aware(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def scene(world, site, stairwell_maker):
    """Subdistrict A1: one overdue project with a 5-day-old blocker, one at risk, one stalled for 20 days, the
    site with an overdue rectification, a petition due in 3 days (another in 30), a subsidy approved at
    ¥100,000 with ¥40,000 paid this month. Subdistrict A2: one overdue project that completed this month."""
    today = timezone.localdate()
    community = world.users["community"]

    def open_at(stairwell, stage, **fields):
        project = project_services.project_open(actor=world.users["district"], stairwell=stairwell)
        project = at_stage(project, stage)
        Project.objects.filter(pk=project.pk).update(**fields)
        project.refresh_from_db()
        return project

    overdue = open_at(stairwell_maker("a1a", "2单元"), Stage.DESIGN, stage_due=today - dt.timedelta(days=3))
    at_risk = open_at(
        stairwell_maker("a1a", "3单元"),
        Stage.APPROVALS,
        stage_due=today + dt.timedelta(days=2),
        stage_at_risk_from=today - dt.timedelta(days=1),
    )
    stalled = open_at(
        stairwell_maker("a1b", "4单元"), Stage.VOTE, stage_entered_at=timezone.now() - dt.timedelta(days=20)
    )
    blocker = project_services.blocker_open(
        project=overdue, actor=community, description="一楼业主反对", party="一楼业主", due_date=today
    )
    Blocker.objects.filter(pk=blocker.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    services.site_check_record(actor=community, project=site, results=all_ok(site, lifting=("issue", "无警戒区")))
    Rectification.objects.update(due_date=today - dt.timedelta(days=1))
    for reference, due in (("XF-1", today + dt.timedelta(days=3)), ("XF-2", today + dt.timedelta(days=30))):
        Petition.objects.create(
            reference=reference,
            channel="phone",
            petitioner_name="张三",
            reply_method="phone",
            petitioner_phone="13900000000",
            estate=world.estates["a1a"],
            community=world.regions["A1a"],
            subject=f"噪音 {reference}",
            content="…",
            received_on=today,
            accept_due=due,
            due_date=due,
            handler=community,
            created_by=community,
        )
    paid = open_at(stairwell_maker("a1a", "5单元"), Stage.SUBSIDY)
    budget = Budget.objects.create(
        region=world.regions["A"],
        year=today.year,
        source="district",
        amount=Decimal("1000000.00"),
        committed=Decimal("100000.00"),
        paid=Decimal("40000.00"),
    )
    application = SubsidyApplication.objects.create(
        budget=budget,
        project=paid,
        status="approved",
        eligible_on=today,
        storeys=6,
        stops=6,
        approved_amount=Decimal("100000.00"),
        paid_amount=Decimal("40000.00"),
        created_by=community,
    )
    LedgerEntry.objects.create(
        application=application,
        kind="payment",
        voucher_no="V-1",
        paid_on=today,
        amount=Decimal("40000.00"),
        recorded_by=world.users["finance"],
    )
    a2_done = open_at(stairwell_maker("a2a", "6单元"), Stage.REGISTRATION, stage_due=today - dt.timedelta(days=1))
    # Stage events this month: the site started (A1), the A2 project completed; and one last month (trend).
    ProjectEvent.objects.create(project=site, kind=EventKind.STAGE, to_stage=Stage.FOUNDATION, at=_aware(today))
    ProjectEvent.objects.create(project=a2_done, kind=EventKind.STAGE, to_stage=Stage.REGISTRATION, at=_aware(today))
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    ProjectEvent.objects.create(project=overdue, kind=EventKind.STAGE, to_stage=Stage.FOUNDATION, at=_aware(last_month))
    return {"overdue": overdue, "at_risk": at_risk, "stalled": stalled, "paid": paid, "a2_done": a2_done}


def test_weekly_review_contents(world, site, scene):
    review = services.weekly_review_generate(actor=world.users["subdistrict"], region=world.regions["A1"])
    sections = review.content["sections"]
    codes = {key: [row.get("code") or row.get("reference") for row in rows] for key, rows in sections.items()}
    assert codes["overdue_milestones"] == [scene["overdue"].code]  # A2's overdue project is not A1's business
    assert sections["overdue_milestones"][0]["days"] == 3
    assert codes["at_risk_milestones"] == [scene["at_risk"].code]
    assert sections["at_risk_milestones"][0]["days"] == 2
    assert sections["open_blockers"][0]["age"] == 5 and sections["open_blockers"][0]["code"] == scene["overdue"].code
    assert codes["stalled_projects"] == [scene["stalled"].code] and sections["stalled_projects"][0]["days"] == 20
    assert codes["petitions_near_deadline"] == ["XF-1"] and sections["petitions_near_deadline"][0]["days_left"] == 3
    assert sections["subsidies_unpaid"] == [
        {
            "project_id": scene["paid"].pk,
            "code": scene["paid"].code,
            "site": sections["subsidies_unpaid"][0]["site"],
            "status": "approved",
            "due": "100000.00",
            "paid": "40000.00",
            "unpaid": "60000.00",
        }
    ]
    assert (
        codes["rectifications_overdue"] == [site.code] and sections["rectifications_overdue"][0]["point"] == "lifting"
    )


def test_weekly_review_is_saved_as_it_was(world, site, scene):
    review = services.weekly_review_generate(actor=world.users["subdistrict"], region=world.regions["A1"])
    Project.objects.filter(pk=scene["overdue"].pk).update(stage_due=timezone.localdate() + dt.timedelta(days=30))
    review.refresh_from_db()
    assert [r["code"] for r in review.content["sections"]["overdue_milestones"]] == [scene["overdue"].code]
    with pytest.raises(ValidationError) as exc:
        services.weekly_review_generate(actor=world.users["subdistrict"], region=world.regions["A1"])
    assert exc.value.error_dict["week_start"][0].code == "already_generated"


def test_decision_needs_an_owner_and_is_tracked(world, site, scene):
    subdistrict = world.users["subdistrict"]
    review = services.weekly_review_generate(actor=subdistrict, region=world.regions["A1"])
    due = timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as exc:
        services.decision_add(actor=subdistrict, review=review, description="", owner=None, due_date=None)
    assert set(exc.value.message_dict) == {"description", "owner", "due_date"}
    assert exc.value.error_dict["owner"][0].code == "owner_required"
    decision = services.decision_add(
        actor=subdistrict,
        review=review,
        description="约谈一楼业主",
        owner=world.users["community"],
        due_date=due,
        project=scene["overdue"],
    )
    from jiati.supervision.mytasks import user_tasks

    assert [t["title"] for t in user_tasks(user=world.users["community"])][-1] == "约谈一楼业主"
    services.decision_done(actor=world.users["community"], decision=decision, note="已约谈")
    decision.refresh_from_db()
    assert decision.status == "done" and decision.done_at is not None


def test_monthly_dispatch_figures_ranking_and_trend(world, site, scene):
    month = timezone.localdate().replace(day=1)
    dispatch = services.dispatch_generate(actor=world.users["district"], region=world.regions["A"], month=month)
    rows = {r["name"]: r for r in dispatch.content["rows"]}
    a1, a2 = rows["平湖街道"], rows["坂田街道"]
    assert (a1["started_month"], a1["completed_month"], a1["votes_passed_month"]) == (1, 0, 0)
    assert (a1["overdue_projects"], a1["overdue_rectifications"], a1["overdue_petitions"]) == (1, 1, 0)
    assert a1["subsidy_paid_month"] == "40000.00" and a1["subsidy_paid_total"] == "40000.00"
    assert a1["subsidy_due"] == "60000.00"
    assert a1["started_total"] == 2  # the site (foundation) and the project at the subsidy stage
    assert a1["under_construction"] == 1
    assert a1["score"] == 2 * 1 - 1 - 1  # 0
    assert (a2["completed_month"], a2["overdue_projects"], a2["score"]) == (1, 1, 3 * 1 - 1)
    assert [r["name"] for r in dispatch.content["rows"]] == ["坂田街道", "平湖街道"]
    assert [r["rank"] for r in dispatch.content["rows"]] == [1, 2]
    trend = dispatch.content["totals"]["trend"]
    assert len(trend) == selectors.TREND_MONTHS and trend[-1]["month"] == month.isoformat()
    assert (trend[-1]["started"], trend[-1]["completed"], trend[-2]["started"]) == (1, 1, 1)
    assert dispatch.content["totals"]["subsidy_paid_month"] == "40000.00"


def test_subdistrict_sees_only_its_own_row(world, site, scene):
    month = timezone.localdate().replace(day=1)
    dispatch = services.dispatch_generate(actor=world.users["district"], region=world.regions["A"], month=month)
    view = selectors.dispatch_view(user=world.users["subdistrict"], dispatch=dispatch)
    assert [r["name"] for r in view["rows"]] == ["平湖街道"] and view["totals"] is None and view["of"] == 2
    full = selectors.dispatch_view(user=world.users["district"], dispatch=dispatch)
    assert len(full["rows"]) == 2


def test_instruction_to_a_subdistrict_is_tracked(world, site, scene):
    month = timezone.localdate().replace(day=1)
    district = world.users["district"]
    dispatch = services.dispatch_generate(actor=district, region=world.regions["A"], month=month)
    with pytest.raises(ValidationError) as exc:
        services.instruction_add(
            actor=district, dispatch=dispatch, subdistrict=world.regions["B1"], text="", due_date=None
        )
    assert set(exc.value.message_dict) == {"subdistrict", "text", "due_date"}
    due = timezone.localdate() + dt.timedelta(days=10)
    instruction = services.instruction_add(
        actor=district, dispatch=dispatch, subdistrict=world.regions["A1"], text="加快整改", due_date=due
    )
    assert list(services.instruction_visible(world.users["subdistrict"])) == [instruction]
    other = world.users["other_district"]
    assert not services.instruction_visible(other).exists()
    services.instruction_done(actor=world.users["subdistrict"], instruction=instruction, note="已完成")
    instruction.refresh_from_db()
    assert instruction.status == "done" and instruction.done_by == world.users["subdistrict"]


def test_printed_review_and_dispatch(world, site, scene, client_for):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    review = services.weekly_review_generate(actor=world.users["subdistrict"], region=world.regions["A1"])
    month = timezone.localdate().replace(day=1)
    dispatch = services.dispatch_generate(actor=world.users["district"], region=world.regions["A"], month=month)
    client = client_for(world.users["district"])
    response = client.get(f"/supervision/reviews/{review.pk}/review.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "平湖街道" in text and "每周一研判" in text
    response = client.get(f"/supervision/dispatches/{dispatch.pk}/dispatch.pdf")
    pdf = PdfReader(io.BytesIO(response.content))
    assert "每月一调度" in pdf.pages[0].extract_text() and "坂田街道" in pdf.pages[0].extract_text()
    response = client.get(f"/supervision/dispatches/{dispatch.pk}/dispatch.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "排名" and rows[1][1] == "坂田街道" and rows[2][1] == "平湖街道"
    # The subdistrict's own export holds only its row.
    response = client_for(world.users["subdistrict"]).get(f"/supervision/dispatches/{dispatch.pk}/dispatch.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [r[1] for r in rows[1:2]] == ["平湖街道"] and "坂田街道" not in str(rows)


def test_monthly_dispatch_sets_progress_against_the_pools_targets(world, site, scene):
    """A1 has its own target (4 started, 2 in service); A2 none of its own, but one for its community A2a (3, 1):
    A2's target is that sum. Started this year: the site and the overdue project entered the foundation stage
    (the latter last month, in this year unless this is January)."""
    from jiati.pool import selectors as pool_selectors
    from jiati.pool.models import Target

    today = timezone.localdate()
    month = today.replace(day=1)
    district = world.users["district"]
    Target.objects.create(
        region=world.regions["A1"], year=today.year, projects_started=4, elevators_in_service=2, set_by=district
    )
    Target.objects.create(
        region=world.regions["A2a"], year=today.year, projects_started=3, elevators_in_service=1, set_by=district
    )
    Target.objects.create(  # another year: not counted
        region=world.regions["A1"], year=today.year - 1, projects_started=9, elevators_in_service=9, set_by=district
    )
    dispatch = services.dispatch_generate(actor=district, region=world.regions["A"], month=month)
    rows = {r["name"]: r for r in dispatch.content["rows"]}
    a1, a2 = rows["平湖街道"], rows["坂田街道"]
    started = 2 if (month - dt.timedelta(days=1)).year == today.year else 1
    assert (a1["target_started"], a1["started_year"], a1["target_in_service"], a1["in_service_year"]) == (
        4,
        started,
        2,
        0,
    )
    assert (a2["target_started"], a2["started_year"], a2["target_in_service"], a2["in_service_year"]) == (3, 0, 1, 0)
    coverage = pool_selectors.coverage(user=district, region=world.regions["A1"])
    assert (a1["willing_feasible"], a1["feasible"]) == (coverage.willing_feasible, coverage.feasible)
    totals = dispatch.content["totals"]
    assert (totals["target_started"], totals["started_year"], totals["target_in_service"]) == (7, started, 3)

    from jiati.supervision import reports

    report = reports.dispatch_report(user=district, dispatch=dispatch)
    by_name = {r[0]: r for r in report["targets"]}
    assert by_name["平湖街道"][1:7] == [4, started, f"{started * 100 // 4}%", 2, 0, "0%"]
    assert by_name["坂田街道"][1:7] == [3, 0, "0%", 1, 0, "0%"]
    assert report["targets"][-1][1:4] == [7, started, f"{started * 100 // 7}%"]  # the district's row


def test_a_subdistrict_without_any_target_shows_a_dash(world, site, scene):
    month = timezone.localdate().replace(day=1)
    dispatch = services.dispatch_generate(actor=world.users["district"], region=world.regions["A"], month=month)
    from jiati.supervision import reports

    report = reports.dispatch_report(user=world.users["district"], dispatch=dispatch)
    assert all(row[1] == "—" and row[3] == "—" for row in report["targets"])


def test_a_weekly_review_names_every_wrong_field_at_once(world):
    with pytest.raises(ValidationError) as caught:
        services.weekly_review_generate(
            actor=world.users["subdistrict"],
            region=world.regions["A1"],
            week_start=timezone.localdate() + dt.timedelta(days=14),
            stalled_days=0,
        )
    assert set(caught.value.error_dict) == {"stalled_days", "week_start"}
