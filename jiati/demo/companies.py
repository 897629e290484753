"""Demo: companies of every kind with licences and contacts; elevators in service for the projects that are,
with maintenance visits (some late), inspections due, faults open and closed, running costs partly paid;
three months of scores and a published red/black list: one company black-listed for a serious violation, another's
black listing overturned on appeal."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone, translation

from jiati.accounts.models import Role
from jiati.companies import ranking
from jiati.companies.models import Colour, Company, CompanyContact, Licence, LicenceKind, LicenceStatus
from jiati.demo.housing import credit_code
from jiati.elevators import services as elevator_services
from jiati.elevators.models import Elevator, FaultEvent, FaultReport, Inspection, MaintenanceVisit
from jiati.projects.models import Project, Stage

MORE_COMPANIES = [
    ("深圳市城建设计研究院有限公司", "is_designer"),
    ("深圳市鹏安工程监理有限公司", "is_supervisor"),
    ("深圳市中衡造价咨询有限公司", "is_cost_consultant"),
]
WEIGHTS = {"civilised_construction": "3", "quality_control": "3", "operation_maintenance": "4"}
# A construction team only (no maker's or maintainer's list of the month is published before its violation is added).
BLACK_LISTED_CONTRACTOR = "深圳市安居加装电梯工程有限公司"
DEDUCTIONS = {
    "maintenance_late": "3",
    "maintenance_missed": "5",
    "fault": "1",
    "arrival_late": "4",
    "repair_late": "0.5",
    "rating_shortfall": "2",
    "inspection_not_passed": "5",
    "inspection_defect": "1",
    "site_check_finding": "2",
    "rectification_hours": "0.02",
    "rectification_closed_late": "1",
    "rectification_overdue": "2",
    "schedule_overrun": "0.5",
    "petition": "2",
}


def seed(context: dict) -> None:
    with translation.override("zh-hans"):  # what the demo stores (notification titles) reads as in production
        _seed(context)


def _seed(context: dict) -> None:
    rng = random.Random(14)
    people = context["people"]
    district = people["district"]
    today = timezone.localdate()
    for index, (name, field) in enumerate(MORE_COMPANIES):
        Company.objects.create(name=name, credit_code=credit_code(950 + index), address="深圳市龙岗区", **{field: True})
    for index, company in enumerate(Company.objects.order_by("pk")):
        if company.is_maintainer:
            company.hotline = f"0755-8{index:03d}9600"
            company.save(update_fields=["hotline"])
        CompanyContact.objects.create(
            company=company, name="项目经理", position="项目经理", phone=f"1370000{index:04d}"
        )
        kinds = []
        if company.is_manufacturer:
            kinds.append(LicenceKind.MANUFACTURE)
        if company.is_contractor or company.is_maintainer:
            kinds.append(LicenceKind.SPECIAL_EQUIPMENT)
        if company.is_contractor:
            kinds.append(LicenceKind.CONSTRUCTION)
        for kind in kinds:
            # One maintainer's licence runs out within the month (reminders), the rest in a few years.
            expires = today + dt.timedelta(days=20) if company.pk % 5 == 0 else today + dt.timedelta(days=900)
            Licence.objects.create(
                company=company, kind=kind, number=f"TS{company.pk:03d}{kind[:3].upper()}", scope="乘客电梯 A2 级",
                issued_on=today - dt.timedelta(days=1500), expires_on=expires, status=LicenceStatus.CONFIRMED,
                submitted_by=district, confirmed_by=district, confirmed_at=timezone.now(),
            )  # fmt: skip
    pending_company = Company.objects.filter(is_maintainer=True).order_by("pk").last()
    Licence.objects.create(
        company=pending_company, kind=LicenceKind.SPECIAL_EQUIPMENT, number="TS-RENEW-2029", scope="乘客电梯",
        issued_on=today - dt.timedelta(days=5), expires_on=today + dt.timedelta(days=1460),
        status=LicenceStatus.PENDING, submitted_by=people["maintainer"],
    )  # fmt: skip

    # Elevators for the projects in service; the demo maintainer looks after the first ones.
    demo_maintainer = people["maintainer"].company
    projects = list(Project.objects.filter(stage=Stage.IN_SERVICE).select_related("stairwell").order_by("pk")[:60])
    elevators = []
    for index, project in enumerate(projects):
        elevator = elevator_services.elevator_create_for_project(project=project, actor=district)
        started = today - dt.timedelta(days=rng.randint(120, 400))
        elevator.in_service_since = started
        elevator.equipment_code = f"3110440307{2024 + index % 2}{index:05d}"[:20].ljust(20, "0")
        elevator.registration_number = f"梯11粤B{index:05d}(24)"
        elevator.model_name = "GeN2-MR"
        elevator.rated_load_kg, elevator.speed = 800, Decimal("1.00")
        if index < 6 or elevator.maintainer_id is None:
            elevator.maintainer = demo_maintainer
        elevator.contract_start = started
        elevator.contract_end = today - dt.timedelta(days=3) if index % 7 == 3 else started + dt.timedelta(days=730)
        elevator.contract_fee = Decimal("12000.00")
        elevator.free_maintenance_until = started + dt.timedelta(days=365)
        elevator.takeover_maintainer = elevator.maintainer
        elevator.next_inspection_due = today + dt.timedelta(days=[12, -5, 90, 200][index % 4])
        elevator.save()
        elevator.inspections.update(due_on=elevator.next_inspection_due)
        elevators.append(elevator)
    visits = []
    for index, elevator in enumerate(elevators):
        day = elevator.in_service_since + dt.timedelta(days=10)
        stop = today - dt.timedelta(days=25 if index % 3 == 0 else 5)  # every third one overdue now
        last = elevator.in_service_since
        while day <= stop:
            visits.append(
                MaintenanceVisit(
                    elevator=elevator,
                    maintainer_id=elevator.maintainer_id,
                    visited_on=day,
                    items="半月保养：门系统、曳引机、制动器、安全回路检查",
                    days_late=max(0, (day - last).days - 15),
                    recorded_by=people["maintainer"],
                )
            )
            last = day
            day += dt.timedelta(days=rng.choice([12, 14, 15, 15, 19, 22]))
        Elevator.objects.filter(pk=elevator.pk).update(
            last_visit_on=last if last != elevator.in_service_since else None
        )
    MaintenanceVisit.objects.bulk_create(visits)

    # The elevators' first periodic inspections, done in the last three months (the next ones are due as set
    # above): most passed, some only after rectification, with their defects.
    for index, elevator in enumerate(elevators[:12]):
        rectified = index % 3 == 1
        done = today - dt.timedelta(days=10 + index * 6)
        Inspection.objects.create(
            elevator=elevator, due_on=done + dt.timedelta(days=5), inspected_on=done,
            result="rectified" if rectified else "passed",
            defects="门锁回路短接\n轿厢应急照明失效" if rectified else "", body="深圳市特种设备安全检验研究院",
            recorded_by=district,
        )  # fmt: skip

    # Faults over the last three months: most closed and rated, a few open (one unacknowledged, escalated).
    kinds = ["stopped", "doors", "noise", "trapped", "other"]
    for index in range(36):
        elevator = elevators[index % len(elevators)]
        reported = timezone.now() - dt.timedelta(days=rng.randint(3, 95), hours=rng.randint(0, 12))
        kind = kinds[index % len(kinds)]
        report = FaultReport.objects.create(
            elevator=elevator, maintainer_id=elevator.maintainer_id, kind=kind, urgent=kind == "trapped",
            phone=f"1380013{index:04d}", reported_at=reported, status="closed",
            acknowledged_at=reported + dt.timedelta(minutes=rng.randint(2, 20)),
            arrived_at=reported + dt.timedelta(minutes=rng.randint(15, 90)),
            closed_at=reported + dt.timedelta(hours=rng.randint(1, 40)),
            cause="门机皮带磨损" if kind == "doors" else "安全回路接触不良", repair="更换部件，试运行正常",
            rating=rng.choice([3, 4, 5, 5, 2]),
        )  # fmt: skip
        for status, at in (
            ("reported", report.reported_at),
            ("acknowledged", report.acknowledged_at),
            ("arrived", report.arrived_at),
            ("closed", report.closed_at),
        ):
            FaultEvent.objects.create(report=report, status=status, at=at)
    for index, kind in enumerate(["doors", "noise", "stopped"]):
        elevator = elevators[index]
        report = FaultReport.objects.create(
            elevator=elevator, maintainer_id=elevator.maintainer_id, kind=kind, phone=f"1390013{index:04d}",
            reported_at=timezone.now() - dt.timedelta(hours=2 + index * 20),
            status=["reported", "acknowledged", "arrived"][index], escalation=2 if index == 0 else 0,
        )  # fmt: skip
        FaultEvent.objects.create(report=report, status="reported", at=report.reported_at)

    # Running costs of last year, shared by floor coefficient; about two thirds paid.
    coefficients = {
        str(f): str(c)
        for f, c in zip(
            range(1, 12), ["0", "0.4", "0.6", "0.8", "1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"], strict=True
        )
    }
    for elevator in elevators[:8]:
        storeys = elevator.stairwell.storeys
        cost = elevator_services.running_cost_share(
            actor=district,
            elevator=elevator, year=today.year - 1, method="floor_coefficient",
            parameters={"coefficients": {k: v for k, v in coefficients.items() if int(k) <= max(storeys, 1)} | {
                str(f): "1.6" for f in range(12, storeys + 1)
            }},
            maintenance=Decimal("12000.00"), electricity=Decimal("2386.40"), inspection=Decimal("600.00"),
            repairs=Decimal("850.00"), insurance=Decimal("480.00"),
        )  # fmt: skip
        for share in cost.shares.all():
            if share.amount and rng.random() < 0.66:
                elevator_services.running_cost_payment(
                    actor=district,
                    share=share,
                    amount=share.amount,
                    paid_on=today - dt.timedelta(days=rng.randint(5, 60)),
                )

    # Three months of scores, a published list each month, one appeal decided on the latest.
    ranking.scheme_create(
        actor=district, name="龙岗区加梯企业红黑榜评分办法（试行）", valid_from=dt.date(2024, 1, 1),
        area_weights=WEIGHTS, deductions=DEDUCTIONS, red_min_score=95, black_below_score=60, appeal_days=15,
    )  # fmt: skip
    month = ranking.period_start(today)
    periods = []
    for _i in range(3):
        month = ranking.period_start(month - dt.timedelta(days=1))
        periods.append(month)
    periods.reverse()
    maintainers = list(Company.objects.filter(is_maintainer=True).order_by("pk"))
    # The latest month's serious violations, recorded while its lists are drafts: a construction team that did not
    # pay its workers stays on the black list; the maintainer's falsified records are overturned on appeal below.
    violations = {
        "contractor": {
            "company": Company.objects.get(name=BLACK_LISTED_CONTRACTOR),
            "kind": "unpaid_wages",
            "description": "拖欠加装电梯项目施工人员工资，经劳动保障监察责令改正后逾期仍未支付",
            "evidence_note": "区人力资源局劳动保障监察责令改正决定书（深龙人社监令第37号）",
        },
        "maintainer": {
            "company": maintainers[-1],
            "kind": "falsified_records",
            "description": "抽查发现两份维保记录与现场不符",
            "evidence_note": "区市场监管局抽查通报（2026）第12号",
        },
    }
    for period in periods:
        for kind in ranking.LIST_KINDS:
            the_list = ranking.ranking_list_draft(actor=district, period=period, kind=kind)
            if period == periods[-1] and kind in violations:
                ranking.violation_add(actor=district, period=period, **violations[kind])
            ranking.ranking_list_publish(actor=district, ranking=the_list)
    latest = ranking.RankingList.objects.get(period=periods[-1], kind="maintainer", corrects__isnull=True)
    entry = latest.entries.get(company=maintainers[-1])
    # The appeal is the company administrator's: its first login, or one made for it.
    admin = type(district).objects.filter(company=maintainers[-1]).order_by("pk").first() or type(
        district
    ).objects.create(
        username="maintainer-admin", password=district.password, role=Role.MAINTAINER,
        full_name="维保公司 管理员", company=maintainers[-1],
    )  # fmt: skip
    admin.is_unit_admin = True
    admin.save(update_fields=["is_unit_admin"])
    appeal = ranking.appeal_submit(actor=admin, entry=entry, grounds="两份记录系系统时间错误所致，附维保签到记录。")
    ranking.appeal_decide(
        actor=district, appeal=appeal, upheld=True, reason="经核查签到记录，记录真实，系系统时间错误。",
        corrected_colour=Colour.NONE,
    )  # fmt: skip
