"""Demo consent data on the projects the projects app's demo made (context["projects"], by stage):

- vote stage: on the demo resident's stairwell an open vote with some ballots (not his: he can vote on his
  phone), more open votes at various points, some closed votes that failed, some projects with no vote yet;
- every project past the vote stage: a closed vote that passed (so the stage guards hold);
- notice stage: notices running or ended, objections open, answered, escalated and closed;
- past the notice stage: an ended notice, its objections closed;
- cost-sharing schemes (by area, by floor coefficients) on the showcase community's projects.

The showcase community's projects go through the services; the district-wide ones are written in bulk with
the same roll freezing, hash chain and tally, so the demo loads in seconds and every chain verifies.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from jiati.consent import chain, services
from jiati.consent.models import (
    Ballot,
    BallotEntry,
    CostMethod,
    DayKind,
    NoticeStatus,
    Objection,
    ObjectionChannel,
    ObjectionLevel,
    ObjectionOutcome,
    ObjectionStatus,
    ObjectionStep,
    PublicNotice,
    RollVoter,
    RuleRound,
    RuleSet,
    RuleTest,
    StepKind,
    Vote,
    VoteStatus,
    area_to_centi,
    centi_to_area,
)
from jiati.consent.rules import RoundSpec, install_builtin_rule_sets, spec_for_round
from jiati.consent.selectors import vote_counts
from jiati.consent.services.votes import _freeze_roll
from jiati.consent.tally import Counts, evaluate
from jiati.core.stored_text import Message, Row, Worked, as_stored
from jiati.projects.models import EventKind, Project, ProjectEvent, Stage, stage_index

PLAN = (
    "在本单元北侧楼梯间外加装一部无机房电梯（载重 800 kg，速度 1.0 m/s），平层入户，"
    "井道采用钢结构加玻璃幕墙；施工期约 90 天。总造价约 {cost} 元，扣除政府补贴后按费用分摊方案由业主分担；"
    "电梯投入使用后的维护保养费用由使用电梯的业主分担。"
)
OBJECTIONS = [
    ("一楼业主担心电梯井道影响采光和通风，要求补偿", "窗口"),
    ("认为费用分摊方案对二楼不公平", "电话"),
    ("担心施工噪音影响老人休息，要求限定施工时间", "信件"),
    ("要求电梯井道避开自家窗户", "窗口"),
]


def seed(context: dict) -> None:
    projects: dict[str, list[Project]] = context.get("projects") or {}
    if not projects:
        return
    install_builtin_rule_sets(RuleSet, RuleRound, RuleTest)
    rng = random.Random(278)
    people = context["people"]
    community, district = people["community"], people["district"]
    default = RuleSet.objects.get(code="civil-code-278", version=1)
    showcase_community = people["community"].region_id

    def actor_for(project: Project):
        return community if project.community_id == showcase_community else district

    # Past the vote stage: a passed vote each (and for the notice stage and beyond, a notice).
    for stage in list(Stage)[stage_index(Stage.PUBLIC_NOTICE) :]:
        for project in projects.get(stage.value, []):
            _closed_vote(project, actor_for(project), default, rng, passed=True)
    _notices(projects, actor_for, rng, showcase_community)

    # The vote stage.
    vote_stage = list(projects.get(Stage.VOTE.value, []))
    resident = people.get("resident")
    resident_project = None
    if resident is not None and resident.owner_id:
        resident_project = next(
            (p for p in vote_stage if p.stairwell.dwellings.filter(ownerships__owner_id=resident.owner_id).exists()),
            None,
        )
    for index, project in enumerate(vote_stage):
        actor = actor_for(project)
        if project == resident_project:
            _showcase_open_vote(project, actor, resident.owner_id, rng)
        elif index % 5 == 1:
            _closed_vote(project, actor, default, rng, passed=False)
        elif index % 5 == 2:
            _closed_vote(project, actor, default, rng, passed=False)
            _open_vote(project, actor, rng, share=rng.uniform(0.4, 0.95))
        elif index % 5 == 3:
            continue  # no vote yet
        else:
            _open_vote(project, actor, rng, share=rng.uniform(0.2, 0.9))

    # Cost sharing on the showcase community's projects of the vote and notice stages (through the services).
    for stage in (Stage.CONSULTATION, Stage.PUBLIC_NOTICE, Stage.DESIGN):
        for project in projects.get(stage.value, []):
            if project.community_id == showcase_community:
                _scheme(project, community, floors=stage != Stage.DESIGN)


def _plan(project: Project) -> str:
    return PLAN.format(cost=project.estimated_cost or Decimal("500000"))


def _choices(count: int, rng: random.Random, *, passed: bool) -> list[str | None]:
    """Ballots for a closed vote: mostly agree when it passed; too few when it failed (None: did not vote)."""
    if passed:
        weights = [("agree", 86), ("disagree", 5), ("abstain", 3), (None, 6)]
    else:
        weights = [("agree", 55), ("disagree", 25), ("abstain", 5), (None, 15)]
    population, cum = zip(*weights, strict=True)
    return [rng.choices(population, cum)[0] for _n in range(count)]


def _write_ballots(vote: Vote, picks: list[tuple[RollVoter, str]], start: dt.datetime, end: dt.datetime) -> None:
    """Write ballots and their hash-chained entries in bulk, exactly as the service would have."""
    prev = vote.chain_head
    span = (end - start).total_seconds()
    entries, ballots = [], []
    for sequence, (voter, choice) in enumerate(picks, start=1):
        cast_at = start + dt.timedelta(seconds=span * sequence / (len(picks) + 1))
        channel = "online" if sequence % 3 else "paper"
        digest = chain.receipt_digest(chain.new_receipt())
        entry_hash = chain.entry_hash(
            prev_hash=prev,
            vote_id=vote.pk,
            sequence=sequence,
            voter_id=voter.pk,
            choice=choice,
            channel=channel,
            cast_at=cast_at,
            receipt=digest,
        )
        entries.append(
            BallotEntry(
                vote=vote,
                voter=voter,
                sequence=sequence,
                choice=choice,
                channel=channel,
                cast_at=cast_at,
                receipt_digest=digest,
                prev_hash=prev,
                entry_hash=entry_hash,
            )
        )
        prev = entry_hash
    BallotEntry.objects.bulk_create(entries)
    for entry in entries:
        ballots.append(
            Ballot(
                vote=vote,
                voter=entry.voter,
                choice=entry.choice,
                channel=entry.channel,
                area_centi=entry.voter.area_centi,
                cast_at=entry.cast_at,
                latest_entry=entry,
            )
        )
    Ballot.objects.bulk_create(ballots)
    Vote.objects.filter(pk=vote.pk).update(ballot_seq=len(entries), chain_head=prev)
    vote.ballot_seq, vote.chain_head = len(entries), prev


def _new_vote(project: Project, actor, rule_set: RuleSet, opens_at: dt.datetime, closes_at: dt.datetime) -> Vote:
    rule_round = RuleRound.objects.select_related("rule_set").get(rule_set=rule_set, number=1)
    vote = Vote.objects.create(
        project=project,
        rule_set=rule_set,
        round_number=1,
        scope="stairwell",
        estate_id=project.estate_id,
        building_id=project.stairwell.building_id,
        stairwell_id=project.stairwell_id,
        plan=_plan(project),
        opens_at=opens_at,
        closes_at=closes_at,
        opened_by=actor,
        # The round frozen on the vote as `vote_open` freezes it (the live result reads no rule set).
        rule_spec=spec_for_round(rule_round).as_json(),
    )
    _freeze_roll(vote)
    return vote


def _closed_vote(project: Project, actor, rule_set: RuleSet, rng: random.Random, *, passed: bool) -> Vote | None:
    left_vote_stage = project.created_at + dt.timedelta(days=25 * (stage_index(Stage.VOTE) + 1))
    closes_at = min(left_vote_stage - dt.timedelta(days=1), timezone.now() - dt.timedelta(days=1))
    opens_at = closes_at - dt.timedelta(days=14)
    vote = _new_vote(project, actor, rule_set, opens_at, closes_at)
    if vote.owners_total == 0:
        vote.delete()
        return None
    roll = list(RollVoter.objects.filter(vote=vote).order_by("id"))
    spec = RoundSpec.from_json(vote.rule_spec)
    for _attempt in range(20):
        choices = _choices(len(roll), rng, passed=passed)
        picks = [(v, c) for v, c in zip(roll, choices, strict=True) if c]
        agreeing = [v for v, c in picks if c == "agree"]
        counts_ok = _would_pass(vote, roll, picks, agreeing, spec)
        if counts_ok == passed:
            break
    else:  # make it so: everyone agrees (passed) or only a third agree (failed)
        picks = [(v, "agree" if passed or i % 3 == 0 else "disagree") for i, v in enumerate(roll)]
    _write_ballots(vote, picks, opens_at, closes_at)
    verdict = evaluate(vote_counts(vote, spec=spec), spec)
    vote.status, vote.closed_at, vote.closed_by, vote.passed = VoteStatus.CLOSED, closes_at, actor, verdict.passed
    c = verdict.counts
    vote.owners_participating, vote.owners_agreeing = c.owners_participating, c.owners_agreeing
    vote.area_participating_centi = area_to_centi(c.area_participating)
    vote.area_agreeing_centi = area_to_centi(c.area_agreeing)
    vote.result = verdict.as_json() | {
        "spec": spec.as_json(),  # as `vote_close` stores it: the timeline words the figures without the rule set
        "rule_set_name": spec.name,
        "chain_head": vote.chain_head,
        "ballot_entries": vote.ballot_seq,
        "roll_hash": vote.roll_hash,
        "closed_at": closes_at.isoformat(),
    }
    vote.save()

    # Stored as the service stores it: what happened, shown in the reader's language.
    text, stored = as_stored(
        Message(
            "Owners' vote closed: %(outcome)s under %(rule)s — %(tests)s",
            outcome=Message("passed" if verdict.passed else "did not pass"),
            rule=Row.of(vote.rule_set),
            tests=Worked("consent.vote_tests", vote=vote.pk),
        )
    )
    ProjectEvent.objects.create(
        project=project,
        kind=EventKind.OTHER,
        actor=actor,
        at=closes_at,
        message=text,
        data={
            "consent": "vote_closed",
            "vote": vote.pk,
            "passed": verdict.passed,
            "rule_set": spec.label,
            "text": stored,
        },
    )
    return vote


def _would_pass(vote, roll, picks, agreeing, spec) -> bool:

    counts = Counts(
        owners_total=len(roll),
        owners_participating=len(picks),
        owners_agreeing=len(agreeing),
        area_total=centi_to_area(vote.area_total_centi),
        area_participating=centi_to_area(sum(v.area_centi for v, _c in picks)),
        area_agreeing=centi_to_area(sum(v.area_centi for v in agreeing)),
    )
    return evaluate(counts, spec).passed


def _open_vote(project: Project, actor, rng: random.Random, *, share: float, skip_owner: int | None = None) -> Vote:
    """An open vote (through the service) with some ballots already in, written like the service writes them."""
    vote = services.vote_open(
        project=project,
        actor=actor,
        closes_at=timezone.now() + dt.timedelta(days=rng.randint(5, 20)),
        plan=_plan(project),
        cost_scheme=_scheme(project, actor, floors=True) if skip_owner else None,
    )
    Vote.objects.filter(pk=vote.pk).update(opens_at=timezone.now() - dt.timedelta(days=rng.randint(2, 9)))
    vote.refresh_from_db()
    roll = [v for v in RollVoter.objects.filter(vote=vote).order_by("id") if v.owner_id != skip_owner]
    rng.shuffle(roll)
    taking_part = roll[: max(1, int(len(roll) * share))]
    picks = [(v, rng.choices(["agree", "disagree", "abstain"], [80, 14, 6])[0]) for v in taking_part]
    _write_ballots(vote, picks, vote.opens_at, timezone.now() - dt.timedelta(minutes=5))
    return vote


def _showcase_open_vote(project: Project, actor, resident_owner_id: int, rng: random.Random) -> Vote:
    """The demo resident's stairwell: an open vote, most owners in, 7 in 10 agreeing — he can tip it."""
    return _open_vote(project, actor, rng, share=0.6, skip_owner=resident_owner_id)


def _scheme(project: Project, actor, *, floors: bool):
    storeys = project.stairwell.storeys
    if floors:
        coefficients = {
            str(f): "0" if f <= 2 else str(Decimal("0.7") + Decimal("0.1") * (f - 3)) for f in range(1, storeys + 1)
        }
        return services.cost_scheme_create(
            project=project,
            actor=actor,
            method=CostMethod.FLOOR_COEFFICIENT,
            parameters={"coefficients": coefficients, "compensation": {"1": "3000.00"}},
            note="一、二楼不出资，一楼每户获补偿 3000 元；三楼起按楼层系数乘面积分摊。",
        )
    return services.cost_scheme_create(project=project, actor=actor, method=CostMethod.AREA)


def _notices(projects: dict[str, list[Project]], actor_for, rng: random.Random, showcase_community: int) -> None:
    today = timezone.localdate()
    notice_stage = projects.get(Stage.PUBLIC_NOTICE.value, [])
    later = [p for stage in list(Stage)[stage_index(Stage.DESIGN) :] for p in projects.get(stage.value, [])]
    rows, objection_rows = [], []
    for project in later:
        left = project.created_at.date() + dt.timedelta(days=25 * (stage_index(Stage.PUBLIC_NOTICE) + 1))
        ends_on = min(left - dt.timedelta(days=1), today - dt.timedelta(days=1))
        rows.append(_notice(project, actor_for(project), ends_on - dt.timedelta(days=13), ends_on, DayKind.CALENDAR))
    for index, project in enumerate(notice_stage):
        actor = actor_for(project)
        showcase = project.community_id == showcase_community
        if showcase or index % 2 == 0:
            starts = today - dt.timedelta(days=rng.randint(1, 6))
            notice = services.notice_post(
                project=project,
                actor=actor,
                starts_on=starts,
                period_days=10,
                day_kind=DayKind.WORKING,
                content=_plan(project),
                location="单元门口公告栏、小区公示栏",
            )
            _objections(project, actor, notice, rng, mix=showcase or index % 4 == 0)
        else:
            ends_on = today - dt.timedelta(days=rng.randint(1, 5))
            rows.append(_notice(project, actor, ends_on - dt.timedelta(days=9), ends_on, DayKind.CALENDAR))
    notices = PublicNotice.objects.bulk_create(rows)
    for notice in notices[:: max(1, len(notices) // 12)]:
        # A few settled objections in the history of projects that went on.
        what, _channel = rng.choice(OBJECTIONS)
        objection_rows.append((notice, what))
    for notice, what in objection_rows:
        objection = Objection.objects.create(
            project_id=notice.project_id,
            notice=notice,
            name="业主",
            address="101",
            channel=ObjectionChannel.WINDOW,
            content=what,
            lodged_at=timezone.make_aware(dt.datetime.combine(notice.starts_on + dt.timedelta(days=1), dt.time(10))),
            status=ObjectionStatus.CLOSED,
            level=ObjectionLevel.NEGOTIATION,
            response="经协商，施工方案已作调整。",
            answered_at=timezone.make_aware(dt.datetime.combine(notice.ends_on, dt.time(15))),
            outcome=ObjectionOutcome.NEGOTIATED,
            closed_at=timezone.make_aware(dt.datetime.combine(notice.ends_on, dt.time(16))),
        )
        ObjectionStep.objects.bulk_create(
            [
                ObjectionStep(objection=objection, kind=StepKind.LODGED, text=what, at=objection.lodged_at),
                ObjectionStep(
                    objection=objection, kind=StepKind.ANSWER, text=objection.response, at=objection.answered_at
                ),
                ObjectionStep(objection=objection, kind=StepKind.CLOSED, text="业主表示理解", at=objection.closed_at),
            ]
        )


def _notice(project: Project, actor, starts_on: dt.date, ends_on: dt.date, kind: str) -> PublicNotice:
    vote = Vote.objects.filter(project=project, status=VoteStatus.CLOSED, passed=True).order_by("-id").first()
    return PublicNotice(
        project=project,
        vote=vote,
        content=_plan(project),
        location="单元门口公告栏",
        starts_on=starts_on,
        period_days=(ends_on - starts_on).days + 1,
        day_kind=kind,
        ends_on=ends_on,
        status=NoticeStatus.POSTED,
        posted_by=actor,
    )


def _objections(project: Project, actor, notice: PublicNotice, rng: random.Random, *, mix: bool) -> None:
    """Objections in several states: waiting, answered, taken to mediation, closed."""
    owners = list(
        RollVoter.objects.filter(vote__project=project, owner__isnull=False)
        .select_related("owner")
        .order_by("lowest_floor")[:4]
    )
    states = ["open", "answered", "mediation", "closed"] if mix else ["closed", "answered"]
    for state, voter, (what, _channel) in zip(states, owners, OBJECTIONS, strict=False):
        objection = services.objection_lodge(
            project=project,
            actor=actor,
            channel=rng.choice([ObjectionChannel.WINDOW, ObjectionChannel.PHONE, ObjectionChannel.LETTER]),
            owner=voter.owner,
            address=voter.rooms,
            content=what,
        )
        if state == "open":
            continue
        services.objection_answer(objection=objection, actor=actor, text="已上门说明方案，井道位于北侧，不影响采光。")
        if state == "mediation":
            services.objection_escalate(
                objection=objection, actor=actor, level=ObjectionLevel.MEDIATION, text="提请街道调解"
            )
        if state == "closed":
            services.objection_close(
                objection=objection, actor=actor, outcome=ObjectionOutcome.NEGOTIATED, text="业主同意，撤回异议"
            )
