"""One of everything a resident can open on the portal, for the tests that walk every portal page.

The world's resident owner (phone 13800138000) lives in stairwell a1a, whose project has had its vote and posted its
notice (his objection answered and settled), with a cost scheme and an open willingness survey; he also owns a flat
in a second stairwell of the estate whose elevator runs (a running-cost share), leads a third stairwell's project
(its subsidy file), has booked a window slot and filed a petition. A fourth stairwell's vote is open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

PHONE = "13800138000"


@dataclass
class Scene:
    world: object
    owner: object
    public: dict[str, str] = field(default_factory=dict)  # name → URL, for anybody
    signed_in: dict[str, str] = field(default_factory=dict)  # name → URL, for the signed-in owner


def build_scene() -> Scene:
    from jiati.consent import services as consent
    from jiati.consent.models import Objection
    from jiati.consent.tests.conftest import cast_online, ensure_rule_sets, in_stage, open_vote, voters
    from jiati.consultation.models import Article, ArticleKind, ArticleStatus, ReplyMethod, Topic
    from jiati.consultation.services import petitions, windows
    from jiati.consultation.tests.conftest import make_slot, window_of
    from jiati.core.hooks import collect
    from jiati.core.tests.factories import build_world, stairwell_with_dwellings
    from jiati.elevators import services as elevators
    from jiati.elevators.models import Elevator, RunningCostShare
    from jiati.elevators.tests.conftest import project_in_service
    from jiati.housing.models import Dwelling, Ownership
    from jiati.pool import services as pool
    from jiati.portal.selectors import stairwell_token
    from jiati.projects import services as project_services
    from jiati.projects.models import Project, Stage
    from jiati.subsidies import services as subsidies
    from jiati.subsidies.models import Source, SubsidyApplication
    from jiati.subsidies.tests.conftest import NEW_FROM, eligible_project

    ensure_rule_sets()
    world = build_world()
    community = world.users["community"]
    owner = world.users["resident"].owner
    owner.phone = PHONE
    owner.save(update_fields=["phone"])
    estate = world.estates["a1a"]
    home = world.stairwells["a1a"]

    # Stairwell a1a: the vote passed, the notice is up, the owner objected; the costs are shared.
    project = in_stage(project_services.project_open(actor=community, stairwell=home), Stage.VOTE)
    vote = open_vote(project, community)
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    consent.vote_close(vote=vote, actor=community)
    in_stage(project, Stage.PUBLIC_NOTICE)
    notice = consent.notice_post(
        project=project,
        actor=community,
        starts_on=timezone.localdate(),
        period_days=5,
        title="加装电梯公示",
        content="在北侧加装电梯。",
    )
    consent.objection_lodge(project=project, content="挡住采光", channel="online", owner=owner)
    objection = Objection.objects.get(owner=owner)
    # Answered and settled, so the notice invites him to object again (the form shows) and his page has an answer.
    consent.objection_answer(objection=objection, actor=community, text="已协调设计单位调整井道位置。")
    consent.objection_close(objection=objection, actor=community, outcome="negotiated")
    scheme = consent.cost_scheme_create(project=project, actor=community, total_cost=Decimal("480000"))
    survey = pool.survey_open(actor=community, stairwell=home)

    # A second stairwell: the owner's other flat, under a running elevator.
    second = stairwell_with_dwellings(estate=estate, number="2", storeys=6, per_floor=1)
    Ownership.objects.filter(dwelling=Dwelling.objects.filter(stairwell=second).first()).update(owner=owner)
    world.stairwells["second"] = second
    in_service = project_in_service(world, "second")
    collect("stage_hooks", "project_entered_stage", project=in_service, stage=Stage.IN_SERVICE, actor=community)
    elevator = Elevator.objects.get(project=in_service)
    elevators.running_cost_share(
        actor=community, elevator=elevator, year=2026, method="area", parameters={}, maintenance=Decimal("1200.00")
    )
    running = RunningCostShare.objects.filter(dwelling__ownerships__owner=owner).get()

    # A third stairwell: the project the owner leads, with its subsidy file.
    subsidies.policy_create(
        actor=world.users["district"],
        region=world.regions["A"],
        name="龙岗区加梯补贴（2025版）",
        source=Source.CITY,
        effective_from=NEW_FROM,
        cost_share_percent=Decimal("40"),
        cap=Decimal("200000"),
    )
    third = stairwell_with_dwellings(estate=estate, number="3", storeys=6, per_floor=1)
    led = eligible_project(world, stairwell=third, filed_on=NEW_FROM + dt.timedelta(days=60))
    Project.objects.filter(pk=led.pk).update(lead_owner=owner)
    application = SubsidyApplication.objects.get(project=led)
    assert application.amount_due > 0  # the policy applies: the file shows a real amount

    # A fourth stairwell: a vote still open.
    fourth = stairwell_with_dwellings(estate=estate, number="4", storeys=6, per_floor=1)
    voting = in_stage(project_services.project_open(actor=community, stairwell=fourth), Stage.VOTE)
    open_one = open_vote(voting, community)

    # A window slot booked, a petition filed, an article published.
    window = window_of(world)
    window.staff_on_duty.add(community)
    booking = windows.booking_create(
        slot=make_slot(window), owner=owner, name=owner.name, phone=PHONE, topic=Topic.COST
    )
    make_slot(window, days=3)
    petition = petitions.petition_submit(
        actor=None,
        owner=owner,
        estate=estate,
        petitioner_name=owner.name,
        reply_method=ReplyMethod.PORTAL,
        subject="施工噪音",
        content="晚上十点后仍在施工",
    )
    article = Article.objects.create(
        kind=ArticleKind.GUIDE,
        title="办事指南",
        body="第一步。\n第二步。",
        region=world.regions["A"],
        status=ArticleStatus.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(hours=1),
        author=world.users["district"],
    )
    fault = elevators.fault_report(elevator=elevator, kind="stopped", phone=PHONE)

    scene = Scene(world=world, owner=owner)
    scene.public = {
        "start": reverse("portal:home"),
        "self-check": reverse("portal:self-check"),
        "estimate": reverse("portal:estimate"),
        "find": reverse("portal:find"),
        "stairwell": reverse("portal:stairwell", args=[stairwell_token(home)]),
        "articles": reverse("consultation:public-articles"),
        "article": reverse("consultation:public-article", args=[article.pk]),
        "sign-in": reverse("portal:login"),
        "vote": reverse("consent:online-vote", args=[open_one.public_token]),
        "receipt": reverse("consent:receipt-check") + "?receipt=AAAA-BBBB-CCCC",
        "notice": reverse("consent:public-notice", args=[notice.pk]),
        "elevator": reverse("elevators:public", args=[elevator.public_token]),
    }
    scene.signed_in = {
        "my-matters": reverse("portal:home"),
        "vote": reverse("consent:online-vote", args=[open_one.public_token]),
        "notice": reverse("consent:public-notice", args=[notice.pk]),
        "objection": reverse("consent:my-objection", args=[objection.pk]),
        "cost-share": reverse("consent:public-costs", args=[scheme.pk]),
        "running-cost": reverse("elevators:my-running-cost", args=[running.pk]),
        "book": reverse("consultation:portal-book"),
        "booking": reverse("consultation:portal-booking", args=[booking.pk]),
        "petition-form": reverse("consultation:portal-petition-new"),
        "petition": reverse("consultation:portal-petition", args=[petition.pk]),
        "fault": reverse("elevators:follow", args=[fault.follow_token]),
        "survey": reverse("pool:portal-survey", args=[survey.pk]),
        "subsidy-file": reverse("subsidies:portal-file", args=[application.pk]),
    }
    scene.vote, scene.survey, scene.elevator = open_one, survey, elevator
    return scene
