"""Demo projects: ~300 elevators across the district at every stage, some overdue, some blocked.

The demo loads projects at their stage directly (not by walking each through the services):
the stage guards of later apps (votes, notices, subsidies) are satisfied by those apps' own demo
data, which runs after this. Each project still gets a consistent history — the seven ones its
stage implies, documents, a reverse schedule and a timeline of events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_noop

from jiati.accounts.models import Role, User
from jiati.companies.models import Company
from jiati.core.stored_text import Message, as_stored
from jiati.housing.models import Ownership, Stairwell
from jiati.projects.models import (
    STAGE_ORDER,
    Blocker,
    Cluster,
    ContractReview,
    DocumentKind,
    EventKind,
    Milestone,
    Project,
    ProjectDocument,
    ProjectEvent,
    ReviewResult,
    SchedulePlan,
    ServiceTeamMember,
    Stage,
    WorkingGroupMember,
    stage_index,
)
from jiati.projects.schedule import AT_RISK_WORKING_DAYS, reverse_plan, stage_durations
from jiati.projects.services import _recount as recount
from jiati.workdays.models import CalendarDay
from jiati.workdays.services import Calendar, demo_calendar_2026

# A one-page PDF, the stand-in for scanned documents in the demo.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# Documents a project has once it has left the stage that asks for them.
STAGE_DOCUMENTS = {
    Stage.DESIGN: [DocumentKind.CONSTRUCTION_CONTRACT, DocumentKind.DESIGN_DRAWINGS, DocumentKind.SAFETY_APPRAISAL],
    Stage.APPROVALS: [DocumentKind.FILING_RECEIPT],
    Stage.CONSTRUCTION_NOTICE: [DocumentKind.CONSTRUCTION_NOTIFICATION],
    Stage.FOUNDATION: [DocumentKind.CONSTRUCTION_PHOTO],
    Stage.SHAFT: [DocumentKind.CONSTRUCTION_PHOTO],
    Stage.INSTALLATION: [DocumentKind.CONSTRUCTION_PHOTO],
    Stage.FINISHING: [DocumentKind.CONSTRUCTION_PHOTO],
    Stage.INSPECTION: [DocumentKind.INSPECTION_CERTIFICATE, DocumentKind.ACCEPTANCE_REPORT],
    Stage.REGISTRATION: [DocumentKind.REGISTRATION_CERTIFICATE],
}
# How many district-wide projects sit in each stage (besides the showcase community's one per stage).
SPREAD = {
    Stage.INTENTION: 40,
    Stage.ORGANISED: 30,
    Stage.CONSULTATION: 28,
    Stage.VOTE: 26,
    Stage.PUBLIC_NOTICE: 14,
    Stage.DESIGN: 18,
    Stage.APPROVALS: 14,
    Stage.CONSTRUCTION_NOTICE: 8,
    Stage.FOUNDATION: 8,
    Stage.SHAFT: 8,
    Stage.INSTALLATION: 8,
    Stage.FINISHING: 6,
    Stage.INSPECTION: 8,
    Stage.REGISTRATION: 8,
    Stage.SUBSIDY: 14,
    Stage.IN_SERVICE: 40,
}
BLOCKERS = [
    ("一楼业主担心采光和噪音，不同意加装", "101、102业主"),
    ("管线迁改方案未确定（燃气、给水）", "燃气公司、水务集团"),
    ("设计方案与消防通道冲突", "设计单位"),
    ("部分业主对费用分摊有异议", "5楼、6楼业主"),
    ("施工队伍人手不足，进度滞后", "施工单位"),
]


def seed(context: dict) -> None:
    rng = random.Random(11)
    people = context["people"]
    generated = context["generated"]
    today = timezone.localdate()
    for day, working, name in demo_calendar_2026():
        CalendarDay.objects.get_or_create(date=day, defaults={"is_working_day": working, "name": name})
    calendar = Calendar()
    durations = stage_durations()
    brands = list(Company.objects.filter(is_manufacturer=True).order_by("id"))
    contractors = list(Company.objects.filter(is_contractor=True).order_by("id"))
    maintainers = list(Company.objects.filter(is_maintainer=True).order_by("id"))
    demo_contractor = people["contractor"].company

    community_id = generated.community_ids[0]
    resident_stairwell_id = (
        Ownership.objects.filter(owner=people["resident"].owner)
        .values_list("dwelling__stairwell_id", flat=True)
        .first()
        if people.get("resident")
        else None
    )
    showcase = list(
        Stairwell.objects.filter(community_id=community_id, has_elevator=False)
        .exclude(pk=resident_stairwell_id)
        .order_by("id")[: len(Stage)]
    )
    plans: list[tuple[Stairwell, str, dict]] = []
    for index, stage in enumerate(Stage):
        stairwell = showcase[index]
        if stage == Stage.VOTE and resident_stairwell_id:
            stairwell = Stairwell.objects.get(pk=resident_stairwell_id)
        plans.append(
            (
                stairwell,
                stage.value,
                {
                    "showcase": True,
                    "responsible": people["community"],
                    "overdue": stage in (Stage.ORGANISED, Stage.APPROVALS),
                    "blocked": stage in (Stage.CONSULTATION, Stage.SHAFT),
                },
            )
        )
    taken = {s.pk for s, _stage, _o in plans}
    pool = list(
        Stairwell.objects.filter(community_id__in=generated.community_ids, has_elevator=False)
        .exclude(pk__in=taken)
        .values_list("pk", flat=True)
    )
    rng.shuffle(pool)
    community_staff = _community_staff(generated)
    picks = iter(pool)
    for stage, count in SPREAD.items():
        for _n in range(count):
            stairwell = Stairwell.objects.get(pk=next(picks))
            staff = community_staff.get(stairwell.community_id) or [people["community"]]
            plans.append(
                (
                    stairwell,
                    stage.value,
                    {
                        "showcase": False,
                        "responsible": rng.choice(staff),
                        "overdue": rng.random() < 0.15,
                        "blocked": rng.random() < 0.1,
                    },
                )
            )

    by_stage: dict[str, list[Project]] = {stage.value: [] for stage in Stage}
    events, documents, reviews, members, team, milestones, blockers = [], [], [], [], [], [], []
    for number, (stairwell, stage, options) in enumerate(plans, start=1):
        index = stage_index(stage)
        elapsed_days = 25 * index + rng.randint(5, 20)
        opened = timezone.now() - dt.timedelta(days=elapsed_days)
        owners = list(
            {
                o.owner_id: o
                for o in Ownership.objects.filter(dwelling__stairwell=stairwell, is_primary=True)
                .select_related("owner")
                .order_by("dwelling__floor")[:8]
            }.values()
        )
        organised = index > stage_index(Stage.ORGANISED)
        designed = index > stage_index(Stage.DESIGN)
        building = index >= stage_index(Stage.CONSTRUCTION_NOTICE)
        project = Project.objects.create(
            code=f"JT{opened:%Y}D{number:05d}",
            stairwell=stairwell,
            estate_id=stairwell.estate_id,
            community_id=stairwell.community_id,
            stage=stage,
            responsible=options["responsible"],
            stage_entered_at=timezone.now() - dt.timedelta(days=rng.randint(3, 20)),
            lead_owner=owners[-1].owner if (index > 0 and owners) else None,
            chat_group_name=f"{stairwell.estate.name}{stairwell.building.number}{stairwell.number}加梯群"
            if organised
            else "",
            brand=rng.choice(brands) if designed or (stage == Stage.DESIGN and rng.random() < 0.5) else None,
            contractor=(demo_contractor if options["showcase"] and building else rng.choice(contractors))
            if designed
            else None,
            maintainer=rng.choice(maintainers) if index >= stage_index(Stage.IN_SERVICE) else None,
            estimated_cost=Decimal(rng.randint(42, 68) * 10000),
            created_by=options["responsible"],
        )
        Project.objects.filter(pk=project.pk).update(created_at=opened)
        if organised:
            members.extend(WorkingGroupMember(project=project, owner=o.owner, role="组员") for o in owners[:3])
            team.append(ServiceTeamMember(project=project, user=options["responsible"], role="包栋专干"))
        if designed:
            reviews.append(
                ContractReview(
                    project=project,
                    reviewer=options["responsible"],
                    reviewed_on=(opened + dt.timedelta(days=25 * 5)).date(),
                    result=ReviewResult.APPROVED,
                    findings="合同条款完整，付款节点清晰",
                    contract_amount=project.estimated_cost,
                )
            )
        # The history: opened, then one stage change per stage passed.
        events.append(
            ProjectEvent(
                project=project,
                kind=EventKind.CREATED,
                actor=options["responsible"],
                at=opened,
                to_stage=Stage.INTENTION,
                message="业主提出加装意向",
            )
        )
        for step in range(index):
            events.append(
                ProjectEvent(
                    project=project,
                    kind=EventKind.STAGE,
                    actor=options["responsible"],
                    at=opened + dt.timedelta(days=25 * (step + 1)),
                    from_stage=STAGE_ORDER[step],
                    to_stage=STAGE_ORDER[step + 1],
                )
            )
            if options["showcase"] or step + 1 == index:
                for kind in STAGE_DOCUMENTS.get(STAGE_ORDER[step], []):
                    documents.append((project, kind, STAGE_ORDER[step], opened + dt.timedelta(days=25 * step + 20)))
        # A reverse schedule from the target date; overdue ones had a target that is now too close.
        if stage != Stage.IN_SERVICE:
            target = today + dt.timedelta(days=(330 - 25 * index) - (160 if options["overdue"] else 0))
            target = max(target, today + dt.timedelta(days=7))
            rows = reverse_plan(current_stage=stage, target=target, durations=durations, calendar=calendar)
            if options["overdue"]:
                rows[0] = (rows[0][0], today - dt.timedelta(days=40), today - dt.timedelta(days=rng.randint(2, 12)))
            plan = SchedulePlan.objects.create(
                project=project, version=1, target_date=target, created_by=options["responsible"], reason="首次排期"
            )
            milestones.extend(
                Milestone(plan=plan, stage=s, planned_start=start, due_date=due) for s, start, due in rows
            )
            due = rows[0][2]
            at_risk = min(due, max(rows[0][1], calendar.add(due, -AT_RISK_WORKING_DAYS)))
            Project.objects.filter(pk=project.pk).update(target_date=target, stage_due=due, stage_at_risk_from=at_risk)
            # what schedule.plan_set writes: the sentence as msgid + values, read in the reader's language
            text, stored = as_stored(
                Message(gettext_noop("Plan v%(version)s: in service by %(date)s"), version=1, date=target)
            )
            events.append(
                ProjectEvent(
                    project=project,
                    kind=EventKind.PLANNED,
                    actor=options["responsible"],
                    at=opened + dt.timedelta(hours=2),
                    message=text,
                    data={"text": stored},
                )
            )
        if options["blocked"] and stage != Stage.IN_SERVICE:
            what, party = rng.choice(BLOCKERS)
            blockers.append(
                Blocker(
                    project=project,
                    description=what,
                    party=party,
                    created_by=options["responsible"],
                    assignee=options["responsible"],
                    due_date=today + dt.timedelta(days=rng.randint(-5, 14)),
                )
            )
            events.append(
                ProjectEvent(
                    project=project,
                    kind=EventKind.BLOCKER_OPENED,
                    actor=options["responsible"],
                    at=timezone.now() - dt.timedelta(days=2),
                    message=what,
                )
            )
        by_stage[stage].append(project)

    WorkingGroupMember.objects.bulk_create(members)
    ServiceTeamMember.objects.bulk_create(team)
    ContractReview.objects.bulk_create(reviews)
    ProjectEvent.objects.bulk_create(events)
    Milestone.objects.bulk_create(milestones)
    Blocker.objects.bulk_create(blockers)
    _documents(documents, people["community"])
    _recount()
    _cluster(by_stage, people["community"])
    context["projects"] = by_stage


def _community_staff(generated) -> dict[int, list]:

    staff: dict[int, list] = {}
    for user in User.objects.filter(role=Role.COMMUNITY, region_id__in=generated.community_ids):
        staff.setdefault(user.region_id, []).append(user)
    return staff


def _documents(documents, uploader) -> None:

    digest = hashlib.sha256(DEMO_PDF).hexdigest()
    versions: dict[tuple[int, str], int] = {}
    rows = []
    for project, kind, stage, _at in documents:
        key = (project.pk, kind)
        versions[key] = versions.get(key, 0) + 1
        document = ProjectDocument(
            project=project,
            kind=kind,
            version=versions[key],
            stage=stage,
            original_name=f"{kind}.pdf",
            size=len(DEMO_PDF),
            sha256=digest,
            content_type="application/pdf",
            uploaded_by=uploader,
            note="示例文件",
        )
        document.file.save(f"{project.code}-{kind}-{versions[key]}.pdf", ContentFile(DEMO_PDF), save=False)
        rows.append(document)
    ProjectDocument.objects.bulk_create(rows)


def _recount() -> None:

    for project in Project.objects.all():
        recount(project)


def _cluster(by_stage, actor) -> None:
    """One estate-wide design (连片加梯) over the design-stage projects of one estate, if it has several."""
    candidates = by_stage[Stage.DESIGN] + by_stage[Stage.APPROVALS]
    by_estate: dict[int, list[Project]] = {}
    for project in candidates:
        by_estate.setdefault(project.estate_id, []).append(project)
    group = max(by_estate.values(), key=len, default=[])
    if len(group) < 2:
        group = candidates[:2]
        if len({p.estate_id for p in group}) > 1:
            return
    estate = group[0].estate
    cluster = Cluster.objects.create(
        estate=estate,
        community_id=estate.community_id,
        name=f"{estate.name}连片加梯",
        design="整体设计：楼上加梯、楼下花园，统一外观与连廊",
    )
    Project.objects.filter(pk__in=[p.pk for p in group]).update(cluster=cluster)
    ProjectEvent.objects.bulk_create(
        ProjectEvent(project=p, kind=EventKind.CLUSTER, actor=actor, message=cluster.name) for p in group
    )
