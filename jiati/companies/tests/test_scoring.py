import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.companies import ranking
from jiati.companies.models import AppealStatus, Colour, CompanyScore, ListStatus, RankingList, ScoreScheme
from jiati.consultation.models import Petition
from jiati.core.tests.factories import CompanyFactory, make_user
from jiati.elevators.models import FaultReport, Inspection, MaintenanceVisit
from jiati.elevators.tests.conftest import project_in_service
from jiati.projects.models import Milestone, ProjectEvent, SchedulePlan
from jiati.supervision.models import Rectification, SiteCheck

pytestmark = pytest.mark.django_db

WEIGHTS = {"civilised_construction": "2", "quality_control": "3", "operation_maintenance": "5"}
DEDUCTIONS = {
    "maintenance_late": "2", "maintenance_missed": "5", "fault": "0.3", "arrival_late": "4", "repair_late": "1",
    "rating_shortfall": "3", "inspection_not_passed": "5", "inspection_defect": "1", "petition": "2",
    "site_check_finding": "2", "rectification_hours": "0.02", "rectification_closed_late": "1",
    "rectification_overdue": "2", "schedule_overrun": "0.5",
}  # fmt: skip


@pytest.fixture
def scheme(world):
    return ranking.scheme_create(
        actor=world.users["district"], name="2026", valid_from=dt.date(2020, 1, 1), area_weights=WEIGHTS,
        deductions=DEDUCTIONS, red_min_score=95, black_below_score=80,
    )  # fmt: skip


def test_bad_weight_sets_are_refused(world):
    district = world.users["district"]
    for weights in ({"quality_control": "-1", "operation_maintenance": "2"}, {"quality_control": "0"}):
        with pytest.raises(ValidationError) as exc:
            ranking.scheme_create(
                actor=district, name="x", valid_from=dt.date(2026, 1, 1), area_weights=weights, deductions={}
            )
        assert "area_weights" in exc.value.error_dict


def _petition(world, *, project, received_on, status, reference):
    return Petition.objects.create(
        reference=reference, channel="phone", petitioner_name="李四", petitioner_phone="13900000001",
        reply_method="phone", estate=project.estate, community=project.community, project=project, subject="投诉",
        content="…", received_on=received_on, accept_due=received_on, due_date=received_on,
        accepted_on=None if status == "declined" else received_on, resolve_due=received_on, status=status,
        created_by=world.users["community"],
    )  # fmt: skip


def test_a_hand_computed_period_from_every_source_and_the_same_number_when_recomputed(world, elevator):
    """September 2026 (30 days), every source of evidence, computed by hand:

    maintainer (operation & maintenance only): a visit 16 days late (−2); no visit for two intervals once (−5);
    one fault on its one elevator = 365/30 faults per elevator-year (−12.1667×0.3); the trapped resident reached
    45 min late (−0.75 h×4); rated 2 stars (−3×3); the elevator's first inspection not passed first time (−5)
    with two defects (−2×1); a petition after it entered service (−2) → 100 − 31.65 = 68.35.
    contractor: civilised construction 100 − (finding 2 + 120 h×0.02 + overdue 2 + closed late 1 + petition 2)
    = 90.60; quality control 100 − (4 days overrun×0.5 + first inspection 5 + 2) = 91.00; weights 2:3 → 90.84.
    maker (quality control 93.00, operation & maintenance 100.00; weights 3:5) → 97.375 → 97.38.
    """
    district, zone = world.users["district"], timezone.get_default_timezone()
    maintainer, contractor = world.companies["maintainer"], world.companies["contractor"]
    maker = CompanyFactory(name="奥的斯", is_manufacturer=True, is_contractor=False)
    ranking.scheme_create(
        actor=district, name="2026", valid_from=dt.date(2020, 1, 1), area_weights=WEIGHTS, deductions=DEDUCTIONS
    )
    day = lambda d, h=12: dt.datetime(2026, 9, d, h, tzinfo=zone)  # noqa: E731
    elevator.in_service_since, elevator.maker = dt.date(2026, 6, 1), maker
    elevator.save()
    ProjectEvent.objects.create(
        project=elevator.project, kind="stage", to_stage="in_service", at=day(1) - dt.timedelta(days=90)
    )
    for visited_on, late in ((dt.date(2026, 8, 20), 0), (dt.date(2026, 9, 20), 16)):
        MaintenanceVisit.objects.create(
            elevator=elevator, maintainer=maintainer, visited_on=visited_on, items="保养", days_late=late,
            recorded_by=world.users["maintainer"],
        )  # fmt: skip
    FaultReport.objects.create(
        elevator=elevator, maintainer=maintainer, kind="trapped", urgent=True, phone="13800001111", status="closed",
        reported_at=day(10, 9), acknowledged_at=day(10, 9) + dt.timedelta(minutes=5),
        arrived_at=day(10, 9) + dt.timedelta(minutes=75), closed_at=day(10, 12), rating=2, cause="x", repair="y",
    )  # fmt: skip
    Inspection.objects.create(
        elevator=elevator, due_on=dt.date(2026, 9, 30), inspected_on=dt.date(2026, 9, 15), result="rectified",
        defects="门锁回路\n\n制动器",
    )  # fmt: skip
    _petition(world, project=elevator.project, received_on=dt.date(2026, 9, 5), status="replied", reference="XF-1")
    # A site under construction: a finding closed late, a foundation four days past its plan, a petition.
    site = project_in_service(world, key="a1b")
    site.stage, site.maintainer = "shaft", None
    site.save()
    plan = SchedulePlan.objects.create(project=site, version=1, target_date=dt.date(2026, 12, 31), created_by=district)
    Milestone.objects.create(
        plan=plan, stage="foundation", planned_start=dt.date(2026, 8, 1), due_date=dt.date(2026, 9, 10)
    )
    ProjectEvent.objects.create(
        project=site, kind="stage", from_stage="construction_notice", to_stage="foundation", at=day(1)
    )
    ProjectEvent.objects.create(project=site, kind="stage", from_stage="foundation", to_stage="shaft", at=day(14, 16))
    check = SiteCheck.objects.create(
        project=site, stage="foundation", inspector=district, checked_on=dt.date(2026, 9, 3)
    )
    Rectification.objects.create(
        project=site, site_check=check, code="fence", area="civilised_construction", description="围挡缺失",
        company=contractor, due_date=dt.date(2026, 9, 6), status="closed", opened_at=day(3, 10),
        closed_at=day(8, 10), verified_by=district, recheck=check,
    )  # fmt: skip
    _petition(world, project=site, received_on=dt.date(2026, 9, 12), status="accepted", reference="XF-2")
    # Not evidence: a petition not accepted, a late visit of the next month.
    _petition(world, project=site, received_on=dt.date(2026, 9, 13), status="declined", reference="XF-3")
    MaintenanceVisit.objects.create(
        elevator=elevator, maintainer=maintainer, visited_on=dt.date(2026, 10, 1), items="保养", days_late=2,
        recorded_by=world.users["maintainer"],
    )  # fmt: skip

    period = dt.date(2026, 9, 1)
    ids = [maintainer.pk, contractor.pk, maker.pk]
    scores = {s.company_id: s for s in ranking.scores_compute(period=period, company_ids=ids)}
    assert scores[maintainer.pk].score == Decimal("68.35")
    assert scores[contractor.pk].areas == {"civilised_construction": "90.60", "quality_control": "91.00"}
    assert scores[contractor.pk].score == Decimal("90.84")
    assert scores[maker.pk].score == Decimal("97.38")
    kinds = {e["kind"]: e["value"] for e in scores[maintainer.pk].events}
    assert kinds == {
        "maintenance_late": "1", "maintenance_missed": "1", "fault": "12.1667", "arrival_late": "0.75",
        "rating_shortfall": "3", "inspection_not_passed": "1", "inspection_defect": "2", "petition": "1",
    }  # fmt: skip
    sources = {e["source"].split(":")[0] for s in scores.values() for e in s.events}
    assert sources == {
        "elevators.MaintenanceVisit", "elevators.Elevator", "elevators.FaultReport", "elevators.Inspection",
        "consultation.Petition", "supervision.Rectification", "projects.Milestone",
    }  # fmt: skip
    again = {s.company_id: s for s in ranking.scores_compute(period=period, company_ids=ids)}
    assert all(again[pk].score == scores[pk].score and again[pk].events == scores[pk].events for pk in ids)
    assert CompanyScore.objects.filter(period=period).count() == 3


def test_a_deduction_for_evidence_nobody_records_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        ranking.scheme_create(
            actor=world.users["district"], name="x", valid_from=dt.date(2026, 1, 1), area_weights=WEIGHTS,
            deductions={"fault": "1", "rectification_late": "1"},
        )  # fmt: skip
    assert "rectification_late" in exc.value.messages[0]
    assert {"fault", "petition", "schedule_overrun", "site_check_finding"} <= set(ranking.event_kinds())


def test_list_violation_publish_appeal_and_correction(world, scheme):
    district = world.users["district"]
    maintainer = world.companies["maintainer"]
    period = ranking.period_start(timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    draft = ranking.ranking_list_draft(actor=district, period=period, kind="maintainer")
    entry = draft.entries.get(company=maintainer)
    assert entry.colour == Colour.RED and entry.score == Decimal("100.00")
    ranking.violation_add(
        actor=district, company=maintainer, period=period, kind="falsified_records", description="伪造维保记录",
        evidence_note="区市场监管局通报 2026-11",
    )  # fmt: skip
    entry.refresh_from_db()
    assert entry.colour == Colour.BLACK
    published = ranking.ranking_list_publish(actor=district, ranking=draft)
    assert published.status == ListStatus.PUBLISHED and published.appeal_until
    with pytest.raises(ValidationError):
        ranking.ranking_list_draft(actor=district, period=period, kind="maintainer")  # frozen
    admin = make_user("maint-admin", Role.MAINTAINER, company=maintainer)
    admin.is_unit_admin = True
    appeal = ranking.appeal_submit(actor=admin, entry=entry, grounds="记录为系统故障所致")
    ranking.appeal_decide(
        actor=district, appeal=appeal, upheld=True, reason="核实为系统故障", corrected_colour=Colour.NONE
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    original = RankingList.objects.get(pk=draft.pk)
    corrected = RankingList.objects.get(corrects=original)
    assert original.status == ListStatus.SUPERSEDED and corrected.status == ListStatus.PUBLISHED
    assert original.entries.get(company=maintainer).colour == Colour.BLACK  # the original stays as published
    assert corrected.entries.get(company=maintainer).colour == Colour.NONE


def test_the_scheme_page_adds_a_version_and_keeps_a_refused_form_as_typed(world, client_for, scheme):
    district = world.users["district"]
    page = client_for(district).get("/companies/schemes/")
    assert page.status_code == 200 and "points_schedule_overrun" in page.content.decode()
    typed = {
        "name": "2027 试行", "valid_from": "2027-01-01", "red_min_score": "90", "black_below_score": "60",
        "appeal_days": "15", "weight_civilised_construction": "-1", "weight_quality_control": "0",
        "weight_operation_maintenance": "0", "points_fault": "2",
    }  # fmt: skip
    refused = client_for(district).post("/companies/schemes/", typed)
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "is negative" in body and 'value="2027 试行"' in body
    assert ScoreScheme.objects.count() == 1
    typed |= {"weight_civilised_construction": "0"}
    refused = client_for(district).post("/companies/schemes/", typed)
    assert "At least one area must weigh more than zero." in refused.content.decode()
    typed |= {"weight_operation_maintenance": "1"}
    response = client_for(district).post("/companies/schemes/", typed)
    assert response.status_code == 302
    new = ScoreScheme.objects.get(version=2)
    assert new.deductions == {"fault": "2"} and new.area_weights["operation_maintenance"] == "1"
    scheme.refresh_from_db()
    assert scheme.deductions == DEDUCTIONS  # the earlier version as it was
    for role in ("community", "contractor", "maintainer"):
        assert client_for(world.users[role]).get("/companies/schemes/").status_code == 403


def test_drawing_up_a_list_names_every_wrong_field_at_once(world):
    with pytest.raises(ValidationError) as caught:
        ranking.ranking_list_draft(actor=world.users["district"], period=timezone.localdate(), kind="bakery")
    assert set(caught.value.error_dict) == {"kind", "period"}
    assert not RankingList.objects.exists()


def test_the_scheme_names_every_wrong_number_at_once_each_on_its_field():
    """Issue 13: a wrong red threshold hid a wrong black one (checked in one go, the first refusal stopped the
    second), and a threshold of "inf" was reported on the red field whichever was wrong."""
    with pytest.raises(ValidationError) as caught:
        ranking.scheme_validate(
            area_weights={"quality_control": "x", "civilised_construction": "-1"},
            deductions={"fault": "y"},
            red_min_score="abc",
            black_below_score="xyz",
        )
    refused = caught.value.message_dict
    assert set(refused) == {"area_weights", "deductions", "red_min_score", "black_below_score"}
    assert len(refused["area_weights"]) == 2  # the word and the negative weight
    assert "abc" in refused["red_min_score"][0] and "xyz" in refused["black_below_score"][0]
    with pytest.raises(ValidationError) as caught:
        ranking.scheme_validate(area_weights=WEIGHTS, deductions={}, red_min_score="90", black_below_score="inf")
    assert set(caught.value.message_dict) == {"black_below_score"}
