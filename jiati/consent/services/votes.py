"""Writes on votes: open (freezing the roll), cast a ballot (paper, proxy, online after a one-time code),
close (recording the result once), cancel an open vote.

Every cast locks the vote row, so the hash chain grows one link at a time and a closed vote cannot take
a ballot; the unique constraint on (vote, voter) is the backstop that makes one owner count once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.consent import chain, permissions, selectors
from jiati.consent.models import (
    Ballot,
    BallotEntry,
    Channel,
    Choice,
    CostScheme,
    RollDwelling,
    RollVoter,
    RuleSet,
    Scope,
    Vote,
    VoteStatus,
    area_to_centi,
)
from jiati.consent.rules import spec_for_round
from jiati.consent.tally import evaluate
from jiati.core import stored_text
from jiati.core.errors import Refusals, refuse
from jiati.core.ratelimit import limit_hit
from jiati.core.services import lock_rows, lock_visible, require
from jiati.core.stored_text import Message, Worked
from jiati.core.uploads import check_upload
from jiati.housing.models import Dwelling, Ownership
from jiati.housing.services import phone_clean
from jiati.notifications.services import notify
from jiati.projects.models import EventKind, Project, Stage, Status
from jiati.projects.services import project_event_add
from jiati.residents.otp import otp_decoy, otp_send, otp_verify

VOTE_PURPOSE = "vote:{pk}"
SIGNED_FORM_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
MAX_VOTING_DAYS = 180


def vote_url(vote: Vote) -> str:
    return reverse("consent:vote-detail", args=[vote.pk])


def _vote_locked(vote: Vote, actor=None) -> Vote:
    """Lock the vote row (and, for staff, re-check they may see it: a forged id answers like a missing one)."""
    votes = Vote.objects.select_related("rule_set", "project")
    if actor is None:
        return lock_rows(votes, pks=vote.pk)
    return lock_visible(votes, user=actor, pks=vote.pk)


def _tell_responsible(project: Project, title: str, url: str) -> None:
    if project.responsible_id:
        notify(recipients=[project.responsible], kind="consent", title=title, body=project.code, url=url)


# --- opening ------------------------------------------------------------------------


def _scope_dwellings(project: Project, scope: str):
    dwellings = Dwelling.objects.all()
    if scope == Scope.STAIRWELL:
        return dwellings.filter(stairwell_id=project.stairwell_id)
    if scope == Scope.BUILDING:
        return dwellings.filter(building_id=project.stairwell.building_id)
    return dwellings.filter(estate_id=project.estate_id)


def _freeze_roll(vote: Vote) -> None:
    """Copy the voters of the vote's scope onto its roll: one head per primary owner (all his dwellings),
    one head per dwelling without a recorded owner; areas as the law counts them (register → survey → contract)."""
    dwellings = list(
        _scope_dwellings(vote.project, vote.scope)
        .order_by("floor", "room", "id")
        .values("id", "floor", "room", "exclusive_area", "area_source")
    )
    owners = {
        o.dwelling_id: o.owner
        for o in Ownership.objects.filter(dwelling_id__in=[d["id"] for d in dwellings], is_primary=True).select_related(
            "owner"
        )
    }
    heads: dict[str, dict] = {}
    for dwelling in dwellings:
        owner = owners.get(dwelling["id"])
        key = f"owner:{owner.pk}" if owner else f"dwelling:{dwelling['id']}"
        head = heads.setdefault(key, {"owner": owner, "dwellings": []})
        head["dwellings"].append(dwelling)
    voters, fingerprint_rows = [], []
    for key, head in heads.items():
        owner = head["owner"]
        rows = head["dwellings"]
        area = sum(area_to_centi(d["exclusive_area"]) for d in rows)
        voters.append(
            RollVoter(
                vote=vote,
                owner=owner,
                owner_kind=owner.kind if owner else "",
                name=owner.name if owner else _("(owner not recorded)"),
                phone=owner.phone if owner else "",
                rooms="、".join(d["room"] for d in rows)[:255],
                dwellings_count=len(rows),
                area_centi=area,
                lowest_floor=min(d["floor"] for d in rows),
            )
        )
        fingerprint_rows.append(
            (key, area, ",".join(f"{d['id']}:{area_to_centi(d['exclusive_area'])}:{d['area_source']}" for d in rows))
        )
    RollVoter.objects.bulk_create(voters, batch_size=2000)
    by_key = dict(zip(heads, voters, strict=True))
    RollDwelling.objects.bulk_create(
        (
            RollDwelling(
                vote=vote,
                voter=by_key[key],
                dwelling_id=d["id"],
                floor=d["floor"],
                room=d["room"],
                area_centi=area_to_centi(d["exclusive_area"]),
                area_source=d["area_source"],
            )
            for key, head in heads.items()
            for d in head["dwellings"]
        ),
        batch_size=2000,
    )
    vote.owners_total = len(voters)
    vote.dwellings_total = len(dwellings)
    vote.area_total_centi = sum(v.area_centi for v in voters)
    vote.roll_hash = chain.roll_fingerprint(fingerprint_rows)
    vote.chain_head = chain.genesis(vote.pk, vote.roll_hash)
    vote.save(update_fields=["owners_total", "dwellings_total", "area_total_centi", "roll_hash", "chain_head"])


def default_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(is_default=True, is_active=True).first() or RuleSet.objects.active().first()


def _round_to_open(project: Project, rule_set: RuleSet | None, round_number: int, scope: str | None):
    """(rule set, round, scope) of the vote to open: the round makes sense only in a rule set in use, the scope
    only under that round, and an earlier round must have passed."""
    if rule_set is None or not rule_set.is_active:
        raise refuse(_("Choose a rule set in use."), code="rule_set_inactive", field="rule_set")
    rule_round = rule_set.rounds.filter(number=round_number).first()
    if rule_round is None:
        raise refuse(
            _("“%(rule)s” has no round %(round)s.") % {"rule": rule_set.shown_name, "round": round_number},
            code="no_such_round",
            field="round_number",
        )
    scope = scope or rule_round.scope
    if scope not in rule_round.scopes():
        raise refuse(
            _("Under “%(rule)s” round %(round)s the owners of the %(scopes)s vote.")
            % {
                "rule": rule_set.shown_name,
                "round": round_number,
                "scopes": "/".join(str(Scope(s).label) for s in rule_round.scopes()),
            },
            code="scope_not_allowed",
            field="scope",
        )
    for earlier in rule_set.rounds.filter(number__lt=round_number).order_by("number"):
        decision = selectors.round_decision(project, rule_set, earlier)
        if decision is None or not decision.passed:
            raise refuse(
                _("Round %(round)s of “%(rule)s” has not passed yet.")
                % {"round": earlier.number, "rule": rule_set.shown_name},
                code="earlier_round_not_passed",
                field="round_number",
            )
    return rule_set, rule_round, scope


@transaction.atomic
def vote_open(
    *,
    project: Project,
    actor,
    closes_at: dt.datetime,
    plan: str,
    title: str = "",
    rule_set: RuleSet | None = None,
    round_number: int = 1,
    scope: str | None = None,
    cost_scheme: CostScheme | None = None,
) -> Vote:
    """Open a vote on the project and freeze its roll (dwellings, areas, owners)."""
    require(permissions.can_run_votes(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.status != Status.ACTIVE:
        raise refuse(_("Only an active project can hold a vote."), code="project_not_active")
    if project.stage == Stage.IN_SERVICE:
        raise refuse(_("The elevator is in service; there is nothing left to vote on."), code="project_in_service")
    now = timezone.now()
    with Refusals() as checked:  # every wrong field at once (issue 13)
        chosen = checked(_round_to_open, project, rule_set or default_rule_set(), round_number, scope)
        if closes_at is None or closes_at <= now:
            checked.add(refuse(_("Voting must end in the future."), code="closes_in_past", field="closes_at"))
        elif closes_at > now + dt.timedelta(days=MAX_VOTING_DAYS):
            checked.add(
                refuse(
                    _("Voting may run for at most %(days)s days.") % {"days": MAX_VOTING_DAYS},
                    code="closes_too_late",
                    field="closes_at",
                )
            )
        if not (plan or "").strip():
            checked.add(refuse(_("Describe the plan the owners vote on."), code="required", field="plan"))
        if cost_scheme is not None and (cost_scheme.project_id != project.pk or not cost_scheme.is_current):
            checked.add(
                refuse(
                    _("Show the owners this project's current cost-sharing scheme."),
                    code="stale_scheme",
                    field="cost_scheme",
                )
            )
    rule_set, rule_round, scope = chosen
    if Vote.objects.filter(project=project, status=VoteStatus.OPEN).exists():
        raise refuse(_("This project already has an open vote."), code="vote_already_open")
    stairwell = project.stairwell
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                project=project,
                rule_set=rule_set,
                round_number=round_number,
                scope=scope,
                estate_id=project.estate_id,
                building_id=stairwell.building_id if scope in (Scope.STAIRWELL, Scope.BUILDING) else None,
                stairwell_id=stairwell.pk if scope == Scope.STAIRWELL else None,
                typed_title=(title or "").strip()[:200],  # blank: the default title, read in the reader's language
                plan=plan.strip(),
                cost_scheme=cost_scheme,
                opens_at=now,
                closes_at=closes_at,
                opened_by=actor,
                rule_spec=spec_for_round(rule_round).as_json(),
            )
    except IntegrityError:
        raise refuse(_("This project already has an open vote."), code="vote_already_open") from None
    _freeze_roll(vote)
    if vote.owners_total == 0:
        raise refuse(_("Nobody is on the roll: the scope has no dwellings."), code="empty_roll", field="scope")
    message = Message(
        gettext_noop("Owners' vote opened under %(rule)s (round %(round)s, %(scope)s): %(owners)s owners, %(area)s m²"),
        rule=stored_text.Row.of(rule_set),
        round=round_number,
        scope=stored_text.Choice.of(vote, "scope"),
        owners=vote.owners_total,
        area=vote.area_total,
    )
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.OTHER,
        message=message,
        data={"consent": "vote_opened", "vote": vote.pk, "rule_set": rule_set.label, "roll_hash": vote.roll_hash},
    )
    audit_record(
        actor=actor,
        instance=vote,
        action=AuditAction.CREATE,
        changes={
            "rule_set": [None, rule_set.label],
            "round": [None, round_number],
            "scope": [None, scope],
            "closes_at": [None, closes_at.isoformat()],
            "owners_total": [None, vote.owners_total],
            "area_total": [None, str(vote.area_total)],
            "roll_hash": [None, vote.roll_hash],
        },
    )
    _tell_responsible(
        project, Message(gettext_noop("Owners' vote opened: %(code)s"), code=project.code), vote_url(vote)
    )
    return vote


# --- casting ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    ballot: Ballot
    entry: BallotEntry
    receipt: str  # shown once to the owner; only its hash is stored
    changed: bool


def ballot_cast(
    *,
    vote: Vote,
    voter: RollVoter,
    choice: str,
    channel: str,
    actor=None,
    identity: str = "",
    change: bool = False,
    signed_form=None,
    proxy_name: str = "",
    authorisation=None,
) -> Cast:
    """Record an owner's ballot. Paper and proxy ballots are entered by staff with the signed form (and, for
    a proxy, the uploaded authorisation); online ballots need the `identity` token `vote_identify` issues once
    the one-time code sent to the owner's phone on the roll is confirmed. A second ballot is a change of mind
    only when `change` says so.

    The signed form and authorisation are written to storage just before the entry that names them; if the
    ballot is then refused or fails, they are deleted again. (Call it outside a transaction, as the pages and
    the API do: a caller's own rollback after it returns cannot be seen here.)"""
    proxy_name = (proxy_name or "").strip()
    form_facts = auth_facts = None
    nonce = ""
    with Refusals() as checked:  # every wrong field at once (issue 13); the channel decides what else is needed
        if choice not in Choice.values:
            checked.add(refuse(_("Choose agree, disagree or abstain."), code="invalid_choice", field="choice"))
        if channel not in Channel.values:
            checked.add(refuse(_("Unknown channel."), code="invalid_channel", field="channel"))
        elif channel == Channel.ONLINE:
            if actor is not None and getattr(actor, "is_authenticated", False) and actor.role != "resident":
                raise PermissionDenied  # staff enter paper ballots; online is the owner's own
            nonce = _identity_nonce(identity, vote=vote, voter=voter)
            if nonce is None:
                checked.add(refuse(_("Confirm your phone with the code first."), code="not_identified", field="phone"))
        else:
            require(actor is not None and permissions.can_record_ballots(actor))
            if signed_form is None:
                checked.add(
                    refuse(
                        _("Attach the signed ballot form (photo or scan)."),
                        code="signed_form_required",
                        field="signed_form",
                    )
                )
            else:
                form_facts = checked(check_upload, signed_form, field="signed_form", allowed=SIGNED_FORM_TYPES)
            if channel == Channel.PROXY or proxy_name or authorisation is not None:
                if authorisation is None:
                    checked.add(
                        refuse(
                            _("A proxy votes only with an uploaded authorisation."),
                            code="authorisation_required",
                            field="authorisation",
                        )
                    )
                else:
                    auth_facts = checked(check_upload, authorisation, field="authorisation", allowed=SIGNED_FORM_TYPES)
                if not proxy_name:
                    checked.add(refuse(_("Name the proxy."), code="proxy_name_required", field="proxy_name"))
                channel = Channel.PROXY
    saved: list = []  # files written to storage, removed again if the ballot is refused or fails
    try:
        with transaction.atomic():
            vote = _vote_locked(vote, actor if channel != Channel.ONLINE else None)
            now = timezone.now()
            if vote.status != VoteStatus.OPEN:
                raise refuse(_("The vote is closed; no more ballots can be recorded."), code="vote_closed")
            if now >= vote.closes_at:
                raise refuse(
                    _("Voting ended at %(time)s; no more ballots can be recorded.")
                    % {"time": date_format(timezone.localtime(vote.closes_at), "Y-m-d H:i")},
                    code="vote_closed",
                )
            if voter.vote_id != vote.pk:
                raise refuse(_("This owner is not on the roll of this vote."), code="not_on_roll", field="voter")
            if nonce and BallotEntry.objects.filter(voter=voter, identity_nonce=nonce).exists():
                raise refuse(
                    _("This code has already been used for this owner's ballot; ask for a new code to change it."),
                    code="code_used",
                )
            existing = Ballot.objects.select_for_update().filter(vote=vote, voter=voter).first()
            if existing is not None and not change:
                raise refuse(
                    _("This owner has already voted (%(choice)s). To change the vote, choose to change it.")
                    % {"choice": existing.get_choice_display()},
                    code="already_voted",
                )
            receipt = chain.new_receipt()
            digest = chain.receipt_digest(receipt)
            sequence = vote.ballot_seq + 1
            entry = BallotEntry(
                vote=vote,
                voter=voter,
                sequence=sequence,
                choice=choice,
                channel=channel,
                cast_at=now,
                recorded_by=actor if channel != Channel.ONLINE else None,
                proxy_name=proxy_name[:120],
                signed_form_sha256=form_facts.sha256 if form_facts else "",
                authorisation_sha256=auth_facts.sha256 if auth_facts else "",
                receipt_digest=digest,
                identity_nonce=nonce,
                prev_hash=vote.chain_head,
            )
            entry.entry_hash = chain.entry_hash(
                prev_hash=vote.chain_head,
                vote_id=vote.pk,
                sequence=sequence,
                voter_id=voter.pk,
                choice=choice,
                channel=channel,
                cast_at=now,
                receipt=digest,
                signed_form_sha256=entry.signed_form_sha256,
                authorisation_sha256=entry.authorisation_sha256,
            )
            if form_facts:
                entry.signed_form.save(form_facts.name, signed_form, save=False)
                saved.append(entry.signed_form)
            if auth_facts:
                entry.authorisation.save(auth_facts.name, authorisation, save=False)
                saved.append(entry.authorisation)
            try:
                with transaction.atomic():
                    entry.save()
            except IntegrityError:  # the same code used twice at the same instant
                raise refuse(_("This owner has already voted."), code="already_voted") from None
            if existing is None:
                try:
                    with transaction.atomic():
                        ballot = Ballot.objects.create(
                            vote=vote,
                            voter=voter,
                            choice=choice,
                            channel=channel,
                            area_centi=voter.area_centi,
                            cast_at=now,
                            latest_entry=entry,
                        )
                except IntegrityError:  # the same owner at the same instant: the constraint keeps one
                    raise refuse(_("This owner has already voted."), code="already_voted") from None
                before = None
            else:
                before = existing.choice
                existing.choice, existing.channel, existing.cast_at = choice, channel, now
                existing.latest_entry, existing.revision = entry, existing.revision + 1
                existing.save(update_fields=["choice", "channel", "cast_at", "latest_entry", "revision"])
                ballot = existing
            Vote.objects.filter(pk=vote.pk).update(ballot_seq=sequence, chain_head=entry.entry_hash)
            vote.ballot_seq, vote.chain_head = sequence, entry.entry_hash
            audit_record(
                actor=actor if channel != Channel.ONLINE else None,
                instance=entry,
                action=AuditAction.CREATE,
                changes={
                    "vote": [None, vote.pk],
                    "voter": [None, voter.pk],
                    "choice": [before, choice],
                    "channel": [None, channel],
                    "sequence": [None, sequence],
                    "proxy": [None, proxy_name] if proxy_name else [None, None],
                },
                message=_("Change of vote") if before else "",
            )
    except BaseException:
        _remove_files(saved)
        raise
    return Cast(ballot=ballot, entry=entry, receipt=receipt, changed=before is not None)


def _remove_files(files) -> None:
    """Delete uploads written for a ballot that was not recorded: a refused ballot leaves no file behind."""
    for field in files:
        name = getattr(field, "name", "")
        if name:
            with contextlib.suppress(OSError):  # already gone, or storage unavailable: nothing left to clean
                field.storage.delete(name)


def _voters_with_phone(vote: Vote, phone: str):
    return RollVoter.objects.filter(vote=vote, phone=phone).order_by("lowest_floor", "rooms")


def _phone(phone: str) -> str:

    return phone_clean((phone or "").strip())


def _too_many_codes():
    return _(
        "Too many codes were asked for just now. Please try again in an hour, or vote at your community's service "
        "window."
    )


def vote_send_code(*, vote: Vote, phone: str, address: str | None = None) -> str:
    """Text a one-time code to a phone on the vote's frozen roll; answer a number not on it exactly alike.
    Returns the cleaned phone.

    The answer must not tell a stranger whether a number is on the roll (issue 19): both pass the same limits
    (per phone, per network address, overall, in the shared cache), both do the work of making a code, and only
    a number on the roll is sent one. Refusals depend on the vote and the limits, never on the roll.
    """
    phone = _phone(phone)
    if vote.status != VoteStatus.OPEN or vote.voting_has_ended:
        raise refuse(_("The vote is closed; no more ballots can be recorded."), code="vote_closed")
    if not phone:
        raise refuse(_("Enter the mobile number on your owner record."), code="phone_missing", field="phone")
    limit_hit(
        f"vote-{vote.pk}-phone-{phone}",
        settings.JIATI_SIGNIN_CODES_PER_PHONE_HOUR,
        field="phone",
        message=_too_many_codes(),
    )
    if address:
        limit_hit(
            f"vote-address-{address}",
            settings.JIATI_SIGNIN_CODES_PER_ADDRESS_HOUR,
            field="phone",
            message=_too_many_codes(),
        )
    limit_hit("signin-all", settings.JIATI_SIGNIN_CODES_PER_HOUR, field="phone", message=_too_many_codes())
    if _voters_with_phone(vote, phone).exists():
        with contextlib.suppress(ValidationError):  # "too soon" for a number on the roll only would tell
            otp_send(
                phone=phone,
                purpose=VOTE_PURPOSE.format(pk=vote.pk),
                text=_("Your code for the owners' vote on the elevator is %(code)s. It is valid for 10 minutes."),
            )
    else:
        otp_decoy()
    return phone


@dataclass(frozen=True)
class Identity:
    """Who confirmed the code: the owners on the roll with that phone, and the token `ballot_cast` needs."""

    phone: str
    voters: list[RollVoter]
    token: str


IDENTITY_SALT = "jiati.consent.vote-identity"
IDENTITY_TTL = dt.timedelta(minutes=15)


def _identity_token(*, vote: Vote, phone: str) -> str:
    payload = {"vote": vote.pk, "phone": phone, "nonce": secrets.token_hex(8)}
    return signing.dumps(payload, salt=IDENTITY_SALT, compress=True)


def _identity_nonce(token: str, *, vote: Vote, voter: RollVoter) -> str | None:
    """The token's nonce if it was issued for this vote and this owner's phone within the last 15 minutes."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=IDENTITY_SALT, max_age=IDENTITY_TTL)
    except signing.BadSignature:
        return None
    if data.get("vote") != vote.pk or not voter.phone or data.get("phone") != voter.phone:
        return None
    return str(data.get("nonce") or "") or None


def vote_identify(*, vote: Vote, phone: str, code: str) -> Identity:
    """Check the one-time code sent to a phone on the roll. Returns the owners on the roll with that phone and
    a signed token, valid 15 minutes, with which they can cast their ballots online.

    Deliberately not atomic: `otp_verify` must run outside any transaction so a wrong code is counted."""

    phone = _phone(phone)
    voters = list(_voters_with_phone(vote, phone)) if phone else []
    try:
        # A number not on the roll was never sent a code: otp_verify refuses it like a wrong code, in as long.
        otp_verify(phone=phone, purpose=VOTE_PURPOSE.format(pk=vote.pk), code=code)
    except ValidationError:
        raise refuse(
            _("This code is not right or no longer valid. Check the text message, or ask for a new code."),
            code="otp_invalid",
            field="code",
        ) from None
    if not voters:  # the roll is frozen: only a code sent to a number on it can be right
        raise refuse(
            _("This code is not right or no longer valid. Check the text message, or ask for a new code."),
            code="otp_invalid",
            field="code",
        )
    return Identity(phone=phone, voters=voters, token=_identity_token(vote=vote, phone=phone))


# --- closing ------------------------------------------------------------------------


@transaction.atomic
def vote_close(*, vote: Vote, actor) -> Vote:
    """Close the vote and record its result, once. Before the deadline only if every owner has voted."""
    require(permissions.can_run_votes(actor))
    vote = _vote_locked(vote, actor)
    if vote.status != VoteStatus.OPEN:
        raise refuse(_("Only an open vote can be closed."), code="vote_not_open")
    now = timezone.now()
    spec = selectors.round_spec(vote)
    counts = selectors.vote_counts(vote, spec=spec)
    if now < vote.closes_at and counts.owners_participating < vote.owners_total:
        raise refuse(
            _("Voting runs until %(time)s; it can be closed earlier only once every owner has voted.")
            % {"time": date_format(timezone.localtime(vote.closes_at), "Y-m-d H:i")},
            code="vote_still_running",
        )

    verdict = evaluate(counts, spec)
    check = chain.verify_chain(vote)
    if not check.ok:  # pragma: no cover - only if rows were altered behind the services
        raise refuse(_("The ballot chain does not verify; the vote cannot be closed."), code="chain_broken")
    vote.status = VoteStatus.CLOSED
    vote.closed_at, vote.closed_by = now, actor
    vote.passed = verdict.passed
    vote.owners_participating = counts.owners_participating
    vote.owners_agreeing = counts.owners_agreeing
    vote.area_participating_centi = area_to_centi(counts.area_participating)
    vote.area_agreeing_centi = area_to_centi(counts.area_agreeing)
    vote.result = verdict.as_json() | {
        "spec": spec.as_json(),  # the round as it decided: the displayed verdict never reads the rule set again
        "rule_set_name": spec.name,
        "chain_head": vote.chain_head,
        "ballot_entries": vote.ballot_seq,
        "roll_hash": vote.roll_hash,
        "closed_at": now.isoformat(),
    }
    vote.save()
    outcome = Message(gettext_noop("passed") if verdict.passed else gettext_noop("did not pass"))
    # Stored as what happened, shown in the reader's language; the figures are on the vote's page.
    message = Message(
        gettext_noop("Owners' vote closed: %(outcome)s under %(rule)s — %(tests)s"),
        outcome=outcome,
        rule=stored_text.Row.of(vote.rule_set),
        tests=Worked("consent.vote_tests", vote=vote.pk),
    )
    if not verdict.passed and verdict.needed is not None and verdict.needed.text():
        # What the lead owner most needs to know: worded when read, from the figures frozen on the vote.
        message = Message(
            gettext_noop("%(closed)s — still needed: %(needed)s"),
            closed=message,
            needed=Worked("consent.vote_needed", vote=vote.pk),
        )
    project_event_add(
        project=vote.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=message,
        data={"consent": "vote_closed", "vote": vote.pk, "passed": verdict.passed, "rule_set": spec.label},
    )
    audit_record(
        actor=actor,
        instance=vote,
        action=AuditAction.UPDATE,
        changes={"status": ["open", "closed"], "passed": [None, verdict.passed], "chain_head": [None, vote.chain_head]},
    )
    _tell_responsible(
        vote.project,
        Message(gettext_noop("Owners' vote on %(code)s %(outcome)s"), code=vote.project.code, outcome=outcome),
        vote_url(vote),
    )
    return vote


@transaction.atomic
def vote_cancel(*, vote: Vote, actor, reason: str) -> Vote:
    """Cancel an open vote (e.g. a wrong roll). A closed vote cannot change: hold a new one instead."""
    require(permissions.can_run_votes(actor))
    vote = _vote_locked(vote, actor)
    if vote.status != VoteStatus.OPEN:
        raise refuse(_("A closed vote cannot change; open a new vote instead."), code="vote_not_open")
    if not (reason or "").strip():
        raise refuse(_("Give a reason."), code="reason_required", field="reason")
    vote.status, vote.cancel_reason = VoteStatus.CANCELLED, reason.strip()[:255]
    vote.closed_at, vote.closed_by = timezone.now(), actor
    vote.save(update_fields=["status", "cancel_reason", "closed_at", "closed_by"])
    project_event_add(
        project=vote.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(gettext_noop("Owners' vote cancelled: %(reason)s"), reason=vote.cancel_reason),
        data={"consent": "vote_cancelled", "vote": vote.pk},
    )
    audit_record(
        actor=actor,
        instance=vote,
        action=AuditAction.UPDATE,
        changes={"status": ["open", "cancelled"]},
        message=vote.cancel_reason,
    )
    return vote
