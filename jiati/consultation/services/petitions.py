"""Petitions (信访): taken in from a window, the portal, the phone line or a letter; routed to the group
answering for the estate; accepted or not, handled, replied to, closed with the petitioner's
satisfaction, reopened; escalated one level up when overdue.

Every step appends a `PetitionEvent` (the handling history, never edited) and an audit entry.
"""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, save_if_changed, snapshot
from jiati.consultation import deadlines, permissions, routing
from jiati.consultation.models import (
    Petition,
    PetitionChannel,
    PetitionEvent,
    PetitionEventKind,
    PetitionLevel,
    PetitionSettings,
    PetitionStatus,
    ReplyMethod,
    Satisfaction,
)
from jiati.consultation.services.common import sms_after_commit, text_or_refuse
from jiati.consultation.services.windows import phone_or_refuse
from jiati.consultation.templatetags.consultation import mask_address
from jiati.core.errors import Refusals, refuse
from jiati.core.services import lock_rows, lock_visible, require
from jiati.core.stored_text import Choice, Message, as_stored
from jiati.core.text_policy import within_column
from jiati.housing.models import Estate, Owner, Ownership, Stairwell
from jiati.notifications.services import notify
from jiati.projects.models import EventKind, Project, Status
from jiati.projects.services import project_event_add

# Sentences the history stores as msgid + values (core.stored_text), read in each reader's language.
RECEIVED_THROUGH = gettext_noop("Received through %(channel)s")
NO_GROUP = gettext_noop("No service group answers for this estate; the area's staff must assign a handler.")
ROUTED_TO = gettext_noop("%(group)s · %(handler)s")
ESCALATED_TO = gettext_noop("%(reason)s → %(route)s. New deadline for %(level)s: %(date)s")

AUDIT_FIELDS = ("status", "level", "group", "handler", "due_date", "resolve_due", "extension_days", "satisfaction")


def petition_url(petition: Petition) -> str:
    return reverse("consultation:petition-detail", args=[petition.pk])


def _state(petition: Petition) -> dict:
    return {f: getattr(petition, f"{f}_id" if f in ("group", "handler") else f) for f in AUDIT_FIELDS}


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _record(petition: Petition, actor, kind: str, before: dict, message: str | Message = "", data: dict | None = None):
    """Append the history entry and the audit entry for one step. `message`: a note as typed, or a sentence the
    system writes as a `Message` (shown in the reader's language)."""
    after = _state(petition)
    changes = {k: [_plain(before.get(k)), _plain(after[k])] for k in after if before.get(k) != after[k]}
    message, stored = as_stored(message)
    PetitionEvent.objects.create(
        petition=petition,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        data={**(data or {}), **({"changes": changes} if changes else {}), **({"text": stored} if stored else {})},
    )
    audit_record(
        actor=actor,
        instance=petition,
        action=AuditAction.CREATE if kind == PetitionEventKind.RECEIVED else AuditAction.UPDATE,
        changes=changes,
        message=f"{kind}: {message}"[:255],
    )


def _project_event(petition: Petition, actor, message: Message) -> None:
    if petition.project_id:
        project_event_add(
            project=petition.project,
            actor=actor,
            kind=EventKind.OTHER,
            message=message,
            data={"petition": petition.pk},
        )


def _tell_handler(petition: Petition, title: str, *, extra=()) -> None:
    recipients = [petition.handler, *extra]
    if petition.handler_id is None and petition.group_id:
        recipients += [m.user for m in petition.group.memberships.select_related("user")]
    notify(recipients=recipients, kind="petition", title=title, body=petition.subject, url=petition_url(petition))


def _tell_petitioner(petition: Petition, text: str) -> None:
    """By text message; a petitioner reachable only by post gets a letter instead: the history records that it
    is due and the staff are given the task of posting it (`petition_letter_sent` records that they did)."""
    if petition.petitioner_phone:
        sms_after_commit(petition.petitioner_phone, text)
        return
    if not petition.only_by_post:
        return  # answered on the resident portal, where the petition's page shows every step
    first = not petition.letter_due
    Petition.objects.filter(pk=petition.pk).update(letter_due=True)
    petition.letter_due = True
    PetitionEvent.objects.create(
        petition=petition,
        kind=PetitionEventKind.LETTER_DUE,
        message=text,
        data={"status": petition.status, "due_date": _plain(petition.due_date)},
    )
    if first:
        _tell_handler(
            petition,
            Message(
                gettext_noop("Post a letter to the petitioner of %(ref)s (no phone number)"), ref=petition.reference
            ),
        )


def _locked(petition: Petition, actor) -> Petition:
    return lock_visible(Petition.objects.select_related("group", "handler", "estate"), user=actor, pks=petition.pk)


def _may_handle(actor, petition: Petition) -> bool:
    return permissions.can_handle_petitions(actor) or (actor.is_authenticated and petition.handler_id == actor.pk)


# --- taking a petition in ----------------------------------------------------------------


def petition_submit(
    *,
    estate: Estate,
    petitioner_name: str,
    subject: str,
    content: str,
    reply_method: str,
    channel: str = PetitionChannel.WINDOW,
    petitioner_phone: str = "",
    petitioner_address: str = "",
    stairwell: Stairwell | None = None,
    received_on: dt.date | None = None,
    idempotency_key: str = "",
    actor=None,
    owner: Owner | None = None,
) -> Petition:
    """Take a petition in and route it. From the portal `actor` is None and `owner` is the signed-in owner.

    The same `idempotency_key` (the submitting form's one-time key) returns the petition it already
    made instead of a second one — a double click files one petition.
    """
    idempotency_key = (idempotency_key or "").strip()[:64]
    if actor is None:
        if owner is None:
            raise PermissionDenied
        channel = PetitionChannel.PORTAL
        owned = Ownership.objects.filter(owner=owner)
        with Refusals() as checked:
            if not owned.filter(dwelling__estate=estate).exists():
                checked.add(refuse(_("Choose an estate where you own a home."), code="not_your_estate", field="estate"))
            if stairwell is not None and not owned.filter(dwelling__stairwell=stairwell).exists():
                checked.add(
                    refuse(_("Choose a stairwell where you own a home."), code="not_your_stairwell", field="stairwell")
                )
    else:
        require(permissions.can_take_petitions(actor))
        if not Estate.objects.visible_to(actor).filter(pk=estate.pk).exists():
            raise PermissionDenied
        if stairwell is not None and stairwell.estate_id != estate.pk:
            raise refuse(_("The stairwell is not in this estate."), code="other_estate", field="stairwell")
    if idempotency_key:
        existing = _existing_submission(idempotency_key, actor=actor, owner=owner)
        if existing is not None:
            return existing
    today = timezone.localdate()
    received_on = received_on or today
    with Refusals() as checked:  # every wrong field at once
        if channel not in PetitionChannel.values:
            checked.add(refuse(_("Choose how the petition came in."), code="invalid_choice", field="channel"))
        name = checked(text_or_refuse, petitioner_name, _("Give the petitioner's name."), field="petitioner_name")
        if name:
            name = checked(within_column, name, model=Petition, field="petitioner_name")
        subject = checked(text_or_refuse, subject, _("Give the petition a subject."), field="subject")
        if subject:
            subject = checked(within_column, subject, model=Petition, field="subject")
        content = checked(text_or_refuse, content, _("Write down what the petitioner asks."), field="content")
        phone = checked(phone_or_refuse, petitioner_phone, field="petitioner_phone")
        if received_on > today:
            checked.add(
                refuse(_("The petition cannot be received in the future."), code="future_date", field="received_on")
            )
        address = checked(within_column, (petitioner_address or "").strip(), model=Petition, field="petitioner_address")
        # How to reply is weighed only against a readable phone and address.
        contact_read = phone is not None and address is not None
        no_contact = (
            contact_read
            and not phone
            and not address
            and not (owner is not None and reply_method == ReplyMethod.PORTAL)
        )
        if no_contact:
            checked.add(
                refuse(
                    _("Give a phone number or a postal address, so that the petitioner can be answered."),
                    code="no_way_to_reply",
                    field="petitioner_phone",
                )
            )
        if reply_method not in ReplyMethod.values:
            checked.add(
                refuse(_("Choose how the petitioner wants the reply."), code="invalid_choice", field="reply_method")
            )
        elif contact_read and not no_contact:
            if reply_method == ReplyMethod.PHONE and not phone:
                checked.add(
                    refuse(
                        _("A reply by phone needs a phone number."), code="no_way_to_reply", field="petitioner_phone"
                    )
                )
            if reply_method == ReplyMethod.LETTER and not address:
                checked.add(
                    refuse(
                        _("A reply by letter needs a postal address."),
                        code="no_way_to_reply",
                        field="petitioner_address",
                    )
                )
            if reply_method == ReplyMethod.PORTAL and owner is None:
                checked.add(
                    refuse(
                        _("Only an owner signed in to the resident portal can be answered there."),
                        code="no_way_to_reply",
                        field="reply_method",
                    )
                )
    settings = PetitionSettings.current()
    accept_due = deadlines.acceptance_due(received_on, settings=settings)
    route = routing.route_for(estate=estate)
    project = None
    if stairwell is not None:
        project = Project.objects.filter(stairwell=stairwell).exclude(status=Status.WITHDRAWN).first()
    try:
        with transaction.atomic():
            petition = Petition.objects.create(
                reference=uuid4().hex[:20],
                idempotency_key=idempotency_key,
                channel=channel,
                petitioner_name=name,
                petitioner_phone=phone,
                petitioner_address=address,
                reply_method=reply_method,
                owner=owner,
                estate=estate,
                stairwell=stairwell,
                project=project,
                community_id=estate.community_id,
                subject=subject,
                content=content,
                level=route.level,
                group=route.group,
                handler=route.handler,
                received_on=received_on,
                accept_due=accept_due,
                due_date=accept_due,
                created_by=actor,
            )
            petition.reference = f"XF{received_on:%Y}{petition.pk:06d}"
            petition.save(update_fields=["reference"])
            _record(
                petition,
                actor,
                PetitionEventKind.RECEIVED,
                {},
                message=Message(RECEIVED_THROUGH, channel=Choice.of(petition, "channel")),
                data={"received_on": received_on.isoformat(), "accept_due": accept_due.isoformat()},
            )
            _record(
                petition,
                None,
                PetitionEventKind.ROUTED,
                _state(petition),
                message=_route_text(route),
                data={"level": route.level, "group": route.group.pk if route.group else None},
            )
            _project_event(petition, actor, Message(gettext_noop("Petition received: %(subject)s"), subject=subject))
            _tell_handler(petition, Message(gettext_noop("New petition %(ref)s to handle"), ref=petition.reference))
            _tell_petitioner(
                petition,
                _("Your petition %(ref)s has been received. You will hear by %(date)s whether it is accepted.")
                % {"ref": petition.reference, "date": accept_due.isoformat()},
            )
    except IntegrityError:
        # The other click of a double click created it a moment ago.
        existing = _existing_submission(idempotency_key, actor=actor, owner=owner) if idempotency_key else None
        if existing is None:
            raise
        return existing
    return petition


def _existing_submission(key: str, *, actor, owner) -> Petition | None:
    petition = Petition.objects.filter(idempotency_key=key).first()
    if petition is None:
        return None
    same_submitter = (
        petition.owner_id == owner.pk
        if actor is None
        else Petition.objects.visible_to(actor).filter(pk=petition.pk).exists()
    )
    if not same_submitter:
        raise refuse(_("This form was already used; open it again."), code="duplicate_key")
    return petition


def _route_text(route: routing.Route) -> Message:
    if route.group is None:
        return Message(NO_GROUP)
    return Message(ROUTED_TO, group=route.group.name, handler=str(route.handler or "—"))


# --- handling ----------------------------------------------------------------------------


@transaction.atomic
def petition_accept(*, actor, petition: Petition, note: str = "") -> Petition:
    petition = _locked(petition, actor)
    require(_may_handle(actor, petition))
    if petition.status != PetitionStatus.RECEIVED:
        raise refuse(_("Only a petition awaiting a decision can be accepted."), code="wrong_status")
    before = _state(petition)
    settings = PetitionSettings.current()
    today = timezone.localdate()
    petition.status, petition.accepted_on = PetitionStatus.ACCEPTED, today
    petition.resolve_due = deadlines.resolution_due(today, settings=settings)
    petition.due_date = petition.resolve_due
    petition.save()
    _record(petition, actor, PetitionEventKind.ACCEPTED, before, message=(note or "").strip())
    _tell_petitioner(
        petition,
        _("Your petition %(ref)s is accepted; it will be answered by %(date)s.")
        % {"ref": petition.reference, "date": petition.resolve_due.isoformat()},
    )
    return petition


@transaction.atomic
def petition_decline(*, actor, petition: Petition, reason: str) -> Petition:
    petition = _locked(petition, actor)
    require(_may_handle(actor, petition))
    if petition.status != PetitionStatus.RECEIVED:
        raise refuse(_("Only a petition awaiting a decision can be declined."), code="wrong_status")
    reason = text_or_refuse(reason, _("Say why it is not accepted."), field="reason")
    before = _state(petition)
    petition.status, petition.decline_reason, petition.due_date = PetitionStatus.DECLINED, reason, None
    petition.replied_at = timezone.now()
    petition.save()
    _record(petition, actor, PetitionEventKind.DECLINED, before, message=reason)
    _tell_petitioner(
        petition,
        _("Your petition %(ref)s is not accepted: %(reason)s") % {"ref": petition.reference, "reason": reason},
    )
    return petition


@transaction.atomic
def petition_note(*, actor, petition: Petition, text: str) -> PetitionEvent:
    """Add a handling note (what was done, who was met)."""
    petition = _locked(petition, actor)
    require(permissions.can_note_petitions(actor) or petition.handler_id == actor.pk)
    text = text_or_refuse(text, _("Write the note."), field="text")
    _record(petition, actor, PetitionEventKind.NOTE, _state(petition), message=text)
    return petition.events.order_by("-id").first()


@transaction.atomic
def petition_extend(*, actor, petition: Petition, days: int, reason: str) -> Petition:
    """Extend the resolution deadline once, by at most the configured days, with a higher level's approval."""
    petition = _locked(petition, actor)
    require(permissions.can_extend_petitions(actor))
    if petition.status != PetitionStatus.ACCEPTED:
        raise refuse(_("Only a petition being handled can be extended."), code="wrong_status")
    settings = PetitionSettings.current()
    if petition.extension_days:
        raise refuse(_("The deadline was already extended once; it cannot be extended again."), code="already_extended")
    if not 1 <= days <= settings.max_extension_days:
        raise refuse(
            _("An extension is between 1 and %(max)s days.") % {"max": settings.max_extension_days},
            code="extension_too_long",
            field="days",
        )
    reason = text_or_refuse(reason, _("Say why more time is needed."), field="reason")
    before = _state(petition)
    petition.extension_days = days
    petition.resolve_due = deadlines.extended_due(petition.resolve_due, days, settings=settings)
    petition.due_date = petition.resolve_due
    petition.save()
    _record(petition, actor, PetitionEventKind.EXTENDED, before, message=reason, data={"days": days})
    _tell_petitioner(
        petition,
        _("The answer to your petition %(ref)s needs more time; it is now due by %(date)s.")
        % {"ref": petition.reference, "date": petition.resolve_due.isoformat()},
    )
    if petition.handler_id != actor.pk:
        _tell_handler(petition, Message(gettext_noop("Petition %(ref)s extended"), ref=petition.reference))
    return petition


@transaction.atomic
def petition_reply(*, actor, petition: Petition, reply: str) -> Petition:
    petition = _locked(petition, actor)
    require(_may_handle(actor, petition))
    if petition.status != PetitionStatus.ACCEPTED:
        raise refuse(_("Only an accepted petition can be replied to."), code="wrong_status")
    reply = text_or_refuse(reply, _("Write the reply."), field="reply")
    before = _state(petition)
    petition.status, petition.reply, petition.replied_at, petition.due_date = (
        PetitionStatus.REPLIED,
        reply,
        timezone.now(),
        None,
    )
    petition.save()
    on_time = petition.resolve_due is None or timezone.localdate() <= petition.resolve_due
    _record(petition, actor, PetitionEventKind.REPLIED, before, message=reply, data={"on_time": on_time})
    _project_event(petition, actor, Message(gettext_noop("Petition replied: %(subject)s"), subject=petition.subject))
    _tell_petitioner(
        petition,
        _("The reply to your petition %(ref)s is ready: %(reply)s") % {"ref": petition.reference, "reply": reply[:200]},
    )
    return petition


@transaction.atomic
def petition_close(
    *, petition: Petition, satisfaction: str, note: str = "", actor=None, owner: Owner | None = None
) -> Petition:
    """Close a replied (or declined) petition with the petitioner's satisfaction: by staff, or by the owner."""
    if actor is None:
        if owner is None or petition.owner_id != owner.pk:
            raise PermissionDenied
        petition = lock_rows(Petition.objects.filter(owner=owner), pks=petition.pk)
    else:
        petition = _locked(petition, actor)
        require(_may_handle(actor, petition))
    if petition.status not in (PetitionStatus.REPLIED, PetitionStatus.DECLINED):
        raise refuse(_("Only a replied petition can be closed."), code="wrong_status")
    if satisfaction not in Satisfaction.values:
        raise refuse(_("Record the petitioner's satisfaction."), code="satisfaction_required", field="satisfaction")
    before = _state(petition)
    petition.status, petition.satisfaction, petition.closed_at = PetitionStatus.CLOSED, satisfaction, timezone.now()
    petition.save()
    _record(petition, actor, PetitionEventKind.CLOSED, before, message=(note or "").strip())
    if actor is None:
        _tell_handler(
            petition,
            Message(
                gettext_noop("Petition %(ref)s closed by the petitioner: %(satisfaction)s"),
                ref=petition.reference,
                satisfaction=Choice.of(petition, "satisfaction"),
            ),
        )
    return petition


@transaction.atomic
def petition_reopen(*, petition: Petition, reason: str, actor=None, owner: Owner | None = None) -> Petition:
    """Reopen a replied, closed or declined petition: handling starts again with a new deadline."""
    if actor is None:
        if owner is None or petition.owner_id != owner.pk:
            raise PermissionDenied
        petition = lock_rows(Petition.objects.filter(owner=owner).select_related("group", "handler"), pks=petition.pk)
    else:
        petition = _locked(petition, actor)
        require(_may_handle(actor, petition))
    if petition.status not in (PetitionStatus.REPLIED, PetitionStatus.CLOSED, PetitionStatus.DECLINED):
        raise refuse(_("Only an answered petition can be reopened."), code="wrong_status")
    reason = text_or_refuse(reason, _("Say why it is reopened."), field="reason")
    before = _state(petition)
    settings = PetitionSettings.current()
    today = timezone.localdate()
    if petition.status == PetitionStatus.DECLINED:
        petition.status = PetitionStatus.RECEIVED
        petition.accept_due = deadlines.acceptance_due(today, settings=settings)
        petition.due_date = petition.accept_due
    else:
        petition.status, petition.accepted_on = PetitionStatus.ACCEPTED, today
        petition.resolve_due = deadlines.resolution_due(today, settings=settings)
        petition.due_date = petition.resolve_due
    # The extension stays used: one extension per petition, however often it is reopened.
    petition.satisfaction, petition.closed_at = "", None
    petition.reopen_count += 1
    petition.save()
    _record(petition, actor, PetitionEventKind.REOPENED, before, message=reason)
    _tell_handler(petition, Message(gettext_noop("Petition %(ref)s reopened"), ref=petition.reference))
    return petition


@transaction.atomic
def petition_letter_sent(*, actor, petition: Petition, note: str = "") -> Petition:
    """Record that the letter due to a petitioner reachable only by post was printed and posted."""
    petition = _locked(petition, actor)
    require(permissions.can_note_petitions(actor) or petition.handler_id == actor.pk)
    if not petition.letter_due:
        raise refuse(_("No letter is waiting to be posted."), code="no_letter_due")
    Petition.objects.filter(pk=petition.pk).update(letter_due=False)
    petition.letter_due = False
    PetitionEvent.objects.create(
        petition=petition,
        kind=PetitionEventKind.LETTER_SENT,
        actor=actor,
        message=(note or "").strip(),
        data={"address": mask_address(petition.petitioner_address)},
    )
    audit_record(
        actor=actor,
        instance=petition,
        action=AuditAction.UPDATE,
        changes={"letter_due": [True, False]},
        message=f"{PetitionEventKind.LETTER_SENT}: {(note or '').strip()}"[:255],
    )
    return petition


@transaction.atomic
def petition_reassign(*, actor, petition: Petition, handler) -> Petition:
    """Give the petition to another staff member of the area (the responsible group's, usually)."""

    petition = _locked(petition, actor)
    require(permissions.can_handle_petitions(actor))
    if not petition.is_open:
        raise refuse(_("Only an open petition can be handed over."), code="wrong_status")
    if handler is None:
        raise refuse(_("Choose the new handler."), code="required", field="handler")
    in_group = petition.group_id and petition.group.memberships.filter(user=handler).exists()
    if not (in_group or staff_visible_to(user=actor).filter(pk=handler.pk).exists()):
        raise refuse(_("Choose a staff member of your area."), code="not_in_area", field="handler")
    if handler.pk == petition.handler_id:
        raise refuse(_("This person already handles the petition."), code="unchanged", field="handler")
    before = _state(petition)
    petition.handler = handler
    petition.save()
    _record(petition, actor, PetitionEventKind.REASSIGNED, before, message=str(handler))
    _tell_handler(petition, Message(gettext_noop("Petition %(ref)s is now yours"), ref=petition.reference))
    return petition


def _escalate(petition: Petition, actor, reason: str | Message, *, today: dt.date | None = None) -> Petition:
    up = routing.next_level(petition.level)
    if up is None:
        raise refuse(_("The petition is already with the district office."), code="top_level")
    route = routing.route_for(estate=petition.estate, level=up)
    if route.group is None:
        raise refuse(_("No group above answers for this estate."), code="no_group_above")
    before = _state(petition)
    previous = petition.handler
    previous_due = petition.due_date
    today = today or timezone.localdate()
    accepted = petition.status == PetitionStatus.ACCEPTED
    # The next level gets its own time: a fresh deadline from today (never earlier than the current one).
    due = deadlines.escalated_due(today, previous_due, accepted=accepted, settings=PetitionSettings.current())
    if accepted:
        petition.resolve_due = due
    else:
        petition.accept_due = due
    petition.due_date = due
    petition.level, petition.group, petition.handler = route.level, route.group, route.handler
    petition.escalation_count += 1
    petition.escalated_at = timezone.now()
    petition.save()
    _record(
        petition,
        actor,
        PetitionEventKind.ESCALATED,
        before,
        message=Message(
            ESCALATED_TO,
            reason=reason,
            route=_route_text(route),
            level=Choice.of(petition, "level"),
            date=due,
        ),
        data={
            "from_level": before["level"],
            "to_level": route.level,
            "previous_due": _plain(previous_due),
            "due_date": due.isoformat(),
        },
    )
    _tell_handler(
        petition,
        Message(
            gettext_noop("Petition %(ref)s escalated to you (%(level)s), due %(date)s"),
            ref=petition.reference,
            level=Choice.of(petition, "level"),
            date=due,
        ),
        extra=[previous] if previous is not None else (),
    )
    _tell_petitioner(
        petition,
        _("Your petition %(ref)s is now handled by the %(level)s; it will be answered by %(date)s.")
        % {"ref": petition.reference, "level": petition.get_level_display(), "date": due.isoformat()},
    )
    return petition


@transaction.atomic
def petition_escalate(*, actor, petition: Petition, reason: str) -> Petition:
    """Send an open petition one level up by hand (the daily sweep does it for overdue ones)."""
    petition = _locked(petition, actor)
    require(permissions.can_handle_petitions(actor))
    if not petition.is_open:
        raise refuse(_("Only an open petition can be escalated."), code="wrong_status")
    reason = text_or_refuse(reason, _("Say why it goes up a level."), field="reason")
    return _escalate(petition, actor, reason)


def petitions_escalate_overdue(*, today: dt.date | None = None) -> int:
    """The daily sweep: every overdue open petition below the district office goes one level up,
    then has `escalate_after_days` before it may go up again."""
    today = today or timezone.localdate()
    settings = PetitionSettings.current()
    escalated = 0
    candidates = (
        Petition.objects.overdue(today)
        .exclude(level=PetitionLevel.DISTRICT)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for pk in list(candidates):
        with transaction.atomic():
            petition = Petition.objects.select_for_update(of=("self",)).select_related("estate__community").get(pk=pk)
            if not petition.is_open or not petition.due_date or petition.due_date >= today:
                continue
            last = timezone.localtime(petition.escalated_at).date() if petition.escalated_at else None
            if not deadlines.may_escalate_again(last, today, settings=settings):
                continue
            if routing.next_level(petition.level) is None:
                continue
            try:
                _escalate(
                    petition,
                    None,
                    Message(gettext_noop("Overdue by %(days)s days"), days=(today - petition.due_date).days),
                    today=today,
                )
            except ValidationError:  # no group above answers for this estate: it stays, overdue, where it is
                continue
            escalated += 1
    return escalated


def petitions_remind(*, today: dt.date | None = None) -> int:
    """Remind each handler once per deadline, `remind_days_before` days ahead."""
    today = today or timezone.localdate()
    settings = PetitionSettings.current()
    horizon = today + dt.timedelta(days=settings.remind_days_before)
    sent = 0
    for petition in (
        Petition.objects.open().filter(due_date__gte=today, due_date__lte=horizon).select_related("handler", "group")
    ):
        if petition.reminded_for == petition.due_date:
            continue
        _tell_handler(
            petition,
            Message(
                gettext_noop("Petition %(ref)s is due on %(date)s"), ref=petition.reference, date=petition.due_date
            ),
        )
        Petition.objects.filter(pk=petition.pk).update(reminded_for=petition.due_date)
        sent += 1
    return sent


@transaction.atomic
def petition_settings_set(
    *,
    actor,
    accept_days: int,
    resolve_days: int,
    max_extension_days: int,
    working_days: bool,
    escalate_after_days: int,
    remind_days_before: int,
    escalation_resolve_days: int | None = None,
) -> PetitionSettings:
    """Change the deadlines. Petitions already received keep the deadlines they were given.

    `escalation_resolve_days`: the fresh deadline the next level gets to resolve an escalated petition (left as it
    is when not given)."""
    require(permissions.can_configure(actor))
    if escalation_resolve_days is None:
        escalation_resolve_days = PetitionSettings.current().escalation_resolve_days
    values = {
        "accept_days": accept_days,
        "resolve_days": resolve_days,
        "max_extension_days": max_extension_days,
        "escalate_after_days": escalate_after_days,
        "remind_days_before": remind_days_before,
        "escalation_resolve_days": escalation_resolve_days,
    }
    for field, value in values.items():
        low = 0 if field in ("max_extension_days", "remind_days_before") else 1
        if value is None or not low <= value <= 365:
            raise refuse(
                _("Give a number of days between %(low)s and 365.") % {"low": low}, code="out_of_range", field=field
            )

    current = PetitionSettings.objects.select_for_update().order_by("id").first()
    if current is None:
        current = PetitionSettings.objects.create(updated_by=actor, working_days=working_days, **values)
        audit_created(actor=actor, instance=current)
        return current
    before = snapshot(current)
    for field, value in values.items():
        setattr(current, field, value)
    current.working_days, current.updated_by = working_days, actor
    save_if_changed(actor=actor, instance=current, before=before)
    return current
