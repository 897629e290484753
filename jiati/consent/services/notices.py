"""Writes on public notices and objections.

A notice posts the plan and the owners' agreement for a period counted in calendar or working days.
An objection — online from an owner, or recorded at a window, by letter or phone — must be answered and
then closed (settled by negotiation, by the subdistrict's mediation, withdrawn, decided by a court, or
found unfounded) before the project may leave the notice stage.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.consent import permissions, selectors
from jiati.consent.models import (
    DayKind,
    NoticeStatus,
    Objection,
    ObjectionChannel,
    ObjectionLevel,
    ObjectionOutcome,
    ObjectionStatus,
    ObjectionStep,
    PublicNotice,
    StepKind,
)
from jiati.core.errors import Refusals, refuse
from jiati.core.services import lock_visible, require
from jiati.core.stored_text import Choice, Message
from jiati.housing.models import Ownership
from jiati.housing.services import phone_clean
from jiati.notifications.services import notify
from jiati.projects.models import EventKind, Project, Status
from jiati.projects.services import project_event_add
from jiati.workdays.services import Calendar

MAX_PERIOD_DAYS = 90
MAX_BACKDATE_DAYS = 7
LEVEL_ORDER = [ObjectionLevel.NEGOTIATION, ObjectionLevel.MEDIATION, ObjectionLevel.COURT]


def notice_url(notice: PublicNotice) -> str:
    return reverse("consent:notice-detail", args=[notice.pk])


def notice_last_day(
    *, starts_on: dt.date, period_days: int, day_kind: str, calendar: Calendar | None = None
) -> dt.date:
    """The last day of a notice of `period_days` starting on `starts_on` (day 1). In working days, the first
    working day on or after `starts_on` is day 1 and weekends and holidays are skipped."""
    if day_kind == DayKind.WORKING:
        return (calendar or Calendar()).add(starts_on - dt.timedelta(days=1), period_days)
    return starts_on + dt.timedelta(days=period_days - 1)


@transaction.atomic
def notice_post(
    *,
    project: Project,
    actor,
    starts_on: dt.date,
    period_days: int,
    day_kind: str = DayKind.CALENDAR,
    title: str = "",
    content: str,
    location: str = "",
) -> PublicNotice:
    """Post the plan and the owners' agreement for objections. Needs a passed owners' vote."""
    require(permissions.can_post_notices(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.status != Status.ACTIVE:
        raise refuse(_("Only an active project can post a notice."), code="project_not_active")
    if not selectors.has_passed_vote(project):
        raise refuse(_("The owners' vote has not passed yet; there is no agreement to post."), code="no_passed_vote")
    today = timezone.localdate()
    with Refusals() as checked:  # every wrong field at once
        if day_kind not in DayKind.values:
            checked.add(refuse(_("Choose calendar or working days."), code="invalid_day_kind", field="day_kind"))
        if not period_days or period_days < 1 or period_days > MAX_PERIOD_DAYS:
            checked.add(
                refuse(
                    _("The period is between 1 and %(max)s days.") % {"max": MAX_PERIOD_DAYS},
                    code="invalid_period",
                    field="period_days",
                )
            )
        if starts_on < today - dt.timedelta(days=MAX_BACKDATE_DAYS):
            checked.add(
                refuse(
                    _("A notice can be recorded at most %(days)s days after it was put up.")
                    % {"days": MAX_BACKDATE_DAYS},
                    code="start_too_early",
                    field="starts_on",
                )
            )
        if not (content or "").strip():
            checked.add(
                refuse(_("Write what is posted: the plan and the owners' agreement."), code="required", field="content")
            )
    if PublicNotice.objects.filter(project=project, status=NoticeStatus.POSTED).exists():
        raise refuse(_("A notice is already posted; withdraw it first."), code="notice_already_posted")
    vote = selectors.current_vote(project)
    ends_on = notice_last_day(starts_on=starts_on, period_days=period_days, day_kind=day_kind)
    try:
        with transaction.atomic():
            notice = PublicNotice.objects.create(
                project=project,
                vote=vote if vote is not None and vote.passed else None,
                typed_title=(title or "").strip()[:200],  # blank: the default title, read in the reader's language
                content=content.strip(),
                location=(location or "").strip()[:255],
                starts_on=starts_on,
                period_days=period_days,
                day_kind=day_kind,
                ends_on=ends_on,
                posted_by=actor,
            )
    except IntegrityError:
        raise refuse(_("A notice is already posted; withdraw it first."), code="notice_already_posted") from None
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(
            gettext_noop("Public notice posted: %(start)s – %(end)s (%(days)s %(kind)s)"),
            start=starts_on,
            end=ends_on,
            days=period_days,
            kind=Choice.of(notice, "day_kind"),
        ),
        data={"consent": "notice_posted", "notice": notice.pk},
    )
    audit_record(
        actor=actor,
        instance=notice,
        action=AuditAction.CREATE,
        changes={
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
            "period": [None, f"{period_days} {day_kind}"],
        },
    )
    return notice


@transaction.atomic
def notice_withdraw(*, notice: PublicNotice, actor, reason: str) -> PublicNotice:
    require(permissions.can_post_notices(actor))
    lock_visible(Project, user=actor, pks=notice.project.pk)
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != NoticeStatus.POSTED:
        raise refuse(_("The notice is already withdrawn."), code="already_withdrawn")
    if not (reason or "").strip():
        raise refuse(_("Give a reason."), code="reason_required", field="reason")
    notice.status, notice.withdrawn_reason = NoticeStatus.WITHDRAWN, reason.strip()[:255]
    notice.save(update_fields=["status", "withdrawn_reason"])
    project_event_add(
        project=notice.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(gettext_noop("Public notice withdrawn: %(reason)s"), reason=notice.withdrawn_reason),
        data={"consent": "notice_withdrawn", "notice": notice.pk},
    )
    audit_record(actor=actor, instance=notice, action=AuditAction.UPDATE, changes={"status": ["posted", "withdrawn"]})
    return notice


# --- objections -----------------------------------------------------------------------


def _tell(project: Project, title: str, url: str) -> None:
    if project.responsible_id:
        notify(recipients=[project.responsible], kind="objection", title=title, body=project.code, url=url)


def _dwelling_owner(dwelling):
    """The dwelling's primary owner (else any recorded owner), or None."""
    ownership = (
        Ownership.objects.filter(dwelling=dwelling).select_related("owner").order_by("-is_primary", "id").first()
    )
    return ownership.owner if ownership else None


@transaction.atomic
def objection_lodge(
    *,
    project: Project,
    content: str,
    channel: str,
    actor=None,
    owner=None,
    dwelling=None,
    name: str = "",
    phone: str = "",
    address: str = "",
) -> Objection:
    """Record an objection: online by an owner of the estate (identified in the portal), or by staff at a window,
    from a letter or a phone call. Staff say who objects: an owner here, found by his dwelling (his name and
    phone come from the housing records unless given), or an outside party named in free text. Who objects
    matters: under a "no objection from other owners" rule only owners of the wider area who are not on the
    vote's roll count (`selectors.objections_from_others`)."""
    checked = Refusals()  # every wrong field at once (raised below, before anything is written)
    if channel == ObjectionChannel.ONLINE:
        if owner is None:
            raise PermissionDenied
        locked = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        if not Ownership.objects.filter(owner=owner, dwelling__estate_id=locked.estate_id).exists():
            raise refuse(
                _("Only owners of this estate can object online; others may come to the service window."),
                code="not_an_owner_here",
            )
        name = owner.name
        phone = owner.phone
        rooms = Ownership.objects.filter(owner=owner, dwelling__estate_id=locked.estate_id).select_related(
            "dwelling__building"
        )
        address = address or "、".join(f"{o.dwelling.building.number}{o.dwelling.room}" for o in rooms[:3])
        dwelling = None
        recorded_by = None
    else:
        if channel not in ObjectionChannel.values:
            raise refuse(_("Say how the objection was received."), code="invalid_channel", field="channel")
        require(actor is not None and permissions.can_record_objections(actor))
        locked = lock_visible(Project, user=actor, pks=project.pk)
        if dwelling is not None:
            if dwelling.estate_id != locked.estate_id:
                checked.add(
                    refuse(
                        _(
                            "This dwelling is not in the project's estate; record someone from elsewhere as an "
                            "outside party."
                        ),
                        code="dwelling_not_in_estate",
                        field="dwelling",
                    )
                )
            elif owner is None:
                owner = _dwelling_owner(dwelling)
            elif not Ownership.objects.filter(owner=owner, dwelling=dwelling).exists():
                checked.add(refuse(_("This owner does not own that dwelling."), code="not_the_owner", field="dwelling"))
            if not address:
                address = f"{dwelling.building.number} {dwelling.stairwell.number} {dwelling.room}"
        elif (
            owner is not None
            and not Ownership.objects.filter(owner=owner, dwelling__estate_id=locked.estate_id).exists()
        ):
            checked.add(
                refuse(
                    _("This owner holds no dwelling in the project's estate; record him as an outside party."),
                    code="not_an_owner_here",
                    field="owner",
                )
            )
        if owner is not None:
            name = name or owner.name
            phone = phone or owner.phone
        recorded_by = actor
    who_refused = bool(checked.errors)  # a wrong dwelling or owner: "who objects?" is not asked again
    if not (content or "").strip():
        checked.add(refuse(_("Write down the objection."), code="required", field="content"))
    if not (name or "").strip() and not who_refused:
        checked.add(
            refuse(
                _("Who objects? Choose the owner's dwelling, or give the name of an outside party."),
                code="required",
                field="name",
            )
        )
    if phone:
        phone = checked(phone_clean, phone)
    if checked.errors:
        raise checked.combined()
    notice = selectors.current_notice(locked)
    objection = Objection.objects.create(
        project=locked,
        notice=notice,
        owner=owner,
        dwelling=dwelling,
        name=name.strip()[:120],
        phone=phone,
        address=(address or "").strip()[:120],
        channel=channel,
        content=content.strip(),
        recorded_by=recorded_by,
    )
    ObjectionStep.objects.create(objection=objection, kind=StepKind.LODGED, text=objection.content, by=recorded_by)
    project_event_add(
        project=locked,
        actor=recorded_by,
        kind=EventKind.OTHER,
        message=Message(gettext_noop("Objection received (%(channel)s)"), channel=Choice.of(objection, "channel")),
        data={"consent": "objection_lodged", "objection": objection.pk},
    )
    audit_record(
        actor=recorded_by,
        instance=objection,
        action=AuditAction.CREATE,
        changes={
            "channel": [None, channel],
            "name": [None, objection.name],
            "owner": [None, owner.pk if owner else None],
            "dwelling": [None, dwelling.pk if dwelling else None],
        },
    )
    _tell(locked, Message(gettext_noop("New objection on %(code)s"), code=locked.code), objection_url(objection))
    return objection


def objection_url(objection: Objection) -> str:
    return reverse("consent:objection-detail", args=[objection.pk])


@transaction.atomic
def objection_answer(*, objection: Objection, actor, text: str) -> Objection:
    """Answer the objector (again, if need be)."""
    require(permissions.can_handle_objections(actor))
    objection = lock_visible(Objection, user=actor, pks=objection.pk)
    if objection.status == ObjectionStatus.CLOSED:
        raise refuse(_("The objection is closed."), code="objection_closed")
    if not (text or "").strip():
        raise refuse(_("Write the answer."), code="required", field="text")
    before = objection.status
    objection.status, objection.response, objection.answered_at = ObjectionStatus.ANSWERED, text.strip(), timezone.now()
    objection.save(update_fields=["status", "response", "answered_at"])
    ObjectionStep.objects.create(
        objection=objection, kind=StepKind.ANSWER, level=objection.level, text=objection.response, by=actor
    )
    audit_record(
        actor=actor,
        instance=objection,
        action=AuditAction.UPDATE,
        changes={"status": [before, objection.status], "response": ["", objection.response]},
    )
    return objection


@transaction.atomic
def objection_escalate(*, objection: Objection, actor, level: str, text: str = "") -> Objection:
    """Take the objection a step further: negotiation → mediation by the subdistrict → court."""
    require(permissions.can_handle_objections(actor))
    objection = lock_visible(Objection, user=actor, pks=objection.pk)
    if objection.status == ObjectionStatus.CLOSED:
        raise refuse(_("The objection is closed."), code="objection_closed")
    if level not in ObjectionLevel.values or LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(objection.level):
        raise refuse(
            _("Escalate to a later step than “%(level)s”.") % {"level": objection.get_level_display()},
            code="invalid_level",
            field="level",
        )
    before = objection.level
    objection.level = level
    objection.save(update_fields=["level"])
    ObjectionStep.objects.create(objection=objection, kind=StepKind.ESCALATED, level=level, text=text.strip(), by=actor)
    project_event_add(
        project=objection.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(gettext_noop("Objection taken to: %(level)s"), level=Choice.of(objection, "level")),
        data={"consent": "objection_escalated", "objection": objection.pk},
    )
    audit_record(actor=actor, instance=objection, action=AuditAction.UPDATE, changes={"level": [before, level]})
    return objection


@transaction.atomic
def objection_close(*, objection: Objection, actor, outcome: str, text: str = "") -> Objection:
    """Close an answered objection with its outcome; an objection the objector withdrew closes without an
    answer. A closed objection does not change."""
    require(permissions.can_handle_objections(actor))
    objection = lock_visible(Objection, user=actor, pks=objection.pk)
    if objection.status == ObjectionStatus.CLOSED:
        raise refuse(_("The objection is closed."), code="objection_closed")
    if outcome not in ObjectionOutcome.values:
        raise refuse(_("Choose how the objection ended."), code="invalid_outcome", field="outcome")
    if objection.status != ObjectionStatus.ANSWERED and outcome != ObjectionOutcome.WITHDRAWN:
        raise refuse(
            _("Answer the objection before closing it (only a withdrawn objection closes without an answer)."),
            code="not_answered",
        )
    needs = {ObjectionOutcome.MEDIATED: ObjectionLevel.MEDIATION, ObjectionOutcome.COURT: ObjectionLevel.COURT}
    if outcome in needs and objection.level != needs[outcome]:
        raise refuse(
            _("Record the step “%(level)s” before closing with this outcome.")
            % {"level": ObjectionLevel(needs[outcome]).label},
            code="outcome_needs_level",
            field="outcome",
        )
    before = objection.status
    objection.status, objection.outcome, objection.closed_at = ObjectionStatus.CLOSED, outcome, timezone.now()
    objection.save(update_fields=["status", "outcome", "closed_at"])
    ObjectionStep.objects.create(
        objection=objection, kind=StepKind.CLOSED, level=objection.level, text=(text or "").strip(), by=actor
    )
    project_event_add(
        project=objection.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(gettext_noop("Objection closed: %(outcome)s"), outcome=Choice.of(objection, "outcome")),
        data={"consent": "objection_closed", "objection": objection.pk},
    )
    audit_record(
        actor=actor,
        instance=objection,
        action=AuditAction.UPDATE,
        changes={"status": [before, "closed"], "outcome": ["", outcome]},
        message=(text or "")[:255],
    )
    return objection
