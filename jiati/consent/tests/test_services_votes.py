"""Votes: opening freezes the roll, ballots (paper, proxy, online, changes of mind), the live result, closing,
receipts and the hash chain, the stage guard, and each rule set. Nothing changes on a refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.consent import chain, selectors, services
from jiati.consent.models import Ballot, BallotEntry, RollDwelling, RollVoter, Vote, VoteStatus
from jiati.consent.services.votes import _identity_token
from jiati.consent.tests.conftest import cast_online, cast_paper, in_stage, open_vote, scan, voters
from jiati.core.append_only import AppendOnlyError
from jiati.core.tests.factories import DwellingFactory, OwnerFactory, StairwellFactory
from jiati.housing.models import Dwelling, OwnerKind, Ownership
from jiati.projects import services as project_services
from jiati.projects.models import EventKind, Project, Stage


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def move_vote_deadline_to_past(vote):
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=8), closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return vote


# --- opening and the frozen roll ------------------------------------------------------------


def test_opening_freezes_the_roll(vote, world):
    assert vote.status == VoteStatus.OPEN
    assert (vote.owners_total, vote.dwellings_total, vote.area_total) == (12, 12, Decimal("960.00"))
    assert RollDwelling.objects.filter(vote=vote).count() == 12
    assert len(vote.roll_hash) == 64 and vote.chain_head == chain.genesis(vote.pk, vote.roll_hash)
    assert vote.rule_set.code == "civil-code-278"
    event = vote.project.events.filter(kind=EventKind.OTHER).first()
    assert event.data["consent"] == "vote_opened"
    assert AuditEntry.objects.filter(object_id=str(vote.pk), action="create").exists()
    # Later changes to the registry do not touch the frozen roll.
    Dwelling.objects.filter(stairwell=world.stairwells["a1a"]).update(exclusive_area=Decimal("99.99"))
    vote.refresh_from_db()
    assert vote.area_total == Decimal("960.00")
    assert selectors.vote_counts(vote).area_total == Decimal("960.00")


def test_roll_counts_one_head_per_owner_developer_stock_once_and_unowned_dwellings(project, world):
    dwellings = list(Dwelling.objects.filter(stairwell=world.stairwells["a1a"]).order_by("floor", "room"))
    zhang = Ownership.objects.get(dwelling=dwellings[0]).owner
    Ownership.objects.filter(dwelling=dwellings[1]).update(owner=zhang)  # 张 holds 101 and 102
    developer = OwnerFactory(kind=OwnerKind.DEVELOPER, name="开发商", id_number="91440300MA5000001X")
    Ownership.objects.filter(dwelling__in=dwellings[2:5]).update(owner=developer)  # three unsold
    Ownership.objects.filter(dwelling=dwellings[5]).delete()  # no owner on record
    Dwelling.objects.filter(pk=dwellings[0].pk).update(exclusive_area=Decimal("75.55"), area_source="survey")
    vote = open_vote(project, world.users["community"])
    roll = {v.owner_id: v for v in RollVoter.objects.filter(vote=vote)}
    assert vote.owners_total == 12 - 1 - 2  # 张 once, the developer once; the unowned dwelling is its own head
    assert roll[zhang.pk].dwellings_count == 2 and roll[zhang.pk].area == Decimal("155.55")
    assert roll[developer.pk].dwellings_count == 3 and roll[developer.pk].is_developer
    assert roll[None].dwellings_count == 1
    assert RollDwelling.objects.get(vote=vote, dwelling=dwellings[0]).area_source == "survey"
    assert vote.area_total == Decimal("955.55")


@pytest.mark.parametrize("role", ["property", "finance", "contractor", "resident", "other_community"])
def test_only_organisers_of_the_area_open_votes(project, world, role):
    with pytest.raises(PermissionDenied):
        open_vote(project, world.users[role])
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"closes_at": -1}, "closes_in_past"),
        ({"plan": "  "}, "required"),
        ({"scope": "estate"}, "scope_not_allowed"),
        ({"round_number": 2}, "no_such_round"),
    ],
)
def test_opening_refusals_change_nothing(project, world, kwargs, code):
    values = {
        "project": project,
        "actor": world.users["community"],
        "closes_at": timezone.now() + dt.timedelta(days=7),
        "plan": "方案",
    }
    if kwargs.get("closes_at") == -1:
        kwargs = {"closes_at": timezone.now() - dt.timedelta(minutes=1)}
    with pytest.raises(ValidationError) as exc:
        services.vote_open(**values | kwargs)
    assert code in codes(exc.value)
    assert not Vote.objects.exists() and not RollVoter.objects.exists()


def test_one_open_vote_per_project(vote, world):
    with pytest.raises(ValidationError) as exc:
        open_vote(vote.project, world.users["community"])
    assert "vote_already_open" in codes(exc.value)
    assert Vote.objects.count() == 1


# --- casting ------------------------------------------------------------------------


def test_paper_ballot_needs_the_signed_form(vote, world):
    voter = voters(vote)[0]
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(vote=vote, voter=voter, choice="agree", channel="paper", actor=world.users["community"])
    assert "signed_form_required" in codes(exc.value)
    assert not Ballot.objects.exists() and not BallotEntry.objects.exists()
    cast = cast_paper(vote, voter, "agree", world.users["property"])  # also at the property office's window
    assert cast.entry.signed_form_sha256 and cast.entry.recorded_by == world.users["property"]


def test_a_proxy_votes_only_with_an_uploaded_authorisation(vote, world):
    voter = voters(vote)[0]
    with pytest.raises(ValidationError) as exc:
        cast_paper(vote, voter, "agree", world.users["community"], proxy_name="王某（儿子）")
    assert "authorisation_required" in codes(exc.value)
    assert not Ballot.objects.exists()
    cast = cast_paper(
        vote, voter, "agree", world.users["community"], proxy_name="王某（儿子）", authorisation=scan("auth.pdf")
    )
    assert cast.entry.channel == "proxy" and cast.entry.authorisation_sha256


def test_online_ballot_needs_the_identity_from_the_code(vote, world):
    voter, other = voters(vote)[:2]
    for identity in ("", "forged", _identity_token(vote=vote, phone=other.phone)):
        with pytest.raises(ValidationError) as exc:
            services.ballot_cast(vote=vote, voter=voter, choice="agree", channel="online", identity=identity)
        assert "not_identified" in codes(exc.value)
    with pytest.raises(PermissionDenied):  # staff record paper ballots; online is the owner's own
        services.ballot_cast(
            vote=vote,
            voter=voter,
            choice="agree",
            channel="online",
            actor=world.users["community"],
            identity=_identity_token(vote=vote, phone=voter.phone),
        )
    assert not Ballot.objects.exists()
    assert cast_online(vote, voter, "agree").entry.recorded_by is None


@pytest.mark.parametrize("role", ["finance", "contractor", "resident", "other_community", "other_district"])
def test_paper_ballots_only_by_window_staff_of_the_area(vote, world, role):
    with pytest.raises(PermissionDenied):
        cast_paper(vote, voters(vote)[0], "agree", world.users[role])
    assert not Ballot.objects.exists()


def test_second_ballot_must_say_it_is_a_change_and_the_last_counts(vote, world):
    voter = voters(vote)[0]
    first = cast_online(vote, voter, "disagree")
    with pytest.raises(ValidationError) as exc:
        cast_online(vote, voter, "agree")
    assert "already_voted" in codes(exc.value)
    second = cast_online(vote, voter, "agree", change=True)
    assert second.changed
    ballot = Ballot.objects.get(vote=vote, voter=voter)
    assert (ballot.choice, ballot.revision, ballot.latest_entry_id) == ("agree", 2, second.entry.pk)
    assert list(voter.entries.order_by("sequence").values_list("choice", flat=True)) == ["disagree", "agree"]
    assert first.entry.sequence == 1 and second.entry.sequence == 2
    counts = selectors.vote_counts(vote)
    assert (counts.owners_participating, counts.owners_agreeing) == (1, 1)


def test_invalid_choice_and_stranger_voter_are_refused(vote, world, project):
    with pytest.raises(ValidationError):
        cast_online(vote, voters(vote)[0], "yes")
    services.vote_cancel(vote=vote, actor=world.users["community"], reason="名册有误")
    second = open_vote(project, world.users["community"])
    with pytest.raises(ValidationError) as exc:
        cast_online(second, voters(vote)[0], "agree")  # a voter of the other vote's roll
    assert codes(exc.value) & {"not_on_roll", "not_identified", "vote_closed"}
    assert not Ballot.objects.filter(vote=second).exists()


def test_ballot_after_the_deadline_or_after_closing_is_refused(vote, world):
    voter = voters(vote)[0]
    move_vote_deadline_to_past(vote)
    with pytest.raises(ValidationError) as exc:
        cast_online(vote, voter, "agree")
    assert "vote_closed" in codes(exc.value)
    services.vote_close(vote=vote, actor=world.users["community"])
    with pytest.raises(ValidationError):
        cast_paper(vote, voter, "agree", world.users["community"])
    assert not Ballot.objects.exists()


# --- the live result, closing --------------------------------------------------------


def test_live_result_is_aggregated_by_the_database(vote, django_assert_max_num_queries):
    roll = voters(vote)
    for voter, choice in zip(roll[:9], ["agree"] * 7 + ["disagree", "abstain"], strict=True):
        cast_online(vote, voter, choice)
    with django_assert_max_num_queries(4):
        verdict = selectors.vote_verdict(vote)
    c = verdict.counts
    assert (c.owners_total, c.owners_participating, c.owners_agreeing) == (12, 9, 7)
    assert (c.area_participating, c.area_agreeing) == (Decimal("720.00"), Decimal("560.00"))
    assert [t.ratio_text for t in verdict.tests] == ["3/4", "3/4", "7/9", "7/9"]
    assert verdict.passed  # the abstainer took part: 7 of 9 participants agree


def test_close_before_the_deadline_only_when_everyone_voted(vote, world):
    roll = voters(vote)
    for voter in roll[:11]:
        cast_online(vote, voter, "agree")
    with pytest.raises(ValidationError) as exc:
        services.vote_close(vote=vote, actor=world.users["community"])
    assert "vote_still_running" in codes(exc.value)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.OPEN
    cast_online(vote, roll[11], "disagree")
    closed = services.vote_close(vote=vote, actor=world.users["community"])
    assert closed.status == VoteStatus.CLOSED and closed.passed is True
    assert closed.result["rule_set"] == "civil-code-278@1"
    assert closed.result["chain_head"] == closed.chain_head
    assert closed.result["tests"][3] == {
        "name": "agreeing_owners",
        "ratio": "11/12",
        "threshold": "3/4",
        "passed": True,
    }


def test_closing_records_a_failed_result_with_what_was_missing(vote, world):
    for voter in voters(vote)[:6]:
        cast_online(vote, voter, "agree")
    move_vote_deadline_to_past(vote)
    closed = services.vote_close(vote=vote, actor=world.users["community"])
    assert closed.passed is False
    assert closed.result["still_needed"]["owners_more"] == 2  # 8/12 would have been 2/3
    event = closed.project.events.filter(data__consent="vote_closed").get()
    assert "still needed" in event.message


def test_nothing_about_a_closed_vote_changes(vote, world):
    voter = voters(vote)[0]
    cast_online(vote, voter, "agree")
    move_vote_deadline_to_past(vote)
    services.vote_close(vote=vote, actor=world.users["community"])
    before = (Ballot.objects.count(), BallotEntry.objects.count())
    for attempt in (
        lambda: services.vote_close(vote=vote, actor=world.users["community"]),
        lambda: services.vote_cancel(vote=vote, actor=world.users["community"], reason="改"),
        lambda: cast_online(vote, voter, "disagree", change=True),
    ):
        with pytest.raises(ValidationError):
            attempt()
    vote.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED and vote.passed is False
    assert (Ballot.objects.count(), BallotEntry.objects.count()) == before


@pytest.mark.parametrize("role", ["property", "finance", "resident", "other_community"])
def test_only_organisers_close_or_cancel(vote, world, role):
    move_vote_deadline_to_past(vote)
    with pytest.raises(PermissionDenied):
        services.vote_close(vote=vote, actor=world.users[role])
    with pytest.raises(PermissionDenied):
        services.vote_cancel(vote=vote, actor=world.users[role], reason="x")
    vote.refresh_from_db()
    assert vote.status == VoteStatus.OPEN


# --- receipts and the chain -------------------------------------------------------------


def test_receipts_find_their_ballot_and_the_chain_verifies(vote, world):
    roll = voters(vote)
    first = cast_online(vote, roll[0], "agree")
    cast_paper(vote, roll[1], "disagree", world.users["community"])
    changed = cast_online(vote, roll[0], "abstain", change=True)
    vote.refresh_from_db()
    check = chain.verify_chain(vote)
    assert check.ok and check.length == 3 and check.head == vote.chain_head
    found = selectors.entry_for_receipt(chain.receipt_digest(first.receipt.lower().replace("-", " ")))
    assert found.pk == first.entry.pk
    assert Ballot.objects.get(voter=roll[0]).latest_entry_id == changed.entry.pk  # the first receipt is superseded
    assert not BallotEntry.objects.filter(receipt_digest=first.receipt).exists()  # only the hash is stored


def test_tampering_with_a_ballot_breaks_the_chain(vote, world):
    roll = voters(vote)
    for voter in roll[:3]:
        cast_online(vote, voter, "agree")
    with pytest.raises(AppendOnlyError):  # the application refuses; a tamperer goes round it, below the ORM
        BallotEntry.objects.filter(vote=vote, sequence=2).update(choice="disagree")
    BallotEntry._base_manager.filter(vote=vote, sequence=2).update(choice="disagree")
    vote.refresh_from_db()
    check = chain.verify_chain(vote)
    assert not check.ok and check.broken_at == 2


def test_the_chain_binds_the_roll(vote):
    cast_online(vote, voters(vote)[0], "agree")
    RollVoter.objects.filter(vote=vote).update(area_centi=10)
    Vote.objects.filter(pk=vote.pk).update(roll_hash="0" * 64)
    vote.refresh_from_db()
    assert not chain.verify_chain(vote).ok


# --- the stage guard ------------------------------------------------------------------------


def test_leaving_the_vote_stage_needs_a_closed_passed_vote(project, world):
    community = world.users["community"]
    assert "No owners' vote has been held." in project_services.project_move_check(project=project, actor=community)
    vote = open_vote(project, community)
    for voter in voters(vote)[:7]:
        cast_online(vote, voter, "agree")
    missing = " ".join(project_services.project_move_check(project=project, actor=community))
    assert "is open until" in missing and "1 more owner" in missing and "80.00 m² more" in missing
    cast_online(vote, voters(vote)[7], "agree")
    assert "close it to record the result" in " ".join(
        project_services.project_move_check(project=project, actor=community)
    )
    move_vote_deadline_to_past(vote)
    services.vote_close(vote=vote, actor=community)
    assert project_services.project_move_check(project=project, actor=community) == []
    moved = project_services.project_advance(project=project, actor=community)
    assert moved.stage == Stage.PUBLIC_NOTICE


def test_a_failed_vote_keeps_the_project_in_the_vote_stage(project, world):
    community = world.users["community"]
    vote = open_vote(project, community)
    for voter in voters(vote)[:5]:
        cast_online(vote, voter, "agree")
    move_vote_deadline_to_past(vote)
    services.vote_close(vote=vote, actor=community)
    with pytest.raises(ValidationError) as exc:
        project_services.project_advance(project=project, actor=community)
    assert "without passing" in str(exc.value) and "3 more owners" in str(exc.value)
    assert Project.objects.get(pk=project.pk).stage == Stage.VOTE


# --- rule sets --------------------------------------------------------------------------------


def test_shenzhen_rule_votes_with_the_whole_building(project, world, rules):
    stairwell = world.stairwells["a1a"]
    second = StairwellFactory(building=stairwell.building, number="2单元", storeys=6)
    for room in ("101", "102"):
        dwelling = DwellingFactory(
            stairwell=second, room=room, area_register=Decimal("60"), exclusive_area=Decimal("60")
        )
        Ownership.objects.create(owner=OwnerFactory(), dwelling=dwelling)
    with pytest.raises(ValidationError):
        open_vote(project, world.users["community"], rule_set=rules["shenzhen-2018"], scope="stairwell")
    vote = open_vote(project, world.users["community"], rule_set=rules["shenzhen-2018"])
    assert vote.scope == "building" and vote.owners_total == 14 and vote.area_total == Decimal("1080.00")
    assert vote.stairwell_id is None and vote.building_id == stairwell.building_id


def test_beijing_rule_fails_on_an_open_objection_from_another_owner(project, world, rules):
    community = world.users["community"]
    vote = open_vote(project, community, rule_set=rules["beijing-stairwell"])
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    # A neighbour in the same building, not on the stairwell's roll (the rule's wider area is the building).
    next_door = StairwellFactory(building=world.stairwells["a1a"].building, number="2单元", storeys=6)
    neighbour = OwnerFactory()
    Ownership.objects.create(owner=neighbour, dwelling=DwellingFactory(stairwell=next_door, room="101"))
    objection = services.objection_lodge(
        project=project, actor=community, channel="window", owner=neighbour, content="挡光"
    )
    verdict = selectors.vote_verdict(vote)
    assert all(t.passed for t in verdict.tests) and not verdict.passed
    closed = services.vote_close(vote=vote, actor=community)
    assert closed.passed is False and closed.result["objections_from_others"] == 1
    # Settling it does not change the recorded result; a new vote is needed.
    services.objection_answer(objection=objection, actor=community, text="已协商")
    services.objection_close(objection=objection, actor=community, outcome="negotiated")
    closed.refresh_from_db()
    assert closed.passed is False and selectors.vote_verdict(closed).passed is False


def test_shanghai_two_rounds_estate_then_building(project, world, rules):
    community = world.users["community"]
    shanghai = rules["shanghai-two-rounds"]
    with pytest.raises(ValidationError) as exc:
        open_vote(project, community, rule_set=shanghai, round_number=2)
    assert "earlier_round_not_passed" in codes(exc.value)
    first = open_vote(project, community, rule_set=shanghai, round_number=1)
    assert first.scope == "estate" and first.owners_total == 12  # this estate has one stairwell
    for voter in voters(first):
        cast_online(first, voter, "agree")
    services.vote_close(vote=first, actor=community)
    missing = " ".join(project_services.project_move_check(project=project, actor=community))
    assert "round 2" in missing
    second = open_vote(project, community, rule_set=shanghai, round_number=2)
    assert second.scope == "building"
    for voter in voters(second):
        cast_online(second, voter, "agree")
    services.vote_close(vote=second, actor=community)
    assert project_services.project_move_check(project=project, actor=community) == []


def test_an_estate_round_decides_for_every_project_of_the_estate(project, world, rules):
    community = world.users["community"]
    shanghai = rules["shanghai-two-rounds"]
    first = open_vote(project, community, rule_set=shanghai)
    for voter in voters(first):
        cast_online(first, voter, "agree")
    services.vote_close(vote=first, actor=community)
    other_stairwell = StairwellFactory(building=world.stairwells["a1a"].building, number="3单元", storeys=6)
    dwelling = DwellingFactory(stairwell=other_stairwell, room="101")
    Ownership.objects.create(owner=OwnerFactory(), dwelling=dwelling)
    neighbour = in_stage(project_services.project_open(actor=community, stairwell=other_stairwell), Stage.VOTE)
    second = open_vote(neighbour, community, rule_set=shanghai, round_number=2)  # round 1 already passed
    assert second.round_number == 2


# --- uploads of a refused ballot ---------------------------------------------------------------


def stored_files() -> set[str]:
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT) / "consent"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_ballot_refused_after_its_files_were_written_leaves_no_file(vote, world, monkeypatch):
    from django.db import IntegrityError

    community = world.users["community"]
    voter = voters(vote)[0]
    before = stored_files()

    def clash(**kwargs):  # the same owner recorded at the same instant by another window
        raise IntegrityError("ballot_one_per_owner_per_vote")

    monkeypatch.setattr(Ballot.objects, "create", clash)
    with pytest.raises(ValidationError) as exc:
        cast_paper(vote, voter, "agree", community, proxy_name="代理人", authorisation=scan("auth.pdf"))
    assert "already_voted" in codes(exc.value)
    assert stored_files() == before and not BallotEntry.objects.exists()
    monkeypatch.undo()

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("jiati.consent.services.votes.audit_record", broken)
    with pytest.raises(RuntimeError):
        cast_paper(vote, voter, "agree", community)
    assert stored_files() == before and not Ballot.objects.exists()
    monkeypatch.undo()
    cast = cast_paper(vote, voter, "agree", community)
    assert stored_files() == before | {cast.entry.signed_form.path}


def test_the_closing_entry_reads_each_test_and_the_need_in_the_readers_language(vote, world):
    """The entry once stored "agreeing_owners 8/12 ≥ 3/4" (a code and raw fractions) and the need in the closer's
    language; now its figures are worded when read, from the result frozen on the vote."""
    from django.utils import translation

    for voter in voters(vote)[:6]:
        cast_online(vote, voter, "agree")
    move_vote_deadline_to_past(vote)
    closed = services.vote_close(vote=vote, actor=world.users["community"])
    event = closed.project.events.filter(data__consent="vote_closed").get()
    with translation.override("en"):
        english = event.text
    with translation.override("zh-hans"):
        chinese = event.text
    assert "agreeing_owners" not in english + chinese and "/12" not in english + chinese
    assert "Agreeing owners / participating owners" in english and "still needed: owner count: 2 more" in english
    assert "同意人数 / 参与表决人数" in chinese and "仍需：人数：再有 2 位业主" in chinese
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.replace(str(closed.rule_set.name), ""))


def test_opening_names_every_wrong_field_at_once(project, world):
    """Issue 13: a scope the round does not allow hid a closing time in the past and a missing plan."""
    with pytest.raises(ValidationError) as exc:
        services.vote_open(
            project=project,
            actor=world.users["community"],
            closes_at=timezone.now() - dt.timedelta(minutes=1),
            plan=" ",
            scope="estate",
        )
    assert set(exc.value.error_dict) == {"scope", "closes_at", "plan"}
    assert not Vote.objects.exists() and not RollVoter.objects.exists()


def test_a_ballot_names_every_wrong_field_at_once(vote, world):
    """Issue 13: a wrong choice hid the missing signed form, authorisation and proxy's name."""
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(
            vote=vote, voter=voters(vote)[0], choice="maybe", channel="proxy", actor=world.users["community"]
        )
    assert set(exc.value.error_dict) == {"choice", "signed_form", "authorisation", "proxy_name"}
    assert not Ballot.objects.exists() and not BallotEntry.objects.exists()
