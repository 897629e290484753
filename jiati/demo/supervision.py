"""Demo data for supervision: three weeks of daily site checks on the demo district's sites under construction,
with their rectifications (most closed after a re-check, some answered and waiting, some overdue), today's
checks half done, two weekly reviews with decisions, and two monthly dispatches with instructions."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiati.accounts.models import Role, User
from jiati.projects.models import CONSTRUCTION_STAGES, Project, Status
from jiati.supervision import checklist, services
from jiati.supervision.models import (
    CheckItem,
    CheckKind,
    ItemResult,
    Rectification,
    RectificationEvent,
    RectificationEventKind,
    RectificationStatus,
    SiteCheck,
)

DAYS = 21
FINDINGS = {
    "fencing_signs": "围挡缺口未封闭",
    "dust_noise": "渣土未覆盖",
    "working_hours": "22:30 仍在切割钢材",
    "lifting": "吊装区未设警戒线",
    "temporary_power": "配电箱未上锁",
    "materials_fire_lane": "钢材占用消防通道",
    "foundation_pit": "基坑积水未抽排",
    "reinforcement": "钢筋保护层不足",
    "frame_welds_bolts": "焊缝有夹渣",
    "shaft_plumb": "井道垂直偏差 12mm",
    "guide_rails": "导轨接头错位",
    "safety_gear": "限速器未做动作试验",
    "walkways": "三层连廊栏杆未装",
    "waterproofing": "屋面接缝渗水",
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed(context: dict) -> None:
    rng = random.Random(16)
    people = context["people"]
    today = timezone.localdate()
    sites = list(
        Project.objects.filter(stage__in=CONSTRUCTION_STAGES, status=Status.ACTIVE)
        .select_related("community", "responsible")
        .order_by("id")[:60]
    )
    staff_by_community: dict[int, User] = {}
    for user in User.objects.filter(role=Role.COMMUNITY, is_active=True).order_by("id"):
        staff_by_community.setdefault(user.region_id, user)
    contractor_staff: dict[int, User] = {}
    for user in User.objects.filter(role=Role.CONTRACTOR, is_active=True).order_by("id"):
        contractor_staff.setdefault(user.company_id, user)
    for project in sites:
        inspector = staff_by_community.get(project.community_id) or project.responsible or people["community"]
        items = checklist.items_for(project.stage)
        for back in range(DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            if day.weekday() == 6 and rng.random() < 0.5:
                continue  # a quiet Sunday now and then
            findings = [item for item in items if rng.random() < 0.025]
            check = SiteCheck.objects.create(
                project=project,
                kind=CheckKind.ROUTINE,
                stage=project.stage,
                inspector=inspector,
                checked_on=day,
                checked_at=_at(day, rng.randint(8, 16), rng.randint(0, 59)),
                findings=len(findings),
            )
            CheckItem.objects.bulk_create(
                [
                    CheckItem(
                        site_check=check,
                        code=item.code,
                        result=ItemResult.ISSUE if item in findings else ItemResult.OK,
                        note=FINDINGS.get(item.code, "") if item in findings else "",
                    )
                    for item in items
                ]
            )
            for item in findings:
                _rectification(rng, project, check, item, inspector, contractor_staff.get(project.contractor_id), today)
    # Today: about half of the sites checked already, through the service (the rest show as still to check).
    for project in sites[::2]:
        inspector = staff_by_community.get(project.community_id) or people["community"]
        results = {item.code: (ItemResult.OK, "") for item in checklist.items_for(project.stage)}
        services.site_check_record(actor=inspector, project=project, results=results, note="例行察看")
    _reviews_and_dispatches(people, today)


def _rectification(rng, project, check, item, inspector, company_user, today) -> None:
    day = check.checked_on
    due = day + dt.timedelta(days=3)
    rectification = Rectification.objects.create(
        project=project,
        site_check=check,
        code=item.code,
        area=item.area,
        description=f"{item.label}: {FINDINGS.get(item.code, '')}",
        company_id=project.contractor_id,
        due_date=due,
        opened_at=check.checked_at,
    )
    RectificationEvent.objects.create(
        rectification=rectification,
        kind=RectificationEventKind.OPENED,
        actor=inspector,
        at=check.checked_at,
        note=FINDINGS.get(item.code, ""),
        due_date=due,
    )
    age = (today - day).days
    fate = rng.random()
    if age <= 3 and fate < 0.5:
        return  # just found: open, not yet due
    if fate < 0.15:
        return  # left open: overdue
    answered_day = day + dt.timedelta(days=rng.randint(1, 3))
    if company_user is not None:
        RectificationEvent.objects.create(
            rectification=rectification,
            kind=RectificationEventKind.ANSWERED,
            actor=company_user,
            at=_at(answered_day, 17),
            note="已按要求整改",
        )
    rectification.answered_at = _at(answered_day, 17)
    if fate < 0.3 or answered_day >= today:
        rectification.status = RectificationStatus.ANSWERED
        rectification.save()
        return
    recheck_day = min(answered_day + dt.timedelta(days=1), today)
    recheck = SiteCheck.objects.create(
        project=project,
        kind=CheckKind.RECHECK,
        stage=project.stage,
        inspector=inspector,
        checked_on=recheck_day,
        checked_at=_at(recheck_day, 10),
        note="复查：已整改到位",
    )
    RectificationEvent.objects.create(
        rectification=rectification,
        kind=RectificationEventKind.RECHECK_PASSED,
        actor=inspector,
        at=_at(recheck_day, 10),
        note="已整改到位",
    )
    rectification.status, rectification.closed_at = RectificationStatus.CLOSED, _at(recheck_day, 10)
    rectification.verified_by, rectification.recheck = inspector, recheck
    rectification.save()


def _reviews_and_dispatches(people, today) -> None:
    subdistrict_user, district_user = people["subdistrict"], people["district"]
    region = subdistrict_user.region
    owner = people["community"]
    last_week = services.weekly_review_generate(
        actor=subdistrict_user, region=region, week_start=today - dt.timedelta(days=7)
    )
    this_week = services.weekly_review_generate(actor=subdistrict_user, region=region, week_start=today)
    for review, text, days in (
        (last_week, "约谈施工单位，限期完成井道整改", 3),
        (last_week, "协调供电局迁改电缆", 10),
        (this_week, "组织一楼业主协商会", 5),
    ):
        services.decision_add(
            actor=subdistrict_user,
            review=review,
            description=text,
            owner=owner,
            due_date=today + dt.timedelta(days=days),
        )
    services.decision_done(actor=owner, decision=last_week.decisions.first(), note="已约谈，施工单位承诺三日内完成")
    district = district_user.region
    first = today.replace(day=1)
    months = [(first - dt.timedelta(days=1)).replace(day=1)]
    months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    subdistricts = list(district.children.filter(level="subdistrict").order_by("path")[:3])
    for month in months:
        dispatch = services.dispatch_generate(actor=district_user, region=district, month=month)
        texts = ("加快在建项目进度，按期竣工", "逾期整改清零", "补贴应发尽发")
        for sub, text in zip(subdistricts, texts, strict=False):
            services.instruction_add(
                actor=district_user,
                dispatch=dispatch,
                subdistrict=sub,
                text=text,
                due_date=today + dt.timedelta(days=14),
            )
