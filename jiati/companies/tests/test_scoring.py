import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.companies import ranking
from jiati.companies.models import AppealStatus, Colour, CompanyScore, ListStatus, RankingList
from jiati.core.tests.factories import make_user
from jiati.elevators.models import FaultReport, MaintenanceVisit

pytestmark = pytest.mark.django_db

WEIGHTS = {"civilised_construction": "2", "quality_control": "3", "operation_maintenance": "5"}
DEDUCTIONS = {"maintenance_late": "2", "fault": "1.5", "arrival_late": "4", "repair_late": "1", "rating_shortfall": "3"}


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


def test_a_hand_computed_period_and_the_same_number_when_recomputed(world, elevator, scheme):
    """Last month, the maintainer: 2 late visits, 1 trapped fault that arrived 75 min after (45 min late = 0.75 h)
    and was rated 2 stars. Its only area is operation & maintenance: 100 − (2×2 + 1×1.5 + 0.75×4 + 3×3) = 82.50."""
    period = ranking.period_start(timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    zone = timezone.get_default_timezone()
    maintainer = world.companies["maintainer"]
    for day in (3, 20):
        MaintenanceVisit.objects.create(
            elevator=elevator, maintainer=maintainer, visited_on=period.replace(day=day), items="保养", days_late=4,
            recorded_by=world.users["maintainer"],
        )  # fmt: skip
    reported = dt.datetime.combine(period.replace(day=10), dt.time(9), tzinfo=zone)
    FaultReport.objects.create(
        elevator=elevator, maintainer=maintainer, kind="trapped", urgent=True, phone="13800001111", status="closed",
        reported_at=reported, acknowledged_at=reported + dt.timedelta(minutes=5),
        arrived_at=reported + dt.timedelta(minutes=75), closed_at=reported + dt.timedelta(hours=3), rating=2,
        cause="x", repair="y",
    )  # fmt: skip
    # Outside the period: not counted.
    MaintenanceVisit.objects.create(
        elevator=elevator, maintainer=maintainer, visited_on=ranking.next_period(period), items="保养", days_late=9,
        recorded_by=world.users["maintainer"],
    )  # fmt: skip
    [score] = ranking.scores_compute(period=period, company_ids=[maintainer.pk])
    assert score.score == Decimal("82.50")
    assert score.areas == {"operation_maintenance": "82.50"}
    assert {e["kind"] for e in score.events} == {"maintenance_late", "fault", "arrival_late", "rating_shortfall"}
    assert all(e["source"].startswith("elevators.") for e in score.events)
    [again] = ranking.scores_compute(period=period, company_ids=[maintainer.pk])
    assert again.score == score.score and again.events == score.events
    assert CompanyScore.objects.filter(company=maintainer, period=period).count() == 1


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
