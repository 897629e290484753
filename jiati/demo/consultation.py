"""Demo consultation data: windows' slots and bookings, the consultation log, meetings at every level with
minutes and open resolutions, petitions in every state (some overdue), and published articles.

Every project past the consultation stage had its meeting (一梯一会) before its vote, so the demo agrees with
the stage guard. Rows are written in bulk (a few thousand), deterministic and fast.
"""

from __future__ import annotations

import datetime as dt
import random
from uuid import uuid4

from django.db.models import F
from django.utils import timezone

from jiati.accounts.models import Role, User
from jiati.companies.models import Company
from jiati.consultation import routing
from jiati.consultation.models import (
    ActionStatus,
    Article,
    ArticleStatus,
    Booking,
    BookingStatus,
    ConsultationRecord,
    InviteeKind,
    Meeting,
    MeetingAction,
    MeetingInvitee,
    MeetingLevel,
    MeetingProject,
    MeetingStatus,
    Petition,
    PetitionEvent,
    PetitionLevel,
    PetitionStatus,
    Satisfaction,
    Topic,
    WindowSlot,
)
from jiati.core.stored_text import Message, as_stored
from jiati.demo.housing import person_name
from jiati.housing.models import Estate, Ownership, Stairwell
from jiati.organisation.models import Region, ServiceWindow
from jiati.projects.models import STAGE_ORDER, EventKind, Project, ProjectEvent, Stage
from jiati.workdays.services import Calendar

SLOT_TIMES = [(9, 0), (10, 0), (14, 30), (15, 30)]
QUESTIONS = {
    Topic.POLICY: (
        "加装电梯需要多少业主同意？",
        "需专有面积和人数双三分之二参与表决，参与者中双四分之三同意（民法典第278条）。",
    ),
    Topic.COST: ("费用怎么分摊？一楼要出钱吗？", "默认按专有面积分摊，也可约定楼层系数，一二楼通常不出资。"),
    Topic.SUBSIDY: ("补贴有多少，什么时候发？", "龙岗区平均每台约12.6万元，竣工验收并办理使用登记后申请拨付。"),
    Topic.DISPUTE: ("一楼邻居反对怎么办？", "先由社区组织协商，必要时街道调解；已安排加梯会客厅协商。"),
    Topic.PROGRESS: ("我们单元加梯到哪一步了？", "已进入设计阶段，预计下月完成施工合同审查。"),
    Topic.CONSTRUCTION: ("施工期间噪音和安全怎么保障？", "施工时间为8:00-12:00、14:00-18:00，现场设置围挡和专人巡查。"),
    Topic.OTHER: ("电梯以后谁来维保？", "由选定的维保单位负责，费用由受益业主按约定分摊。"),
}
PETITIONS = [
    ("一楼采光受影响，要求补偿", "加装电梯后一楼采光明显变差，要求按约定给予补偿。"),
    ("夜间施工噪音扰民", "施工队晚上十点后仍在作业，影响老人休息。"),
    ("费用分摊方案不合理", "六楼分摊比例过高，要求重新协商楼层系数。"),
    ("施工占用消防通道", "材料堆放在消防通道上，存在安全隐患。"),
    ("补贴迟迟未到账", "电梯已投入使用三个月，补贴仍未发放。"),
    ("管线迁改导致停水", "施工迁改水管造成全楼停水两天，未提前通知。"),
    ("对表决结果有异议", "部分业主签名存疑，要求核查表决材料。"),
    ("电梯运行异响", "新装电梯运行时有异响，维保单位未及时处理。"),
]
ARTICLES = [
    (
        "policy",
        "既有住宅加装电梯补贴政策解读",
        "每台电梯补贴多少、怎么申请、什么时候到账，一文读懂。",
        "龙岗区对符合条件的既有住宅加装电梯给予资金补贴，平均每台约12.6万元。\n\n"
        "申请条件：项目已完成竣工验收，取得特种设备使用登记证。\n\n"
        "申请材料：补贴申请表、验收报告、使用登记证、费用分摊协议、业主账户信息。\n\n"
        "拨付时间：材料齐全后由区加梯办审核，区财政按程序拨付。",
    ),
    (
        "policy",
        "业主表决规则：双三分之二、双四分之三",
        "加装电梯属于改建，按民法典第278条由业主共同决定。",
        "参与表决的专有部分面积占比三分之二以上、人数占比三分之二以上。\n\n"
        "同意的专有部分面积占参与表决面积四分之三以上、人数占参与表决人数四分之三以上。\n\n"
        "“以上”包括本数；同一买受人拥有多套房屋的，按一人计算。",
    ),
    (
        "guide",
        "加装电梯办事指南：从意向到投入使用",
        "七个步骤，每一步找谁、要什么材料。",
        "第一步：提出意向，推选牵头人，成立工作小组。\n\n第二步：到社区加梯办事窗口咨询，参加加梯会客厅协商。\n\n"
        "第三步：业主表决并公示。\n\n第四步：选定电梯品牌与施工队伍，审查施工合同。\n\n第五步：办理备案和施工告知。\n\n"
        "第六步：施工、验收、使用登记。\n\n第七步：申请补贴，投入使用后做好维保。",
    ),
    (
        "guide",
        "如何在手机上预约窗口咨询",
        "不用排队，选好时间再来。",
        "打开居民端，用手机号获取验证码登录。\n\n点击“预约窗口”，选择离家最近的窗口和空闲时间。\n\n"
        "预约成功后会收到短信，前一天还有提醒；不能来时请在居民端取消。",
    ),
    (
        "faq",
        "一楼业主需要出钱吗？",
        "",
        "默认按专有面积分摊。多数小区约定一、二楼不出资，三楼以上按楼层系数分摊，具体以全体业主协商为准。",
    ),
    ("faq", "加装电梯后谁负责维保？", "", "由选定的维保单位负责日常维护保养和年度检验，维保费用由受益业主按约定分摊。"),
    (
        "faq",
        "对加装电梯有意见可以向谁反映？",
        "",
        "可到社区加梯办事窗口、拨打热线或在居民端提交信访；我们在15日内告知是否受理，受理后60日内答复。",
    ),
]

# The English versions of ARTICLES, in the same order (each a translation of the Chinese one).
ARTICLES_EN = [
    (
        "The subsidy for adding an elevator, explained",
        "How much each elevator receives, how to apply and when the money arrives.",
        "Longgang District subsidises adding an elevator to an existing residential building that meets the "
        "conditions: on average about ¥126,000 per elevator.\n\n"
        "Conditions: the project has passed its completion inspection and the elevator holds its special-equipment "
        "registration certificate.\n\n"
        "Documents: the subsidy application form, the inspection report, the registration certificate, the owners' "
        "cost-sharing agreement and the account details of the owners' representative.\n\n"
        "Payment: once the documents are complete, the district elevator office reviews them and the district "
        "finance bureau pays the subsidy through its usual procedure.",
    ),
    (
        "How owners decide: two-thirds to take part, three-quarters to agree",
        "Adding an elevator alters the building, so under Article 278 of the Civil Code the owners decide together.",
        "Owners holding at least two-thirds of the private floor area, and at least two-thirds of all owners, "
        "must take part in the vote.\n\n"
        "Of those taking part, owners holding at least three-quarters of the area voted, and at least "
        "three-quarters of the owners voting, must agree.\n\n"
        '"At least" includes the exact figure; a person who owns several homes counts as one owner.',
    ),
    (
        "Adding an elevator, step by step: from the first idea to the first ride",
        "Seven steps: whom to see at each, and what to bring.",
        "Step 1: agree among the neighbours that you want an elevator, choose a lead owner and form a working "
        "group.\n\nStep 2: ask at your community's elevator service window and take part in the neighbours' "
        "consultation meeting.\n\nStep 3: the owners vote, and the result is posted.\n\nStep 4: choose the "
        "elevator make and the builder, and have the building contract reviewed.\n\nStep 5: register the project "
        "and give notice of the works.\n\nStep 6: build, pass the inspection and register the elevator for use."
        "\n\nStep 7: apply for the subsidy, and keep the elevator maintained once it runs.",
    ),
    (
        "Booking a time at a service window on your phone",
        "No queue: pick a time, then come.",
        "Open the residents' pages and sign in with a code sent to your phone.\n\nTap \"Book a time at a "
        'window", choose the window nearest to you and a free time.\n\nYou get a text message when the booking '
        "is made and a reminder the day before; if you cannot come, cancel it on the residents' pages.",
    ),
    (
        "Do ground-floor owners have to pay?",
        "",
        "By default the cost is shared by private floor area. Most estates agree that the first and second floors "
        "pay nothing and the floors from the third up share the cost by a floor factor; in the end it is what all "
        "the owners agree.",
    ),
    (
        "Who maintains the elevator once it is installed?",
        "",
        "The maintenance company the owners choose looks after it and arranges the yearly inspection; the owners "
        "who benefit share the maintenance costs as they agreed.",
    ),
    (
        "Whom can I tell if I object to the elevator?",
        "",
        "Come to your community's elevator service window, call the hotline, or file a petition on the residents' "
        "pages; we tell you within 15 days whether it is accepted, and answer within 60 days of accepting it.",
    ),
]


def seed(context: dict) -> None:
    rng = random.Random(5)
    people = context["people"]
    generated = context["generated"]
    projects_by_stage: dict[str, list[Project]] = context.get("projects") or {}
    now = timezone.now()
    today = timezone.localdate()
    community_user = people["community"]

    windows = list(
        ServiceWindow.objects.filter(community_id__in=generated.community_ids)
        .prefetch_related("staff_on_duty")
        .order_by("id")
    )
    showcase_community = generated.community_ids[0]
    _slots_and_bookings(rng, windows, showcase_community, people, now, today)
    _consultations(rng, windows, showcase_community, community_user, now, today)
    _meetings(rng, projects_by_stage, generated, people, now, today)
    _petitions(rng, generated, people, projects_by_stage, now, today)
    _articles(people, now)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _duty(window, fallback):
    staff = list(window.staff_on_duty.all())
    return staff[0] if staff else fallback


# --- windows -----------------------------------------------------------------------


def _slots_and_bookings(rng, windows, showcase_community, people, now, today) -> None:
    calendar = Calendar()
    showcase = [w for w in windows if w.community_id == showcase_community]
    others = [w for w in windows if w.community_id != showcase_community][:24]
    days = []
    day = today - dt.timedelta(days=7)
    while len(days) < 16:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    slots = []
    for window in showcase + others:
        creator = _duty(window, people["community"])
        for day in days:
            for hour, minute in SLOT_TIMES:
                start = _at(day, hour, minute)
                slots.append(
                    WindowSlot(
                        window=window,
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=45),
                        capacity=3,
                        created_by=creator,
                    )
                )
    slots = WindowSlot.objects.bulk_create(slots)
    # Owners with a phone near each window (one query per community).
    community_owners = {
        cid: [
            o.owner
            for o in Ownership.objects.filter(dwelling__community_id=cid, is_primary=True, owner__kind="person")
            .exclude(owner__phone="")
            .select_related("owner")
            .order_by("id")[:60]
        ]
        for cid in {w.community_id for w in showcase + others}
    }
    resident_owner = getattr(people.get("resident"), "owner", None)
    bookings, counts = [], {}
    for slot in slots:
        future = slot.starts_at > now
        share = 0.55 if slot.window.community_id == showcase_community else 0.25
        if rng.random() > share:
            continue
        pool = community_owners.get(slot.window.community_id) or []
        taken = rng.randint(1, 3) if rng.random() < 0.2 else 1
        for owner in rng.sample(pool, min(taken, len(pool))):
            status = (
                BookingStatus.BOOKED if future else rng.choice([BookingStatus.ATTENDED] * 4 + [BookingStatus.NO_SHOW])
            )
            bookings.append(
                Booking(
                    slot=slot,
                    window=slot.window,
                    owner=owner,
                    reference=uuid4().hex[:16],
                    name=owner.name,
                    phone=owner.phone,
                    topic=rng.choice(Topic.values),
                    status=status,
                    reminded_at=slot.starts_at - dt.timedelta(days=1) if not future else None,
                )
            )
            if status == BookingStatus.BOOKED:
                counts[slot.pk] = counts.get(slot.pk, 0) + 1
    # The resident account's owner has one booking coming up at the showcase window.
    if resident_owner is not None and showcase:
        upcoming = next(s for s in slots if s.window_id == showcase[0].pk and s.starts_at > now + dt.timedelta(days=1))
        if counts.get(upcoming.pk, 0) < upcoming.capacity and not any(
            b.slot_id == upcoming.pk and b.owner_id == resident_owner.pk for b in bookings
        ):
            bookings.append(
                Booking(
                    slot=upcoming,
                    window=upcoming.window,
                    owner=resident_owner,
                    reference=uuid4().hex[:16],
                    name=resident_owner.name,
                    phone=resident_owner.phone or "13800000000",
                    topic=Topic.COST,
                    note="想了解费用分摊方案",
                )
            )
            counts[upcoming.pk] = counts.get(upcoming.pk, 0) + 1
    bookings = Booking.objects.bulk_create(bookings)
    for booking in bookings:
        booking.reference = f"B{booking.pk:07d}"
    Booking.objects.bulk_update(bookings, ["reference"], batch_size=1000)
    by_count: dict[int, list[int]] = {}
    for slot_id, n in counts.items():
        by_count.setdefault(n, []).append(slot_id)
    for n, ids in by_count.items():
        WindowSlot.objects.filter(pk__in=ids).update(booked=n)
    # Upcoming slots that are booked out show how a full slot looks.
    full = [pk for pk, n in counts.items() if n > 0][:2]
    WindowSlot.objects.filter(pk__in=full, starts_at__gt=now).update(capacity=F("booked"))


def _consultations(rng, windows, showcase_community, fallback, now, today) -> None:
    estates_by_community: dict[int, list] = {}
    for estate in Estate.objects.filter(community_id__in={w.community_id for w in windows}).only(
        "id", "community_id", "property_office_id"
    ):
        estates_by_community.setdefault(estate.community_id, []).append(estate)
    stairwells = {
        s.estate_id: s
        for s in Stairwell.objects.filter(estate__community_id=showcase_community).order_by("estate_id", "id")
    }
    live_projects = {
        p.stairwell_id: p.pk for p in Project.objects.exclude(status="withdrawn").only("id", "stairwell_id")
    }
    records = []
    for index in range(180):
        window = windows[0] if index % 3 == 0 else rng.choice(windows)
        estates = estates_by_community.get(window.community_id) or [None]
        estate = rng.choice(estates)
        stairwell = stairwells.get(estate.pk) if estate is not None and rng.random() < 0.5 else None
        topic = rng.choice(Topic.values)
        question, answer = QUESTIONS[topic]
        staff = _duty(window, fallback)
        follow_up = rng.random() < 0.15 or index in (0, 3, 6)
        due = today + dt.timedelta(days=rng.randint(-6, 10)) if follow_up else None
        done = follow_up and due < today and rng.random() < 0.5
        records.append(
            ConsultationRecord(
                window=window,
                community_id=window.community_id,
                property_office_id=window.property_office_id or (estate.property_office_id if estate else None),
                estate=estate,
                stairwell=stairwell,
                project_id=live_projects.get(stairwell.pk) if stairwell else None,
                visitor_kind=rng.choice(["owner", "owner", "owner", "tenant", "visitor"]),
                visitor_name=person_name(rng),
                visitor_phone=f"13{rng.randint(100000000, 999999999)}",
                topic=topic,
                channel=rng.choice(["walk_in", "walk_in", "phone", "online"]),
                question=question,
                answer=answer,
                follow_up_needed=follow_up,
                follow_up_by=staff if follow_up else None,
                follow_up_due=due,
                follow_up_done_at=now - dt.timedelta(days=1) if done else None,
                follow_up_result="已电话回访，业主表示满意" if done else "",
                recorded_by=staff,
                consulted_at=now - dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 8)),
            )
        )
    ConsultationRecord.objects.bulk_create(records)


# --- meetings ----------------------------------------------------------------------


def _stage_times(projects) -> dict[int, dict[str, dt.datetime]]:
    times: dict[int, dict[str, dt.datetime]] = {}
    for project_id, to_stage, at in ProjectEvent.objects.filter(
        project__in=projects, to_stage__in=[Stage.CONSULTATION, Stage.VOTE]
    ).values_list("project_id", "to_stage", "at"):
        times.setdefault(project_id, {}).setdefault(to_stage, at)
    return times


def _meetings(rng, projects_by_stage, generated, people, now, today) -> None:
    consultation_index = STAGE_ORDER.index(Stage.CONSULTATION)
    past = [p for stage, ps in projects_by_stage.items() if STAGE_ORDER.index(stage) > consultation_index for p in ps]
    at_consultation = list(projects_by_stage.get(Stage.CONSULTATION, []))
    earlier = [p for stage in (Stage.INTENTION, Stage.ORGANISED) for p in projects_by_stage.get(stage, [])]
    all_projects = past + at_consultation + earlier
    by_pk = {
        p.pk: p
        for p in Project.objects.filter(pk__in=[p.pk for p in all_projects]).select_related(
            "estate", "stairwell__building", "responsible"
        )
    }
    times = _stage_times(list(by_pk))
    companies = list(Company.objects.filter(is_manufacturer=True).order_by("id"))
    plans = []  # (meeting, [project ids], invite owners?, actions spec)

    def estate_meeting(project, start, status, minutes=""):
        project = by_pk[project.pk]
        organiser = project.responsible or people["community"]
        return Meeting(
            level=MeetingLevel.ESTATE,
            title=f"{project.estate.name}{project.stairwell.building.number}{project.stairwell.number}加梯会客厅",
            region_id=project.community_id,
            estate_id=project.estate_id,
            property_office_id=project.estate.property_office_id,
            party_branch=f"{project.estate.name}党支部",
            company=rng.choice(companies) if companies else None,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            location=f"{project.estate.name}党群服务站",
            agenda="1. 介绍加装电梯政策与补贴\n2. 讨论设计方案与费用分摊\n3. 听取低层业主意见\n4. 议定下一步工作",
            status=status,
            minutes=minutes,
            held_at=start + dt.timedelta(hours=3) if status == MeetingStatus.HELD else None,
            organiser=organiser,
        )

    minutes_text = (
        "与会业主听取了加装电梯政策和补贴说明，电梯企业介绍了设计方案。低层业主对采光和噪音提出意见，"
        "经协商同意按楼层系数分摊费用，一、二楼不出资，并对一楼给予适当补偿。会议同意启动业主表决。"
    )
    # Every project past consultation had its meeting between entering consultation and entering the vote.
    for project in past:
        t = times.get(project.pk, {})
        vote_at = t.get(Stage.VOTE) or (project.stage_entered_at - dt.timedelta(days=10))
        cons_at = t.get(Stage.CONSULTATION) or (vote_at - dt.timedelta(days=20))
        start = timezone.localtime(cons_at + (vote_at - cons_at) / 2).replace(
            hour=19, minute=30, second=0, microsecond=0
        )
        if start >= vote_at:
            start = vote_at - dt.timedelta(days=2)
        recent = project.stage in (Stage.VOTE, Stage.PUBLIC_NOTICE)
        plans.append((estate_meeting(project, start, MeetingStatus.HELD, minutes_text), [project.pk], True, recent))
    # At the consultation stage: some held (ready for the vote), some scheduled, some still without one.
    showcase_cons = [p for p in at_consultation if p.community_id == generated.community_ids[0]]
    for index, project in enumerate(at_consultation):
        if project in showcase_cons:
            # Started an hour ago, minutes not yet recorded: the demo user can record them and move on.
            start = now - dt.timedelta(hours=1)
            plans.append((estate_meeting(project, start, MeetingStatus.SCHEDULED), [project.pk], True, False))
        elif index % 3 == 0:
            start = now - dt.timedelta(days=rng.randint(2, 12))
            plans.append((estate_meeting(project, start, MeetingStatus.HELD, minutes_text), [project.pk], True, True))
        elif index % 3 == 1:
            start = timezone.localtime(now + dt.timedelta(days=rng.randint(2, 14))).replace(hour=19, minute=30)
            plans.append((estate_meeting(project, start, MeetingStatus.SCHEDULED), [project.pk], True, False))
    # A few early projects already have a meeting planned.
    for project in earlier[:4]:
        start = timezone.localtime(now + dt.timedelta(days=rng.randint(5, 20))).replace(hour=19, minute=30)
        plans.append((estate_meeting(project, start, MeetingStatus.SCHEDULED), [project.pk], False, False))

    district = Region.objects.get(pk=generated.district_id)
    subdistricts = list(Region.objects.filter(pk__in=generated.subdistrict_ids).order_by("code"))
    first_of_month = today.replace(day=1)
    last_dispatch = _at(first_of_month + dt.timedelta(days=4), 9, 30)
    if last_dispatch > now:
        last_dispatch -= dt.timedelta(days=30)
    plans.append(
        (
            Meeting(
                level=MeetingLevel.DISTRICT,
                title=f"{last_dispatch:%Y年%-m月}全区加装电梯工作调度会（每月一调度）",
                region=district,
                starts_at=last_dispatch,
                ends_at=last_dispatch + dt.timedelta(hours=2),
                location="区住建局三楼会议室",
                agenda="1. 各街道进度通报\n2. 堵点难点研判\n3. 补贴应发尽发情况\n4. 红黑榜评议",
                status=MeetingStatus.HELD,
                minutes="各街道通报了本月加梯进度。会议要求：未开过会客厅的项目本月内完成一梯一会；"
                "逾期信访由街道领导包案督办；补贴材料齐全的项目两周内完成审核。",
                held_at=last_dispatch + dt.timedelta(hours=3),
                organiser=people["district"],
            ),
            [],
            False,
            "district",
        )
    )
    next_dispatch = _at(today + dt.timedelta(days=(7 - today.weekday()) % 7 + 7), 9, 30)
    plans.append(
        (
            Meeting(
                level=MeetingLevel.DISTRICT,
                title="全区加装电梯工作调度会（下月）",
                region=district,
                starts_at=next_dispatch,
                ends_at=next_dispatch + dt.timedelta(hours=2),
                location="区住建局三楼会议室",
                agenda="1. 各街道进度通报\n2. 逾期信访督办",
                organiser=people["district"],
            ),
            [],
            False,
            False,
        )
    )
    sub_projects: dict[int, list[int]] = {}
    community_parent = dict(Region.objects.filter(pk__in=generated.community_ids).values_list("pk", "parent_id"))
    for project in at_consultation + earlier:
        if project.community_id != generated.community_ids[0]:  # the showcase keeps its own estate meetings
            sub_projects.setdefault(community_parent.get(project.community_id), []).append(project.pk)
    sub_staff = {
        u.region_id: u for u in User.objects.filter(role=Role.SUBDISTRICT, region__in=subdistricts).order_by("id")
    }
    for index, sub in enumerate(subdistricts):
        start = _at(today - dt.timedelta(days=3 + index), 15, 0)
        organiser = people["subdistrict"] if index == 0 else sub_staff.get(sub.pk, people["district"])
        plans.append(
            (
                Meeting(
                    level=MeetingLevel.SUBDISTRICT,
                    title=f"{sub.name}加梯周研判会（每周一研判）",
                    region=sub,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1, minutes=30),
                    location=f"{sub.name}办事处会议室",
                    agenda="研判本周堵点难点，督办信访事项",
                    status=MeetingStatus.HELD,
                    minutes="逐个研判了辖区内的堵点项目，明确了责任人和完成时限。",
                    held_at=start + dt.timedelta(hours=2),
                    organiser=organiser,
                ),
                sub_projects.get(sub.pk, [])[:3] if index == 0 else [],
                False,
                "subdistrict",
            )
        )
    showcase = Region.objects.get(pk=generated.community_ids[0])
    start = _at(today - dt.timedelta(days=5), 19, 30)
    plans.append(
        (
            Meeting(
                level=MeetingLevel.COMMUNITY,
                title=f"{showcase.name}加梯会客厅：化解一楼业主信访",
                region=showcase,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                location=f"{showcase.name}工作站会议室",
                agenda="1. 听取信访人诉求\n2. 施工方说明\n3. 协商补偿方案",
                status=MeetingStatus.HELD,
                minutes="社区党委、物业、电梯企业与信访业主面对面协商，议定对一楼业主给予采光补偿并调整施工时间。",
                held_at=start + dt.timedelta(hours=3),
                organiser=people["community"],
            ),
            [p.pk for p in projects_by_stage.get(Stage.VOTE, []) if p.community_id == showcase.pk][:1],
            False,
            "community",
        )
    )

    meetings = Meeting.objects.bulk_create([m for m, _p, _i, _a in plans])
    links, events, invitees, actions = [], [], [], []
    owners_by_stairwell: dict[int, list] = {}
    stairwell_ids = {
        by_pk[pid].stairwell_id for _m, pids, invite, _a in plans if invite for pid in pids if pid in by_pk
    }
    for ownership in Ownership.objects.filter(dwelling__stairwell_id__in=stairwell_ids, is_primary=True).select_related(
        "owner", "dwelling"
    ):
        owners_by_stairwell.setdefault(ownership.dwelling.stairwell_id, []).append(ownership.owner)
    for meeting, (_m, project_ids, invite_owners, action_kind) in zip(meetings, plans, strict=True):
        held = meeting.status == MeetingStatus.HELD
        for pid in project_ids:
            # Linked when the meeting was planned, before it was held (what makes it count as 一梯一会).
            linked_at = min(meeting.starts_at - dt.timedelta(days=5), now)
            links.append(MeetingProject(meeting=meeting, project_id=pid, linked_at=linked_at))
            text, stored = as_stored(
                Message(
                    "Consultation meeting held: %(title)s, %(when)s"
                    if held
                    else "Consultation meeting scheduled: %(title)s, %(when)s",
                    title=meeting.title,
                    when=meeting.starts_at,
                )
            )
            events.append(
                ProjectEvent(
                    project_id=pid,
                    kind=EventKind.OTHER,
                    actor=meeting.organiser,
                    at=meeting.held_at if held else now,
                    message=text,
                    data={"meeting": meeting.pk, "text": stored},
                )
            )
        invitees.append(
            MeetingInvitee(
                meeting=meeting,
                kind=InviteeKind.STAFF,
                user=meeting.organiser,
                name=meeting.organiser.display_name,
                affiliation="组织人",
                invited_at=meeting.starts_at - dt.timedelta(days=5),
                attended=True if held else None,
            )
        )
        if meeting.company_id:
            invitees.append(
                MeetingInvitee(
                    meeting=meeting,
                    kind=InviteeKind.COMPANY,
                    company_id=meeting.company_id,
                    name=meeting.company.name,
                    invited_at=meeting.starts_at - dt.timedelta(days=5),
                    attended=True if held else None,
                )
            )
        if meeting.party_branch:
            invitees.append(
                MeetingInvitee(
                    meeting=meeting,
                    kind=InviteeKind.OTHER,
                    name=person_name(rng),
                    affiliation=f"{meeting.party_branch}书记",
                    invited_at=meeting.starts_at - dt.timedelta(days=5),
                    attended=True if held else None,
                )
            )
        if invite_owners:
            owners = {o.pk: o for pid in project_ids for o in owners_by_stairwell.get(by_pk[pid].stairwell_id, [])}
            if owners:
                for owner in list(owners.values())[:12]:
                    invitees.append(
                        MeetingInvitee(
                            meeting=meeting,
                            kind=InviteeKind.OWNER,
                            owner=owner,
                            name=owner.name,
                            invited_at=meeting.starts_at - dt.timedelta(days=5),
                            attended=(rng.random() < 0.8) if held else None,
                        )
                    )
        if not held or not action_kind:
            continue
        actions.extend(_actions_for(rng, meeting, project_ids, action_kind, people, today, now))
    MeetingProject.objects.bulk_create(links)
    ProjectEvent.objects.bulk_create(events)
    MeetingInvitee.objects.bulk_create(invitees, batch_size=2000)
    MeetingAction.objects.bulk_create(actions)


def _actions_for(rng, meeting, project_ids, kind, people, today, now) -> list[MeetingAction]:
    """Resolutions of a held meeting: old ones done, recent ones open (some overdue)."""
    pid = project_ids[0] if project_ids else None
    if kind == "district":
        specs = [
            ("各街道本月内完成在库项目一梯一会", people["subdistrict"], today + dt.timedelta(days=12), False),
            ("逾期信访由街道领导包案督办", people["subdistrict"], today - dt.timedelta(days=2), False),
            ("补贴材料齐全项目两周内完成审核", people["finance"], today + dt.timedelta(days=9), False),
        ]
    elif kind == "subdistrict":
        specs = [("协调燃气公司出具管线迁改方案", meeting.organiser, today + dt.timedelta(days=5), False)]
    elif kind == "community":
        specs = [
            ("与一楼业主签订补偿协议", people["community"], today + dt.timedelta(days=3), False),
            ("施工方调整施工时间并公示", people["contractor"], today - dt.timedelta(days=1), False),
        ]
    elif kind is True:  # a recent estate meeting
        owner = meeting.organiser
        specs = [
            ("组织业主表决并收集签名", owner, today + dt.timedelta(days=rng.randint(-4, 12)), rng.random() < 0.3),
            (
                "电梯企业出具设计方案效果图",
                people["contractor"],
                today + dt.timedelta(days=rng.randint(-3, 15)),
                rng.random() < 0.5,
            ),
        ]
    else:  # an old estate meeting: all done
        specs = [
            ("组织业主表决并收集签名", meeting.organiser, (meeting.starts_at + dt.timedelta(days=10)).date(), True)
        ]
    rows = []
    for description, owner, due, done in specs:
        rows.append(
            MeetingAction(
                meeting=meeting,
                project_id=pid,
                description=description,
                owner=owner,
                due_date=due,
                status=ActionStatus.DONE if done else ActionStatus.OPEN,
                done_at=min(now, meeting.starts_at + dt.timedelta(days=8)) if done else None,
                done_note="已完成" if done else "",
                done_by=owner if done else None,
                created_by=meeting.organiser,
            )
        )
    return rows


# --- petitions ---------------------------------------------------------------------


def _petitions(rng, generated, people, projects_by_stage, now, today) -> None:
    community = people["community"]
    resident_owner = getattr(people.get("resident"), "owner", None)
    showcase_estates = list(
        Estate.objects.filter(community_id=generated.community_ids[0])
        .select_related("community", "responsible_staff")
        .order_by("id")[:4]
    )
    other_estates = list(
        Estate.objects.filter(community_id__in=generated.community_ids[1:])
        .select_related("community", "responsible_staff")
        .order_by("id")[:: max(1, len(generated.community_ids) // 6)][:12]
    )
    live_project = {p.stairwell_id: p.pk for stage in projects_by_stage.values() for p in stage}
    stairwell_of = {
        s.estate_id: s
        for s in Stairwell.objects.filter(estate__in=showcase_estates + other_estates).order_by("estate_id", "-id")
    }
    # (estate, status, level, days since received, accepted days after, overdue?, extended?, satisfaction, reopened)
    specs = []
    for index, estate in enumerate(showcase_estates * 3):
        specs.append((estate, index))
    for index, estate in enumerate(other_estates * 2):
        specs.append((estate, index + 100))
    routes: dict[tuple[int, str], routing.Route] = {}

    def route(estate, level):
        key = (estate.pk, level)
        if key not in routes:
            routes[key] = routing.route_for(estate=estate, level=level)
        return routes[key]

    petitions, histories = [], []
    states = [
        "received",
        "received_overdue",
        "accepted",
        "accepted_overdue",
        "extended",
        "declined",
        "replied",
        "closed_satisfied",
        "closed_unsatisfied",
        "reopened",
        "escalated_subdistrict",
        "escalated_district",
    ]
    for n, (estate, index) in enumerate(specs):
        state = states[index % len(states)]
        subject, content = PETITIONS[n % len(PETITIONS)]
        received_ago = {
            "received": 3,
            "received_overdue": 20,
            "accepted": 25,
            "accepted_overdue": 80,
            "extended": 70,
            "declined": 12,
            "replied": 40,
            "closed_satisfied": 55,
            "closed_unsatisfied": 60,
            "reopened": 50,
            "escalated_subdistrict": 24,
            "escalated_district": 90,
        }[state]
        received_on = today - dt.timedelta(days=received_ago + rng.randint(0, 2))
        level = {
            "escalated_subdistrict": PetitionLevel.SUBDISTRICT,
            "escalated_district": PetitionLevel.DISTRICT,
        }.get(state, PetitionLevel.COMMUNITY)
        r = route(estate, level)
        handler = r.handler
        if estate.community_id == generated.community_ids[0] and level == PetitionLevel.COMMUNITY:
            handler = community  # the demo's community user answers for the showcase petitions
        stairwell = stairwell_of.get(estate.pk)
        accept_due = received_on + dt.timedelta(days=15)
        p = Petition(
            reference=uuid4().hex[:16],
            channel=rng.choice(["window", "phone", "letter", "portal"]) if state != "replied" else "portal",
            petitioner_name=person_name(rng),
            petitioner_phone=f"13{rng.randint(100000000, 999999999)}",
            petitioner_address=f"{estate.name}{rng.randint(1, 9)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}",
            reply_method="phone",
            estate=estate,
            stairwell=stairwell,
            project_id=live_project.get(stairwell.pk) if stairwell else None,
            community_id=estate.community_id,
            subject=subject,
            content=content,
            level=r.level,
            group=r.group,
            handler=handler,
            received_on=received_on,
            accept_due=accept_due,
            created_by=community if estate.community_id == generated.community_ids[0] else r.handler,
        )
        events = [
            ("received", received_on, "窗口受理登记"),
            ("routed", received_on, f"{r.group or '—'} · {handler or '—'}"),
        ]
        if state in ("received", "escalated_subdistrict") or state == "received_overdue":
            p.status, p.due_date = PetitionStatus.RECEIVED, accept_due
        elif state == "declined":
            p.status, p.decline_reason = (
                PetitionStatus.DECLINED,
                "所反映事项不属于加装电梯工作范围，已告知向物业管理部门反映。",
            )
            p.replied_at = _at(received_on + dt.timedelta(days=5), 10)
            events.append(("declined", received_on + dt.timedelta(days=5), p.decline_reason))
        else:
            accepted_on = received_on + dt.timedelta(days=rng.randint(2, 8))
            p.accepted_on, p.resolve_due = accepted_on, accepted_on + dt.timedelta(days=60)
            p.status, p.due_date = PetitionStatus.ACCEPTED, p.resolve_due
            events.append(("accepted", accepted_on, "经核实，予以受理"))
            events.append(("note", accepted_on + dt.timedelta(days=3), "已上门了解情况，约请施工方和业主协商"))
            if state == "accepted_overdue":
                p.resolve_due = p.due_date = today - dt.timedelta(days=rng.randint(3, 9))
            if state == "extended":
                p.extension_days = 20
                p.resolve_due = p.due_date = p.resolve_due + dt.timedelta(days=20)
                events.append(("extended", accepted_on + dt.timedelta(days=50), "需第三方检测，经街道批准延期20日"))
            if state in ("replied", "closed_satisfied", "closed_unsatisfied", "reopened"):
                replied_on = accepted_on + dt.timedelta(days=rng.randint(10, 30))
                p.status, p.due_date = PetitionStatus.REPLIED, None
                p.reply = "经社区协调，施工方已调整施工时间，并对一楼业主给予适当补偿。"
                p.replied_at = _at(replied_on, 16)
                events.append(("replied", replied_on, p.reply))
                if state.startswith("closed"):
                    p.status = PetitionStatus.CLOSED
                    p.satisfaction = Satisfaction.SATISFIED if state == "closed_satisfied" else Satisfaction.UNSATISFIED
                    p.closed_at = _at(replied_on + dt.timedelta(days=3), 10)
                    events.append(("closed", replied_on + dt.timedelta(days=3), p.get_satisfaction_display()))
                if state == "reopened":
                    p.status, p.reopen_count = PetitionStatus.ACCEPTED, 1
                    p.accepted_on = replied_on + dt.timedelta(days=2)
                    p.resolve_due = p.due_date = p.accepted_on + dt.timedelta(days=60)
                    events.append(("reopened", replied_on + dt.timedelta(days=2), "业主不满意，要求再次协调"))
        if level != PetitionLevel.COMMUNITY:
            # Escalated when overdue; the new level got a fresh deadline (15 days to decide on acceptance, 30 to
            # resolve). The district's ran out too: it stands out as overdue at the top.
            escalated_ago = 2 if state == "escalated_subdistrict" else 40
            escalated_on = today - dt.timedelta(days=escalated_ago)
            if state == "escalated_subdistrict":
                p.due_date = p.accept_due = escalated_on + dt.timedelta(days=15)
            else:
                p.due_date = p.resolve_due = escalated_on + dt.timedelta(days=30)
            p.escalation_count = 1 if level == PetitionLevel.SUBDISTRICT else 2
            p.escalated_at = now - dt.timedelta(days=escalated_ago)
            events.append(
                ("escalated", escalated_on, f"逾期未办结，自动升级。{p.get_level_display()}办理期限：{p.due_date}")
            )
        # One petitioner without a phone, answered by post: the acknowledgement letter is still to be posted.
        if state == "received" and not any(x.letter_due for x in petitions):
            p.channel, p.reply_method, p.petitioner_phone, p.letter_due = "letter", "letter", "", True
            events.append(("letter_due", received_on, f"信访事项告知书待邮寄：{accept_due}前决定是否受理"))
        # The resident account's owner filed one on the portal and has the reply to rate.
        if state == "replied" and resident_owner is not None and not any(x.owner_id for x in petitions):
            p.owner, p.channel, p.reply_method = resident_owner, "portal", "portal"
            p.petitioner_name = resident_owner.name
        petitions.append(p)
        histories.append(events)
    petitions = Petition.objects.bulk_create(petitions)
    for petition in petitions:
        petition.reference = f"XF{petition.received_on:%Y}{petition.pk:06d}"
    Petition.objects.bulk_update(petitions, ["reference"])
    rows = []
    for petition, events in zip(petitions, histories, strict=True):
        for kind, day, message in events:
            rows.append(
                PetitionEvent(
                    petition=petition,
                    kind=kind,
                    actor=None if kind in ("routed", "escalated", "letter_due") else petition.handler,
                    at=min(now, _at(day, 10)),
                    message=message,
                )
            )
    PetitionEvent.objects.bulk_create(rows)


# --- publicity ---------------------------------------------------------------------


def _articles(people, now) -> None:
    district = people["district"]
    rows = []
    for index, (kind, title, summary, body) in enumerate(ARTICLES):
        rows.append(
            Article(
                kind=kind,
                title=title,
                summary=summary,
                body=body,
                region_id=district.region_id,
                status=ArticleStatus.PUBLISHED,
                pinned=index == 0,
                published_at=now - dt.timedelta(days=30 - index * 3),
                author=district,
            )
        )
    rows.append(
        Article(
            kind="guide",
            title="连片加梯：整体设计怎么做（草稿）",
            body="楼上加梯、楼下花园。",
            region_id=district.region_id,
            author=district,
        )
    )
    Article.objects.bulk_create(rows)
    Article.objects.bulk_create(
        Article(
            kind=original.kind,
            title=title,
            summary=summary,
            body=body,
            language="en",
            translation_of=original,
            region_id=district.region_id,
            status=ArticleStatus.PUBLISHED,
            pinned=original.pinned,
            published_at=original.published_at,
            author=district,
        )
        for original, (title, summary, body) in zip(rows, ARTICLES_EN, strict=False)
    )
