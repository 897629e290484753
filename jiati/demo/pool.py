"""Demo data for the retrofit pool: the first district's pool assessed in part, surveys at different stages, this
year's targets, mobility needs and a second estate-wide cluster (the projects demo makes the first), each cluster
with shared landscape works.

Written in bulk (no audit rows): it runs once on an empty database, after the projects demo.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from jiati.housing.models import Dwelling, Ownership, Stairwell
from jiati.organisation.models import Region
from jiati.pool.models import (
    AllocationRule,
    Assessment,
    ClusterWork,
    Feasibility,
    MobilityKind,
    MobilityNeed,
    Obstacle,
    PoolSettings,
    Survey,
    SurveyAnswer,
    SurveyStatus,
    Target,
)
from jiati.pool.priority import priority_rebuild
from jiati.pool.rules import DEFAULTS, Rules, is_willing
from jiati.projects.models import Cluster, EventKind, Project, ProjectEvent, Stage, Status, stage_index

OBSTACLES = [o.value for o in Obstacle]


def seed(context) -> None:
    rng = random.Random(15)
    generated, people = context["generated"], context["people"]
    district = Region.objects.get(pk=generated.district_id)
    PoolSettings.objects.create(region=district, updated_by=people["district"], **DEFAULTS)
    rules = Rules(**DEFAULTS)
    candidates = list(
        Stairwell.objects.filter(
            community_id__in=generated.community_ids, has_elevator=False, storeys__gte=rules.min_storeys
        ).values_list("pk", "estate_id", "community_id")
    )
    live = {
        p["stairwell_id"]: p["stage"]
        for p in Project.objects.exclude(status=Status.WITHDRAWN).values("stairwell_id", "stage")
    }
    first_community = generated.community_ids[0]
    assessors = [people["community"]]
    assessments, surveyed = [], []
    today = timezone.localdate()
    for stairwell_id, estate_id, community_id in candidates:
        share = 0.8 if community_id == first_community else 0.35
        has_project = stairwell_id in live
        if not has_project and rng.random() > share:
            continue
        roll = rng.random()
        if has_project or roll < 0.6:
            result, obstacles, conditions = Feasibility.FEASIBLE, [], ""
        elif roll < 0.8:
            result, obstacles, conditions = (
                Feasibility.CONDITIONAL,
                [rng.choice(OBSTACLES[:3])],
                "需先迁移地下管线并征得相邻住户同意",
            )
        else:
            result, obstacles, conditions = Feasibility.NOT_FEASIBLE, rng.sample(OBSTACLES, 2), ""
        assessments.append(
            Assessment(
                stairwell_id=stairwell_id,
                estate_id=estate_id,
                community_id=community_id,
                result=result,
                obstacles=obstacles,
                conditions=conditions,
                note="现场踏勘" if result != Feasibility.FEASIBLE else "",
                assessed_on=today - dt.timedelta(days=rng.randint(5, 300)),
                assessed_by=rng.choice(assessors),
            )
        )
        if has_project or (result != Feasibility.NOT_FEASIBLE and rng.random() < 0.5):
            surveyed.append((stairwell_id, estate_id, community_id, has_project))
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    _surveys(rng, surveyed, people, rules)
    _mobility(rng, [a.stairwell_id for a in assessments[:400]], people)
    _targets(rng, generated, people, today.year)
    _clusters(people)
    # Everything above was written in bulk (no services, no signals): score the district's stairwells once.
    priority_rebuild(community_ids=generated.community_ids)


def _surveys(rng, surveyed, people, rules) -> None:
    dwellings: dict[int, list[int]] = {}
    for stairwell_id, dwelling_id in Dwelling.objects.filter(stairwell_id__in=[s[0] for s in surveyed]).values_list(
        "stairwell_id", "pk"
    ):
        dwellings.setdefault(stairwell_id, []).append(dwelling_id)
    owners = dict(
        Ownership.objects.filter(
            dwelling_id__in=[d for ds in dwellings.values() for d in ds], is_primary=True
        ).values_list("dwelling_id", "owner_id")
    )
    resident_owner = people["resident"].owner_id if people.get("resident") else None
    surveys = [
        Survey(
            stairwell_id=stairwell_id,
            estate_id=estate_id,
            community_id=community_id,
            opened_by=people["community"],
            dwelling_count=len(dwellings.get(stairwell_id, [])),
        )
        for stairwell_id, estate_id, community_id, _has_project in surveyed
    ]
    Survey.objects.bulk_create(surveys, batch_size=2000)
    answers = []
    channels = ["door_to_door", "door_to_door", "paper_form", "portal"]
    for survey, (_sid, _eid, _cid, has_project) in zip(surveys, surveyed, strict=True):
        rooms = dwellings.get(survey.stairwell_id, [])
        progress = 1.0 if has_project else rng.choice([0.2, 0.5, 0.8, 1.0])
        leaning = 0.85 if has_project else rng.choice([0.4, 0.65, 0.8])
        counts = {"willing": 0, "not_willing": 0, "undecided": 0}
        for dwelling_id in rooms[: round(len(rooms) * progress)]:
            if owners.get(dwelling_id) == resident_owner:
                continue  # the demo resident answers himself on the portal
            roll = rng.random()
            answer = "willing" if roll < leaning else ("undecided" if roll < leaning + 0.1 else "not_willing")
            counts[answer] += 1
            channel = rng.choice(channels)
            answers.append(
                SurveyAnswer(
                    survey=survey,
                    dwelling_id=dwelling_id,
                    answer=answer,
                    channel=channel,
                    recorded_by=None if channel == "portal" else people["community"],
                    owner_id=owners.get(dwelling_id) if channel == "portal" else None,
                )
            )
        survey.willing_count = counts["willing"]
        survey.not_willing_count = counts["not_willing"]
        survey.undecided_count = counts["undecided"]
        survey.is_willing = is_willing(willing=counts["willing"], dwellings=survey.dwelling_count, rules=rules)
        if has_project:
            survey.status, survey.closed_at = SurveyStatus.CLOSED, timezone.now()
    SurveyAnswer.objects.bulk_create(answers, batch_size=5000)
    Survey.objects.bulk_update(
        surveys,
        ["willing_count", "not_willing_count", "undecided_count", "is_willing", "status", "closed_at"],
        batch_size=2000,
    )


def _mobility(rng, stairwell_ids, people) -> None:
    rows = []
    for dwelling in Dwelling.objects.filter(stairwell_id__in=stairwell_ids).only(
        "pk", "stairwell_id", "estate_id", "community_id"
    ):
        if rng.random() < 0.06:
            rows.append(
                MobilityNeed(
                    dwelling_id=dwelling.pk,
                    stairwell_id=dwelling.stairwell_id,
                    estate_id=dwelling.estate_id,
                    community_id=dwelling.community_id,
                    kind=rng.choice([k.value for k in MobilityKind]),
                    recorded_by=people["community"],
                )
            )
    MobilityNeed.objects.bulk_create(rows)


def _targets(rng, generated, people, year) -> None:
    rows = [
        Target(
            region_id=region_id,
            year=year,
            projects_started=rng.randint(8, 20),
            elevators_in_service=rng.randint(4, 12),
            set_by=people["district"],
        )
        for region_id in generated.subdistrict_ids
    ] + [
        Target(
            region_id=region_id,
            year=year,
            projects_started=rng.randint(1, 5),
            elevators_in_service=rng.randint(0, 3),
            set_by=people["district"],
        )
        for region_id in generated.community_ids
    ]
    Target.objects.bulk_create(rows)


def _clusters(people) -> None:
    """A second cluster over an estate's early projects (not past their vote), and shared works for each cluster."""
    early = [s.value for s in Stage if stage_index(s) <= stage_index(Stage.VOTE)]
    estates = (
        Project.objects.filter(stage__in=early, cluster__isnull=True, status=Status.ACTIVE)
        .values("estate_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "estate_id")
    )
    chosen = estates.first()
    if chosen is not None:
        members = list(
            Project.objects.filter(
                estate_id=chosen["estate_id"], stage__in=early, cluster__isnull=True, status=Status.ACTIVE
            ).select_related("estate")[:3]
        )
        estate = members[0].estate
        cluster = Cluster.objects.create(
            estate=estate,
            community_id=estate.community_id,
            name=f"{estate.name}二期连片加梯",
            design="统一钢结构井道与平层入户连廊，楼下改造为适老花园与休憩步道",
        )
        Project.objects.filter(pk__in=[p.pk for p in members]).update(cluster=cluster)
        ProjectEvent.objects.bulk_create(
            ProjectEvent(project=p, kind=EventKind.CLUSTER, actor=people["community"], message=cluster.name)
            for p in members
        )
    works = []
    for cluster in Cluster.objects.all():
        works.append(
            ClusterWork(
                cluster=cluster,
                description="楼下花园及无障碍步道",
                cost=Decimal("186000.00"),
                rule=AllocationRule.DWELLINGS,
                created_by=people["community"],
            )
        )
        works.append(
            ClusterWork(
                cluster=cluster,
                description="统一外立面与连廊设计费",
                cost=Decimal("45000.00"),
                rule=AllocationRule.EQUAL,
                created_by=people["community"],
            )
        )
    ClusterWork.objects.bulk_create(works)
