import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.elevators import services
from jiati.elevators.models import Elevator, FaultKind, FaultStatus, RunningCostShare
from jiati.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_entering_service_creates_one_elevator_record_with_the_projects_companies(world, elevator):
    assert elevator.maintainer == world.companies["maintainer"]
    assert elevator.installer == world.companies["contractor"]
    assert elevator.inspections.filter(result="due").count() == 1
    assert len(elevator.public_token) >= 20 and str(elevator.pk) != elevator.public_token
    services.elevator_create_for_project(project=elevator.project, actor=world.users["district"])
    assert Elevator.objects.filter(project=elevator.project).count() == 1


def test_equipment_code_must_have_20_digits(world, elevator):
    with pytest.raises(ValidationError) as exc:
        services.elevator_update(actor=world.users["community"], elevator=elevator, equipment_code="1234")
    assert "equipment_code" in exc.value.error_dict
    services.elevator_update(actor=world.users["community"], elevator=elevator, equipment_code="3" * 20)


def test_visit_in_the_future_is_refused_and_lateness_is_measured(world, elevator):
    maintainer = world.users["maintainer"]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=maintainer, elevator=elevator, visited_on=today + dt.timedelta(days=1), items="x")
    assert exc.value.error_dict["visited_on"][0].code == "future_date"
    first = services.visit_record(
        actor=maintainer, elevator=elevator, visited_on=today - dt.timedelta(days=80), items="常规保养"
    )
    assert first.days_late == 20 - 15 + 0  # 100 − 80 = 20 days since service began, 15 allowed
    on_time = services.visit_record(
        actor=maintainer, elevator=elevator, visited_on=today - dt.timedelta(days=66), items="常规保养"
    )
    assert on_time.days_late == 0
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=world.users["community"], elevator=elevator, visited_on=today, items="x")


def test_alerts_show_overdue_visit_inspection_due_and_expired_contract(world, elevator):
    today = timezone.localdate()
    Elevator.objects.filter(pk=elevator.pk).update(
        last_visit_on=today - dt.timedelta(days=20),
        next_inspection_due=today + dt.timedelta(days=10),
        contract_end=today - dt.timedelta(days=1),
    )
    filters = services.alert_filters(today)
    for key in ("visit_overdue", "inspection_due", "contract_expired"):
        assert Elevator.objects.filter(filters[key], pk=elevator.pk).exists(), key
    assert services.alerts_notify(today=today) > 0
    assert Notification.objects.filter(recipient=world.users["maintainer"], kind="elevator_visit_overdue").exists()
    assert Notification.objects.filter(recipient=world.users["community"], kind="elevator_inspection_due").exists()
    again = services.alerts_notify(today=today)
    assert again == 0  # told once per alert


def test_my_tasks_give_the_maintainer_its_visits_faults_and_inspections_and_staff_the_escalated_faults(world, elevator):
    from jiati.core.hooks import collect

    today = timezone.localdate()
    Elevator.objects.filter(pk=elevator.pk).update(
        last_visit_on=today - dt.timedelta(days=20), next_inspection_due=today - dt.timedelta(days=2)
    )
    report = services.fault_report(elevator=elevator, kind=FaultKind.TRAPPED, phone="13800001111")
    tasks = {(str(t["kind"]), t["overdue"]) for t in collect("mytasks", "user_tasks", user=world.users["maintainer"])}
    assert {("Fault report", True), ("Maintenance visit", True), ("Periodic inspection", True)} <= tasks
    community = world.users["community"]
    assert "Fault report" not in {str(t["kind"]) for t in collect("mytasks", "user_tasks", user=community)}
    services.faults_escalate(now=report.reported_at + dt.timedelta(minutes=20))
    mine = [t for t in collect("mytasks", "user_tasks", user=community) if str(t["kind"]) == "Fault report"]
    assert [t["url"] for t in mine] == [f"/elevators/faults/{report.pk}/"]
    other = world.users["other_community"]
    assert not [t for t in collect("mytasks", "user_tasks", user=other) if str(t["kind"]) == "Fault report"]
    assert not [t for t in collect("mytasks", "user_tasks", user=world.users["contractor"]) if "elevators" in t["url"]]


def test_fault_flow_timing_and_escalation(world, elevator):
    cache.clear()
    report = services.fault_report(elevator=elevator, kind=FaultKind.TRAPPED, phone="13800001111")
    assert report.urgent and report.maintainer == world.companies["maintainer"]
    assert Notification.objects.filter(recipient=world.users["maintainer"], kind="fault_urgent").exists()
    start = report.reported_at
    assert services.faults_escalate(now=start + dt.timedelta(minutes=14)) == 0
    assert services.faults_escalate(now=start + dt.timedelta(minutes=16)) == 1
    assert Notification.objects.filter(recipient=world.users["community"], kind="fault_escalated").exists()
    assert services.faults_escalate(now=start + dt.timedelta(minutes=30)) == 0
    assert services.faults_escalate(now=start + dt.timedelta(minutes=61)) == 1
    assert Notification.objects.filter(recipient=world.users["district"], kind="fault_escalated").exists()
    maintainer = world.users["maintainer"]
    services.fault_acknowledge(actor=maintainer, report=report)
    services.fault_arrive(actor=maintainer, report=report)
    report.refresh_from_db()
    report.reported_at = report.arrived_at - dt.timedelta(minutes=45)
    report.save()
    timing = services.fault_timing(report)
    assert timing["arrival_minutes"] == 45 and timing["arrival_limit"] == 30 and timing["arrival_late"]
    with pytest.raises(ValidationError) as exc:
        services.fault_close(actor=maintainer, report=report, cause="", repair="")
    assert set(exc.value.error_dict) == {"cause", "repair"}
    services.fault_close(actor=maintainer, report=report, cause="门锁故障", repair="更换门锁")
    services.fault_rate(report=report, rating=3)
    report.refresh_from_db()
    assert report.status == FaultStatus.CLOSED and report.rating == 3
    with pytest.raises(ValidationError):
        services.fault_rate(report=report, rating=5)


def test_fault_flood_from_one_phone_is_refused(world, elevator, settings):
    cache.clear()
    for _i in range(settings.JIATI_FAULT_REPORTS_PER_PHONE_HOUR):
        services.fault_rate_check(phone="13800002222", address="10.0.0.1")
    with pytest.raises(ValidationError) as exc:
        services.fault_rate_check(phone="13800002222", address="10.0.0.2")
    assert exc.value.error_dict["phone"][0].code == "rate_limited"


def test_retired_elevator_refuses_reports(world, elevator):
    services.elevator_retire(actor=world.users["community"], elevator=elevator, reason="拆除")
    elevator.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.fault_validate(elevator=elevator, kind="stopped", phone="13800001111")
    assert exc.value.messages == ["This QR code is unknown or no longer in use."]


def test_running_costs_split_to_the_fen_and_payment_not_above_share(world, elevator):
    cost = services.running_cost_share(
        actor=world.users["community"],
        elevator=elevator,
        year=2026,
        method="floor_coefficient",
        parameters={"coefficients": {"1": "0", "2": "0.5", "3": "0.8", "4": "1", "5": "1.2", "6": "1.5"}},
        maintenance=Decimal("9000.00"),
        electricity=Decimal("1234.57"),
        inspection=Decimal("500"),
        insurance=Decimal("300.01"),
    )
    shares = list(cost.shares.all())
    assert cost.total == Decimal("11034.58")
    assert sum(s.amount for s in shares) == cost.total
    ground = [s for s in shares if s.dwelling.floor == 1]
    assert all(s.amount == 0 for s in ground)
    # By hand: 12 dwellings of 80 m², coefficient sum 2 × 5.0 = 10. Quotas in fen: floor 6 = 1,103,458 × 1.5/10 =
    # 165,518.7; floor 5: 132,414.96; floor 4: 110,345.8; floor 3: 88,276.64; floor 2: 55,172.9. The floors add up
    # to 1,103,450, so the 8 fen left go to the 8 largest remainders (.96, .96, .9, .9, .8, .8, .7, .7): floor 3
    # (.64) gets none.
    by_floor = {s.dwelling.floor: s.amount for s in shares}
    assert by_floor == {
        1: Decimal("0.00"), 2: Decimal("551.73"), 3: Decimal("882.76"), 4: Decimal("1103.46"),
        5: Decimal("1324.15"), 6: Decimal("1655.19"),
    }  # fmt: skip
    share = max(shares, key=lambda s: s.amount)
    with pytest.raises(ValidationError) as exc:
        services.running_cost_payment(
            actor=world.users["community"],
            share=share,
            amount=share.amount + Decimal("0.01"),
            paid_on=timezone.localdate(),
        )
    assert exc.value.error_dict["amount"][0].code == "above_share"
    services.running_cost_payment(
        actor=world.users["community"], share=share, amount=share.amount, paid_on=timezone.localdate()
    )
    assert RunningCostShare.objects.get(pk=share.pk).outstanding == 0
    with pytest.raises(ValidationError):
        services.running_cost_share(
            actor=world.users["community"], elevator=elevator, year=2026, method="area", maintenance=1
        )


def test_reporter_gets_the_follow_up_link_by_text(world, elevator, django_capture_on_commit_callbacks):
    from jiati.notifications.channels import ConsoleSmsSender

    with django_capture_on_commit_callbacks(execute=True):
        report = services.fault_report(elevator=elevator, kind=FaultKind.DOORS, phone="13800006666")
    phone, text = ConsoleSmsSender.sent[-1]
    assert phone == "13800006666" and report.follow_token in text


def test_daily_sweeps_run(world, elevator):
    from jiati.companies.daily import run_daily as companies_daily
    from jiati.elevators.daily import run_daily as elevators_daily

    assert set(companies_daily()) == {"licence_reminders", "scores_computed"}
    assert set(elevators_daily()) == {"alerts_sent", "faults_escalated"}
