"""Reads on owner consent: a vote's counts (aggregated by the database), its verdict, what a project still
needs, an owner's open votes and his share of the cost."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from django.db.models import Case, Count, F, Func, Max, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.consent.models import (
    Ballot,
    BallotEntry,
    Choice,
    CostScheme,
    CostShare,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicNotice,
    RollDwelling,
    RollVoter,
    RuleRound,
    RuleSet,
    RuleTest,
    Scope,
    StagedBallotStack,
    SubsidyStatus,
    Vote,
    VoteStatus,
    centi_to_area,
)
from jiati.consent.rules import RoundSpec, spec_for_round
from jiati.consent.tally import Counts, Verdict, evaluate, stored_verdict
from jiati.core import read_once as page_memo
from jiati.core.formatting import format_compared_shares
from jiati.core.money import FEN
from jiati.core.prepared import PreparedQuery
from jiati.core.read_once import read_many, read_once
from jiati.core.stored_text import renderer, row_reader
from jiati.housing.models import Dwelling, Ownership
from jiati.projects.models import Project, Status


def round_spec(vote: Vote, *, memo=None) -> RoundSpec:
    """The rule round the vote is held under: as frozen on the row when it opened (no query), else read from the
    rule set (a vote opened before the round was frozen on it; shared on the page through `memo`, `round_specs`)."""
    if vote.rule_spec:
        return RoundSpec.from_json(vote.rule_spec)
    key = (vote.rule_set_id, vote.round_number)
    spec = round_specs([key], memo=memo)[key]
    if spec is None:
        raise RuleRound.DoesNotExist(f"rule set {vote.rule_set_id} has no round {vote.round_number}")
    return spec


def round_specs(keys, *, memo=None) -> dict[tuple[int, int], RoundSpec | None]:
    """Rule rounds by (rule set id, round number) as `RoundSpec`s, however many, in two queries (the rounds of
    their rule sets, then their tests); None for a round that does not exist. With `memo` (the project page's
    project, `core.read_once`) each round is read once for the page: its consent panel, its vote-stage guard and
    its timeline's closed votes ask for the same one. A rule-set version is never edited, so nothing goes stale."""
    found = read_many(memo, [(ROUND_SPEC, *key) for key in keys], lambda missing: _read_round_specs(missing, memo=memo))
    return {(rule_set_id, number): spec for (_name, rule_set_id, number), spec in found.items()}


ROUND_SPEC = "consent.round_spec"  # the memo's key: (ROUND_SPEC, rule set id, round number)
RULE_ROUNDS = "consent.rule_rounds"  # the memo's key: (RULE_ROUNDS, rule set id)


def _read_round_specs(keys, *, memo=None) -> dict:
    """The specs of some rounds: their rule sets' rounds (`rule_rounds`, shared on the page), then their tests."""
    wanted = set(keys)
    by_set = rule_rounds({rule_set_id for _name, rule_set_id, _number in wanted}, memo=memo)
    rounds = {
        key: r for rounds in by_set.values() for r in rounds if (key := (ROUND_SPEC, r.rule_set_id, r.number)) in wanted
    }
    tests: dict[int, list[RuleTest]] = {}
    for test in RuleTest.objects.filter(round_id__in=[r.pk for r in rounds.values()]).order_by("position", "id"):
        tests.setdefault(test.round_id, []).append(test)
    return {
        key: spec_for_round(r, rounds_total=len(by_set[r.rule_set_id]), tests=tests.get(r.pk, []))
        for key, r in rounds.items()
    }


def rule_rounds(rule_set_ids, *, memo=None) -> dict[int, list[RuleRound]]:
    """The rounds of some rule sets, by rule set id, in order, each with its rule set: one query for them all. With
    `memo` (the project page's project, `core.read_once`) each rule set's rounds are read once for the page: the
    timeline's rule-set names (`rule_sets_named`) and closed votes (`round_specs`), the consent panel and the
    vote-stage guard (`consent_rounds`) share them. A rule-set version is never edited, so nothing goes stale."""
    found = read_many(memo, [(RULE_ROUNDS, pk) for pk in rule_set_ids], _read_rule_rounds)
    return {pk: rounds or [] for (_name, pk), rounds in found.items()}


def _read_rule_rounds(keys) -> dict:
    by_set: dict[int, list[RuleRound]] = {rule_set_id: [] for _name, rule_set_id in keys}
    if len(by_set) == 1:  # a project page's one rule set: the statement compiled once
        (rule_set_id,) = by_set
        rounds = _RULE_ROUNDS.fetch(rule_set_id)
    else:
        rounds = RuleRound.objects.filter(rule_set_id__in=list(by_set)).select_related("rule_set")
        rounds = rounds.order_by("rule_set_id", "number")
    for rule_round in rounds:
        by_set[rule_round.rule_set_id].append(rule_round)
    return {(RULE_ROUNDS, rule_set_id): found for rule_set_id, found in by_set.items()}


# One rule set's rounds, compiled once per process (`core.prepared`): the project page reads them on every view, and
# compiling the statement cost more than running it (issue 18).
_RULE_ROUNDS = PreparedQuery(
    RuleRound,
    lambda rule_set_id: (
        RuleRound.objects.filter(rule_set_id=rule_set_id).select_related("rule_set").order_by("rule_set_id", "number")
    ),
    kinds=(int,),
    server_prepared=True,
)


@row_reader("consent.RuleSet")
def rule_sets_named(pks, *, memo=None) -> dict[int, RuleSet]:
    """The rule sets a list of stored sentences names (a timeline's "under rule set …"), read with their rounds
    (`rule_rounds`): the page's closed votes and consent panel read those rounds anyway."""
    found = {pk: rounds[0].rule_set for pk, rounds in rule_rounds(pks, memo=memo).items() if rounds}
    missing = [pk for pk in pks if pk not in found]
    return found | (RuleSet._base_manager.in_bulk(missing) if missing else {})


def _wider_area_dwellings(vote: Vote, others_scope: str):
    """The dwellings of the wider area whose owners' objections count ("no objection from other owners")."""

    # The project's stairwell and building as subqueries, not fetched: the live result stays one statement.
    project = Project.objects.filter(pk=vote.project_id)
    if others_scope == Scope.ESTATE:
        return Dwelling.objects.filter(estate_id=vote.estate_id)
    if others_scope == Scope.STAIRWELL:
        return Dwelling.objects.filter(stairwell_id=Subquery(project.values("stairwell_id")))
    return Dwelling.objects.filter(building_id=Subquery(project.values("stairwell__building_id")))


def objections_from_others(vote: Vote, spec: RoundSpec | None = None) -> int:
    return _objections_from_others(vote, spec).count()


def _objections_from_others(vote: Vote, spec: RoundSpec | None = None):
    """The Beijing-style condition: unresolved objections to the vote's project raised during the vote by owners of
    the rule's wider area (the same building by default) who are not on the vote's roll.

    Who objects is what staff recorded (`objection_lodge`): the objector's dwelling, else the owner (an online
    objection); an outside party (no dwelling, no owner) is not an owner of the area and does not count, nor does
    an owner on the roll (his ballot is his say), nor an objection raised before the vote opened or after it ended."""

    others_scope = spec.others_scope if spec is not None else Scope.BUILDING
    area = _wider_area_dwellings(vote, others_scope).values("pk")
    area_owners = Ownership.objects.filter(dwelling__in=area).values("owner_id")
    roll_owners = RollVoter.objects.filter(vote=vote, owner__isnull=False).values("owner_id")
    roll_dwellings = RollDwelling.objects.filter(vote=vote).values("dwelling_id")
    until = min(vote.closes_at, vote.closed_at) if vote.closed_at else vote.closes_at
    from_area = Q(dwelling_id__in=area) | Q(dwelling__isnull=True, owner_id__in=area_owners)
    return (
        Objection.objects.filter(project_id=vote.project_id, lodged_at__gte=vote.opens_at, lodged_at__lte=until)
        .unresolved()
        .filter(from_area)
        .exclude(owner_id__in=roll_owners)
        .exclude(dwelling_id__in=roll_dwellings)
    )


def vote_counts(vote: Vote, *, spec: RoundSpec | None = None) -> Counts:
    """The vote's counts: frozen on the row once closed, else one aggregate query over its ballots."""
    needs_objections = spec.no_objection_from_others if spec is not None else False
    if vote.status == VoteStatus.CLOSED and vote.owners_participating is not None:
        stored = vote.result.get("objections_from_others") if vote.result else None
        return Counts(
            owners_total=vote.owners_total,
            owners_participating=vote.owners_participating,
            owners_agreeing=vote.owners_agreeing or 0,
            area_total=centi_to_area(vote.area_total_centi),
            area_participating=centi_to_area(vote.area_participating_centi),
            area_agreeing=centi_to_area(vote.area_agreeing_centi),
            objections_from_others=stored if needs_objections else None,
        )
    # One statement: the vote's row left-joined to its ballots (so a vote without ballots still gives a row, and a
    # count of 0), conditional aggregates over them, and the objection count as an uncorrelated scalar subquery
    # (computed once). One ballot per owner on the roll, whatever he holds (unique constraint), carrying the area
    # of all his dwellings frozen with the roll: a count of ballots is a count of heads.
    agreeing = Q(ballots__choice=Choice.AGREE)
    figures = {
        "participating": Count("ballots"),
        "participating_area": Coalesce(Sum("ballots__area_centi"), 0),
        "agreeing": Count("ballots", filter=agreeing),
        "agreeing_area": Coalesce(Sum("ballots__area_centi", filter=agreeing), 0),
    }
    if needs_objections:
        objections = _objections_from_others(vote, spec).order_by().annotate(n=Func(F("pk"), function="COUNT"))
        figures["objections"] = Max(Subquery(objections.values("n")))
    totals = Vote.objects.filter(pk=vote.pk).aggregate(**figures)
    return Counts(
        owners_total=vote.owners_total,
        owners_participating=totals["participating"],
        owners_agreeing=totals["agreeing"],
        area_total=centi_to_area(vote.area_total_centi),
        area_participating=centi_to_area(totals["participating_area"]),
        area_agreeing=centi_to_area(totals["agreeing_area"]),
        objections_from_others=totals["objections"] if needs_objections else None,
    )


def _recorded(vote: Vote) -> bool:
    """Whether the vote's verdict was recorded when it closed (and is read from the row, never decided again)."""
    return vote.status == VoteStatus.CLOSED and bool(vote.result) and vote.passed is not None


def _stored_spec(vote: Vote) -> RoundSpec | None:
    """The round a closed vote was decided under, as stored with its result (results stored before that lack it)."""
    stored = vote.result.get("spec") if vote.result else None
    return RoundSpec.from_json(stored) if stored else None


def vote_verdict(vote: Vote, *, memo=None) -> Verdict:
    """The result: live while the vote is open; once it is closed, exactly as recorded when it closed (the rule
    round, counts, each test's outcome and what was still needed are stored then), never decided again. `memo`:
    the page's project, on which the rule round is read once (`round_specs`)."""
    if _recorded(vote):
        spec = _stored_spec(vote) or round_spec(vote, memo=memo)
        return stored_verdict(vote.result, vote_counts(vote, spec=spec), spec, vote.passed)
    # The live result is read once on the page (its vote-stage guard and consent panel both show it).
    return read_once(memo, (LIVE_VERDICT, vote.pk), lambda: _live_verdict(vote, memo=memo))


LIVE_VERDICT = "consent.live_verdict"  # the memo's key: (LIVE_VERDICT, vote id)


def _live_verdict(vote: Vote, *, memo=None) -> Verdict:
    spec = round_spec(vote, memo=memo)
    return evaluate(vote_counts(vote, spec=spec), spec)


def closed_verdicts(vote_ids, *, memo=None) -> dict[int, Verdict]:
    """The verdicts of many closed votes as recorded when they closed (a timeline's entries), by vote id: one query
    for the votes, worded from their stored results and frozen counts — no ballot is counted again. A result
    stored before the rule round was stored with it (older votes, the demo's) lacks the tests' measures and
    thresholds: those rounds are read once for all the votes (`round_specs`, two queries, none if the page read
    them already). A vote that is not closed is left out."""
    wanted = {pk for pk in vote_ids if isinstance(pk, int)}
    # On the project page its votes are read once for the timeline, the consent panel and the guard (`_page_votes`).
    known = {vote.pk: vote for vote in _page_votes(memo)} if _is_page(memo) else {}
    votes = [known[pk] for pk in wanted if pk in known and known[pk].status == VoteStatus.CLOSED]
    missing = [pk for pk in wanted if pk not in known]
    if missing:
        votes += Vote.objects.filter(pk__in=missing, status=VoteStatus.CLOSED).defer("plan")
    stored = {vote.pk: _stored_spec(vote) if _recorded(vote) else None for vote in votes}
    unstored = {(v.rule_set_id, v.round_number) for v in votes if stored[v.pk] is None and not v.rule_spec}
    specs = round_specs(unstored, memo=memo) if unstored else {}
    verdicts = {}
    for vote in votes:
        if not _recorded(vote):  # closed without a result (not written by the services): as vote_verdict reads it
            verdicts[vote.pk] = vote_verdict(vote, memo=memo)
            continue
        spec = stored[vote.pk] or (
            RoundSpec.from_json(vote.rule_spec) if vote.rule_spec else specs.get((vote.rule_set_id, vote.round_number))
        )
        if spec is None:
            continue
        verdicts[vote.pk] = stored_verdict(vote.result, vote_counts(vote, spec=spec), spec, vote.passed)
    return verdicts


def choice_breakdown(vote: Vote) -> dict[str, int]:
    """The vote's ballots counted by choice, and the heads on the roll who cast none (`absent`)."""
    counts = dict(_CHOICE_BREAKDOWN.fetch_rows(vote.pk))
    return {choice: counts.get(choice, 0) for choice in Choice.values} | {
        "absent": vote.owners_total - sum(counts.values())
    }


# Compiled once per process (`core.prepared`): the project page and the lead owner's portal read it on every view.
# No ordering: the ballots' default one (vote, voter) would join the votes and the roll for nothing.
_CHOICE_BREAKDOWN = PreparedQuery(
    Ballot,
    lambda vote_pk: Ballot.objects.filter(vote_id=vote_pk).order_by().values_list("choice").annotate(n=Count("id")),
    kinds=(int,),
    server_prepared=True,
)


def round_decision(project, rule_set, rule_round) -> Vote | None:
    """The closed vote that decides this round for this project (`_deciding_vote`)."""
    return _deciding_vote(_page_votes(project), project, rule_set.pk, rule_round)


def _deciding_vote(votes, project, rule_set_id: int, rule_round) -> Vote | None:
    """Among the project's votes and its estate's closed estate-wide ones (`_page_votes`), the closed vote that
    decides `rule_round` of the rule set for the project: the latest closed. An estate-wide round is decided for
    every project of the estate (连片), any other by the project's own votes. The one rule for the vote-opening
    service and the project page's consent panel and stage guard."""

    def decides(vote: Vote) -> bool:
        if vote.rule_set_id != rule_set_id or vote.round_number != rule_round.number:
            return False
        if vote.status != VoteStatus.CLOSED:
            return False
        if rule_round.scope == Scope.ESTATE:
            return vote.scope == Scope.ESTATE and vote.estate_id == project.estate_id
        return vote.project_id == project.pk

    # A closed vote always has its closing time (a constraint); the later opened breaks a tie.
    return max(filter(decides, votes), key=lambda vote: (vote.closed_at, vote.pk), default=None)


def project_votes(project):
    return Vote.objects.filter(project=project).select_related("rule_set").order_by("-id")


def current_vote(project) -> Vote | None:
    """The vote that says where the project stands: the open one, else the latest that was not cancelled."""
    votes = project_votes(project).exclude(status=VoteStatus.CANCELLED)
    return votes.order_by(Case(When(status=VoteStatus.OPEN, then=0), default=1), "-id").first()  # one query


def consent_rounds(project) -> tuple[Vote | None, list[dict]]:
    """Each round of the rule set of the project's current vote, with the vote deciding it (or the open one).
    Read once on the project page: its stage guard and the consent panel both ask (`core.read_once`)."""
    return read_once(project, "consent_rounds", lambda: _consent_rounds(project))


def _consent_rounds(project) -> tuple[Vote | None, list[dict]]:
    """As `current_vote`, `round_decision` and the open vote of each round would read them, from one read of the
    project's votes (`_page_votes`) and its rule set's rounds (`rule_rounds`)."""
    votes = _page_votes(project)
    own = [v for v in votes if v.project_id == project.pk and v.status != VoteStatus.CANCELLED]
    if not own:
        return None, []
    vote = min(own, key=lambda v: (v.status != VoteStatus.OPEN, -v.pk))  # the open one, else the latest
    rounds = []
    for rule_round in rule_rounds([vote.rule_set_id], memo=project)[vote.rule_set_id]:
        opened = [
            v
            for v in votes
            if (v.project_id, v.rule_set_id, v.round_number, v.status)
            == (project.pk, vote.rule_set_id, rule_round.number, VoteStatus.OPEN)
        ]
        decision = _deciding_vote(votes, project, vote.rule_set_id, rule_round)
        rounds.append(
            {"round": rule_round, "decision": decision, "open": min(opened, key=attrgetter("pk"), default=None)}
        )
    return vote, rounds


PAGE_VOTES = "consent.page_votes"


def _page_votes(project) -> list[Vote]:
    """The project's votes and its estate's closed estate-wide votes (which decide a round for each of its projects),
    newest first, with their rule sets, in one query; read once on the project page (`core.read_once`): its
    timeline's closed votes, its consent panel and its vote-stage guard share them."""
    return read_once(project, PAGE_VOTES, lambda: _PAGE_VOTES.fetch(project.pk, project.estate_id))


# Compiled once per process (`core.prepared`): it differs only by the project's and its estate's keys, and building
# it cost the page more than running it (issue 18).
_PAGE_VOTES = PreparedQuery(
    Vote,
    lambda project_pk, estate_pk: (
        Vote.objects.filter(
            Q(project_id=project_pk) | Q(scope=Scope.ESTATE, estate_id=estate_pk, status=VoteStatus.CLOSED)
        )
        .select_related("rule_set")
        .defer("plan")
        .order_by("-id")
    ),
    kinds=(int, int),
    server_prepared=True,
)


def _is_page(memo) -> bool:
    """Whether `memo` is a project page's project, enabled for `core.read_once` (its votes are then read anyway)."""
    return isinstance(memo, Project) and page_memo.enabled(memo)


def has_passed_vote(project) -> bool:
    _vote, rounds = consent_rounds(project)
    return rounds_passed(rounds)


def rounds_passed(rounds: list[dict]) -> bool:
    """Whether every round of `consent_rounds` is decided by a passed vote."""
    return bool(rounds) and all(r["decision"] is not None and r["decision"].passed for r in rounds)


def current_notice(project) -> PublicNotice | None:
    return _current_notices(project).first()


def _current_notices(project) -> QuerySet[PublicNotice]:
    """The posted notice, latest first (`project` may be an `OuterRef`: `panel_reads`)."""
    return PublicNotice.objects.filter(project=project, status=NoticeStatus.POSTED).order_by("-id")


def panel_reads(project) -> tuple[PublicNotice | None, CostScheme | None, dict[str, int]]:
    """What the consent panel shows besides the votes: `current_notice`, `current_scheme` and the project's
    objections counted by status — their ids and counts in one query, then the notice and the scheme only if
    there are any (before the vote, usually neither: one query instead of three). That query, five subqueries,
    is compiled once per process (`core.prepared`): building it cost the page more than running it (issue 18)."""
    (row,) = _PANEL_READS.fetch(project.pk) or (None,)
    counts = {status: getattr(row, f"objections_{status}", 0) or 0 for status in ObjectionStatus.values}
    notice_pk, scheme_pk = getattr(row, "notice", None), getattr(row, "scheme", None)
    return _one(_NOTICE, notice_pk), _one(_SCHEME, scheme_pk), counts


def _one(query: PreparedQuery, pk: int | None):
    """The row `query` finds by key, or None (no key, or no row)."""
    found = query.fetch(pk) if pk else []
    return found[0] if found else None


def _panel_reads_query(pk):
    """`panel_reads`'s query for the project whose key is `pk`."""

    def objections(status: str):
        counted = Objection.objects.filter(project=OuterRef("pk"), status=status).order_by().values("project")
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0)

    notice, scheme = _current_notices(OuterRef("pk")), _current_schemes(OuterRef("pk"))
    return (
        Project.objects.filter(pk=pk)
        .only("pk")
        .annotate(
            notice=Subquery(notice.values("pk")[:1]),
            scheme=Subquery(scheme.values("pk")[:1]),
            **{f"objections_{status}": objections(status) for status in ObjectionStatus.values},
        )
    )


_PANEL_READS = PreparedQuery(Project, _panel_reads_query, kinds=(int,), server_prepared=True)
# The notice and the scheme it found, by key: compiled once per process as well.
_NOTICE = PreparedQuery(
    PublicNotice, lambda pk: PublicNotice.objects.filter(pk=pk).order_by(), kinds=(int,), server_prepared=True
)
_SCHEME = PreparedQuery(
    CostScheme, lambda pk: CostScheme.objects.filter(pk=pk).order_by(), kinds=(int,), server_prepared=True
)


def project_objections(project):
    return Objection.objects.filter(project=project).select_related("notice", "owner").order_by("status", "-lodged_at")


def current_scheme(project) -> CostScheme | None:
    return _current_schemes(project).first()


def _current_schemes(project) -> QuerySet[CostScheme]:
    """The current cost scheme (`project` may be an `OuterRef`: `panel_reads`)."""
    return CostScheme.objects.filter(project=project, is_current=True).order_by("-version")


def subsidy_for(project) -> tuple[Decimal, str]:
    """The subsidy to deduct, from the subsidies app through the "costs" hook: the approved amount if there
    is one, else the estimated one, else none."""
    # Looked up at call time so tests can stand in for the subsidies app (monkeypatching hooks.collect).
    from jiati.core.hooks import collect

    offers = collect("costs", "subsidy_for_project", project=project)
    for status in ("approved", "estimated"):
        for offer in offers:
            if offer.get("status") == status and offer.get("amount") is not None:
                return Decimal(offer["amount"]), status
    return Decimal(0), ""


def subsidy_change(scheme: CostScheme, *, project=None) -> dict | None:
    """When the subsidies app has an approved amount that differs from what this scheme deducted: the new amount
    and its status (the scheme keeps its own subsidy forever; a recalculation is a new version). None otherwise.
    Only the approved amount is asked for (no estimate is worked out to be dropped); `project` is the scheme's
    project when the caller has it."""
    from jiati.core.hooks import collect

    offers = collect("costs", "approved_subsidy_for_project", project=project or scheme.project)
    amount = next((offer["amount"] for offer in offers if offer.get("amount") is not None), None)
    if amount is None:
        return None
    amount = Decimal(amount).quantize(FEN)
    if amount == scheme.subsidy:
        return None
    return {"amount": amount, "status": SubsidyStatus.APPROVED, "difference": amount - scheme.subsidy}


def voter_share(vote: Vote, voter: RollVoter) -> Decimal | None:
    """What this owner pays under the scheme shown with the vote (all his dwellings), or None without one."""
    if not vote.cost_scheme_id:
        return None
    dwellings = voter.dwellings.values("dwelling_id")
    totals = CostShare.objects.filter(scheme_id=vote.cost_scheme_id, dwelling_id__in=dwellings).aggregate(
        share=Coalesce(Sum("share"), Decimal(0)), compensation=Coalesce(Sum("compensation"), Decimal(0))
    )
    return (totals["share"] - totals["compensation"]).quantize(FEN)


def open_votes_for_owner(owner):
    """Open votes whose roll has this owner on it, with his ballot if he has voted."""
    voters = list(
        RollVoter.objects.filter(owner=owner, vote__status=VoteStatus.OPEN)
        .select_related("vote__project__estate", "vote__project__stairwell__building")
        .order_by("vote__closes_at")
    )
    ballots = {
        b.voter_id: b for b in Ballot.objects.filter(voter__in=[v.pk for v in voters]).only("voter_id", "choice")
    }
    return [{"voter": v, "vote": v.vote, "ballot": ballots.get(v.pk)} for v in voters]


def entry_for_receipt(digest: str):

    return BallotEntry.objects.select_related("vote__project", "vote__rule_set").filter(receipt_digest=digest).first()


def lead_owner_results(owner) -> list[dict]:
    """For the lead owner of active projects: each project's current vote with its live (or recorded) result and
    what is still needed — counts and fractions only, never who voted what."""

    if owner is None:
        return []
    projects = Project.objects.filter(lead_owner_id=owner.pk, status=Status.ACTIVE).select_related(
        "estate", "stairwell__building"
    )
    results = []
    for project in projects.order_by("id")[:5]:
        vote = current_vote(project)
        if vote is None:
            continue
        results.append(
            {"project": project, "vote": vote, "verdict": vote_verdict(vote), "breakdown": choice_breakdown(vote)}
        )
    return results


def staged_ballot_stack(*, vote, user, token: str):
    """The files a preview kept for `user` on `vote` under `token`, while they are kept; else None."""
    if not token:
        return None
    return StagedBallotStack.objects.filter(
        token=token, vote=vote, created_by=user, expires_at__gt=timezone.now()
    ).first()


# --- a closed vote's figures in a timeline entry, worded when read (core.stored_text.Worked) ---------------------


def _closed_verdicts(args_list: list[dict], *, memo=None) -> list[Verdict | None]:
    """The batch loader of the two renderers below: the closed votes of a whole timeline read at once."""
    verdicts = closed_verdicts([args.get("vote") for args in args_list], memo=memo)
    return [verdicts.get(args.get("vote")) for args in args_list]


@renderer("consent.vote_tests", batch=_closed_verdicts)
def closed_vote_tests_text(verdict: Verdict | None, **_args) -> str:
    """Each test of a closed vote as the vote's page shows it: "Agreeing area / participating area 75.2% ≥ 75%"."""
    if verdict is None:
        return ""
    parts = []
    for outcome in verdict.tests:
        reached, required = format_compared_shares(outcome.ratio, outcome.spec.threshold)
        parts.append(f"{outcome.label()} {reached} ≥ {required}")
    return _("; ").join(parts)


@renderer("consent.vote_needed", batch=_closed_verdicts)
def closed_vote_needed_text(verdict: Verdict | None, **_args) -> str:
    """What a vote that did not pass still needed when it closed, in the reader's language."""
    return verdict.needed.text() if verdict is not None and verdict.needed is not None else ""
