"""Service windows: their details, the slots residents book, the bookings, and the consultation log.

Capacity holds under concurrent requests: a booking takes its place with one conditional UPDATE
(`booked < capacity`), which the database serialises per row; a check constraint is the backstop.
"""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.scoping import area_q
from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, audit_updated, diff, save_if_changed, snapshot
from jiati.consultation import permissions
from jiati.consultation.models import (
    Booking,
    BookingStatus,
    Channel,
    ConsultationRecord,
    Topic,
    VisitorKind,
    WindowSlot,
)
from jiati.consultation.services.common import sms_after_commit, text_or_refuse
from jiati.core.errors import Refusals, refuse
from jiati.core.personal_data import phone_or_refuse
from jiati.core.services import lock_rows, lock_visible, require
from jiati.core.stored_text import Choice, Message, label
from jiati.housing.models import Estate, Owner, Stairwell
from jiati.notifications.services import notify
from jiati.organisation.models import PropertyOffice, ServiceWindow, WindowKind, Workstation
from jiati.projects.models import EventKind, Project, Status
from jiati.projects.services import project_event_add
from jiati.workdays.services import Calendar

MAX_SLOT_CAPACITY = 50
MAX_OPEN_DAYS = 92
# How many future bookings one owner may hold at once (so that one person cannot take a window's week).
MAX_UPCOMING_BOOKINGS = 3
RECORD_AUDIT_FIELDS = (
    "window",
    "community",
    "estate",
    "stairwell",
    "project",
    "visitor_kind",
    "owner",
    "topic",
    "channel",
    "follow_up_needed",
    "follow_up_by",
    "follow_up_due",
    "booking",
)


def _local(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


# --- windows ---------------------------------------------------------------------


def _staff_on_duty_or_refuse(actor, users) -> list:

    users = list(users or [])
    visible = set(staff_visible_to(user=actor).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True))
    if any(u.pk not in visible for u in users):
        raise refuse(_("Choose staff members of your area."), code="not_in_area", field="staff_on_duty")
    return users


def _window_details(*, name: str, address: str, opening_hours: str, phone: str) -> dict:
    return {
        "name": text_or_refuse(name, _("Name the window."), field="name"),
        "address": (address or "").strip(),
        "opening_hours": (opening_hours or "").strip(),
        "phone": phone_or_refuse(phone, field="phone"),
    }


@transaction.atomic
def window_create(
    *,
    actor,
    name: str,
    workstation: Workstation | None = None,
    property_office: PropertyOffice | None = None,
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
    staff_on_duty=(),
) -> ServiceWindow:
    """Open a window at a community workstation or a property office of the actor's area."""
    require(permissions.can_manage_windows(actor))
    if (workstation is None) == (property_office is None):
        raise refuse(
            _("Choose either a community workstation or a property office."), code="one_place", field="workstation"
        )

    if workstation is not None:
        if (
            not Workstation.objects.filter(pk=workstation.pk)
            .filter(area_q(actor, region_path="community__path", property_office=None))
            .exists()
        ):
            raise PermissionDenied
        kind, community_id = WindowKind.WORKSTATION, workstation.community_id
    else:
        if not PropertyOffice.objects.visible_to(actor).filter(pk=property_office.pk).exists():
            raise PermissionDenied
        kind, community_id = WindowKind.PROPERTY_OFFICE, property_office.community_id
    details = _window_details(name=name, address=address, opening_hours=opening_hours, phone=phone)
    staff = _staff_on_duty_or_refuse(actor, staff_on_duty)
    window = ServiceWindow.objects.create(
        kind=kind, workstation=workstation, property_office=property_office, community_id=community_id, **details
    )
    window.staff_on_duty.set(staff)
    audit_created(actor=actor, instance=window)
    return window


@transaction.atomic
def window_update(
    *,
    actor,
    window: ServiceWindow,
    name: str,
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
    staff_on_duty=(),
    is_active: bool = True,
) -> ServiceWindow:
    """Change a window's details, who is on duty there, and whether it is open."""
    require(permissions.can_manage_windows(actor))
    window = lock_visible(ServiceWindow, user=actor, pks=window.pk)
    details = _window_details(name=name, address=address, opening_hours=opening_hours, phone=phone)
    staff = _staff_on_duty_or_refuse(actor, staff_on_duty)
    before = snapshot(window)  # kept whole: its stored values tell changes that mask alike apart
    staff_before = sorted(window.staff_on_duty.values_list("pk", flat=True))
    for key, value in details.items():
        setattr(window, key, value)
    window.is_active = bool(is_active)
    save_if_changed(actor=actor, instance=window, before=before)
    window.staff_on_duty.set(staff)
    after_staff = sorted(u.pk for u in staff)
    if staff_before != after_staff:
        audit_record(
            actor=actor,
            instance=window,
            action=AuditAction.UPDATE,
            changes={"staff_on_duty": [staff_before, after_staff]},
        )
    return window


# --- slots ---------------------------------------------------------------------


@transaction.atomic
def slots_open(
    *,
    actor,
    window: ServiceWindow,
    first_day: dt.date,
    last_day: dt.date,
    weekdays: set[int] | frozenset[int] = frozenset(range(5)),
    times: list[tuple[dt.time, dt.time]],
    capacity: int,
    skip_holidays: bool = True,
) -> list[WindowSlot]:
    """Offer bookable slots at a window on the chosen weekdays of a date range (existing ones are kept)."""
    require(permissions.can_manage_windows(actor))
    window = lock_visible(ServiceWindow, user=actor, pks=window.pk)
    if not window.is_active:
        raise refuse(_("The window is closed; open it before offering slots."), code="window_closed")
    today = timezone.localdate()
    with Refusals() as checked:  # every wrong field at once (issue 13)
        if first_day < today:
            checked.add(refuse(_("The first day is in the past."), code="past_date", field="first_day"))
        if last_day < first_day:
            checked.add(refuse(_("The last day is before the first day."), code="ends_before_start", field="last_day"))
        elif (last_day - first_day).days >= MAX_OPEN_DAYS:
            checked.add(
                refuse(
                    _("Open at most %(days)s days at a time.") % {"days": MAX_OPEN_DAYS},
                    code="range_too_long",
                    field="last_day",
                )
            )
        if not 1 <= capacity <= MAX_SLOT_CAPACITY:
            checked.add(
                refuse(
                    _("A slot has between 1 and %(max)s places.") % {"max": MAX_SLOT_CAPACITY},
                    code="capacity_range",
                    field="capacity",
                )
            )
        if not times:
            checked.add(refuse(_("Give at least one time, such as 09:00-09:30."), code="required", field="times"))
        for start, end in times:
            if end <= start:
                checked.add(
                    refuse(
                        _("The time %(start)s-%(end)s ends before it starts.")
                        % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")},
                        code="ends_before_start",
                        field="times",
                    )
                )
                break
        if not weekdays:
            checked.add(refuse(_("Choose at least one weekday."), code="required", field="weekdays"))

    calendar = Calendar()
    now = timezone.now()
    wanted = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays and (not skip_holidays or calendar.is_working_day(day)):
            for start, end in times:
                starts_at = timezone.make_aware(dt.datetime.combine(day, start))
                if starts_at > now:
                    wanted.append((starts_at, timezone.make_aware(dt.datetime.combine(day, end))))
        day += dt.timedelta(days=1)
    existing = set(
        WindowSlot.objects.filter(window=window, starts_at__in=[s for s, _e in wanted]).values_list(
            "starts_at", flat=True
        )
    )
    slots = WindowSlot.objects.bulk_create(
        WindowSlot(window=window, starts_at=s, ends_at=e, capacity=capacity, created_by=actor)
        for s, e in wanted
        if s not in existing
    )
    if slots:
        audit_record(
            actor=actor,
            instance=window,
            action=AuditAction.EVENT,
            changes={"slots_opened": [None, len(slots)], "capacity": [None, capacity]},
            message=f"{first_day.isoformat()} – {last_day.isoformat()}",
        )
    return slots


@transaction.atomic
def slot_set_capacity(*, actor, slot: WindowSlot, capacity: int) -> WindowSlot:
    require(permissions.can_manage_windows(actor))
    slot = lock_visible(WindowSlot.objects, user=actor, pks=slot.pk)
    if not 1 <= capacity <= MAX_SLOT_CAPACITY:
        raise refuse(
            _("A slot has between 1 and %(max)s places.") % {"max": MAX_SLOT_CAPACITY},
            code="capacity_range",
            field="capacity",
        )
    if capacity < slot.booked:
        raise refuse(
            _("%(booked)s places are already booked; the slot cannot have fewer places.") % {"booked": slot.booked},
            code="below_booked",
            field="capacity",
        )
    before = snapshot(slot, ["capacity"])
    slot.capacity = capacity
    slot.save(update_fields=["capacity"])
    audit_updated(actor=actor, instance=slot, before=before)
    return slot


@transaction.atomic
def slot_cancel(*, actor, slot: WindowSlot, reason: str) -> WindowSlot:
    """Withdraw a slot; everyone booked in it is told by text message."""
    require(permissions.can_manage_windows(actor))
    slot = lock_visible(WindowSlot.objects.select_related("window"), user=actor, pks=slot.pk)
    if slot.is_cancelled:
        raise refuse(_("This slot is already cancelled."), code="already_cancelled")
    reason = text_or_refuse(reason, _("Give a reason."), field="reason")
    bookings = list(Booking.objects.select_for_update().filter(slot=slot, status=BookingStatus.BOOKED))
    now = timezone.now()
    for booking in bookings:
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
        booking.save(update_fields=["status", "cancelled_at"])
        sms_after_commit(
            booking.phone,
            _("Sorry: booking %(ref)s at %(window)s on %(time)s is cancelled (%(reason)s). Please book another time.")
            % {"ref": booking.reference, "window": slot.window.name, "time": _local(slot.starts_at), "reason": reason},
        )
    slot.is_cancelled, slot.cancel_reason, slot.booked = True, reason[:255], 0
    slot.save(update_fields=["is_cancelled", "cancel_reason", "booked"])
    audit_record(
        actor=actor,
        instance=slot,
        action=AuditAction.UPDATE,
        changes={"is_cancelled": [False, True], "bookings_cancelled": [None, len(bookings)]},
        message=reason[:255],
    )
    return slot


# --- bookings --------------------------------------------------------------------


def _booking_text(booking: Booking, slot: WindowSlot) -> str:
    window = slot.window
    return _(
        "Booked: %(window)s, %(time)s (booking %(ref)s). Address: %(address)s. To cancel, use the resident portal."
    ) % {
        "window": window.name,
        "time": _local(slot.starts_at),
        "ref": booking.reference,
        "address": window.address or "—",
    }


def booking_create(
    *,
    slot: WindowSlot,
    name: str,
    phone: str,
    topic: str = Topic.POLICY,
    note: str = "",
    owner: Owner | None = None,
    actor=None,
) -> Booking:
    """Book one place in a slot: by the signed-in owner on the portal (actor None), or by window staff.

    Refused for a full, past or withdrawn slot, for a second booking of the same slot by one owner,
    and beyond MAX_UPCOMING_BOOKINGS. The resident gets the confirmation by text message.
    """
    if actor is None:
        if owner is None:
            raise PermissionDenied
    else:
        require(permissions.can_manage_windows(actor))
        if not WindowSlot.objects.visible_to(actor).filter(pk=slot.pk).exists():
            raise PermissionDenied
    with Refusals() as checked:  # every wrong field at once
        name = (checked(text_or_refuse, name, _("Give your name."), field="name") or "")[:120]
        phone = checked(phone_or_refuse, phone, field="phone", required=True)
        if topic not in Topic.values:
            checked.add(refuse(_("Choose a topic."), code="invalid_choice", field="topic"))
    with transaction.atomic():
        if owner is not None:
            # One owner's requests for different slots queue here (the owner row, then the slot: always in this
            # order), so the limit on upcoming bookings holds however many arrive at once.
            Owner.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True).first()
        slot = WindowSlot.objects.select_for_update(of=("self",)).select_related("window").get(pk=slot.pk)
        if slot.is_cancelled or not slot.window.is_active:
            raise refuse(_("This time is no longer offered; choose another."), code="slot_cancelled", field="slot")
        if slot.starts_at <= timezone.now():
            raise refuse(_("This time has already passed; choose a later one."), code="slot_past", field="slot")
        if owner is not None:
            live = Booking.objects.filter(owner=owner, status=BookingStatus.BOOKED)
            if live.filter(slot=slot).exists():
                raise refuse(_("You have already booked this time."), code="already_booked", field="slot")
            if live.filter(slot__starts_at__gt=timezone.now()).count() >= MAX_UPCOMING_BOOKINGS:
                raise refuse(
                    _("You already hold %(n)s bookings; cancel one before booking another.")
                    % {"n": MAX_UPCOMING_BOOKINGS},
                    code="too_many_bookings",
                    field="slot",
                )
        # Take the place: one conditional UPDATE, so two requests can never both take the last place.
        taken = WindowSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
        if not taken:
            raise refuse(_("This time is fully booked; choose another."), code="slot_full", field="slot")
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    slot=slot,
                    window=slot.window,
                    owner=owner,
                    reference=uuid4().hex[:16],
                    name=name,
                    phone=phone,
                    topic=topic,
                    note=(note or "").strip()[:500],
                    created_by=actor,
                )
        except IntegrityError:  # the same owner's other click got there first
            raise refuse(_("You have already booked this time."), code="already_booked", field="slot") from None
        booking.reference = f"B{booking.pk:07d}"
        booking.save(update_fields=["reference"])
        audit_record(
            actor=actor,
            instance=booking,
            action=AuditAction.CREATE,
            changes={"slot": [None, slot.pk], "owner": [None, owner.pk if owner else None], "topic": [None, topic]},
        )
        sms_after_commit(phone, _booking_text(booking, slot))
        _tell_window_staff(
            slot, Message(gettext_noop("New booking %(ref)s for %(time)s"), ref=booking.reference, time=slot.starts_at)
        )
    return booking


def _tell_window_staff(slot: WindowSlot, title: str) -> None:

    notify(
        recipients=slot.window.staff_on_duty.all(),
        kind="booking",
        title=title,
        body=slot.window.name,
        url=reverse("consultation:window-detail", args=[slot.window_id]),
    )


@transaction.atomic
def booking_cancel(*, booking: Booking, owner: Owner | None = None, actor=None, reason: str = "") -> Booking:
    """Cancel a booking: the owner (portal) before the slot starts, or window staff."""
    if actor is None:
        if owner is None or booking.owner_id != owner.pk:
            raise PermissionDenied
        booking = lock_rows(Booking.objects.filter(owner=owner), pks=booking.pk)
    else:
        require(permissions.can_manage_windows(actor))
        booking = lock_visible(Booking.objects, user=actor, pks=booking.pk)
    if booking.status != BookingStatus.BOOKED:
        raise refuse(_("This booking is not live any more."), code="not_live")
    slot = booking.slot
    if actor is None and slot.starts_at <= timezone.now():
        raise refuse(_("The booked time has passed."), code="slot_past")
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    WindowSlot.objects.filter(pk=slot.pk, booked__gt=0).update(booked=F("booked") - 1)
    audit_record(
        actor=actor,
        instance=booking,
        action=AuditAction.UPDATE,
        changes={"status": [BookingStatus.BOOKED, BookingStatus.CANCELLED]},
        message=(reason or "")[:255],
    )
    if actor is not None:
        sms_after_commit(
            booking.phone,
            _("Your booking %(ref)s on %(time)s was cancelled by the window. %(reason)s")
            % {"ref": booking.reference, "time": _local(slot.starts_at), "reason": reason},
        )
    else:
        _tell_window_staff(
            slot, Message(gettext_noop("Booking %(ref)s cancelled by the resident"), ref=booking.reference)
        )
    return booking


@transaction.atomic
def booking_mark(*, actor, booking: Booking, attended: bool) -> Booking:
    """Record whether the resident came."""
    require(permissions.can_manage_windows(actor))
    booking = lock_visible(Booking.objects, user=actor, pks=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        raise refuse(_("This booking was cancelled."), code="not_live")
    if booking.slot.starts_at > timezone.now():
        raise refuse(_("The booked time has not come yet."), code="too_early")
    new = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
    before = booking.status
    booking.status = new
    booking.save(update_fields=["status"])
    audit_record(actor=actor, instance=booking, action=AuditAction.UPDATE, changes={"status": [before, new]})
    return booking


def bookings_remind(*, today: dt.date | None = None) -> int:
    """Text a reminder to everyone booked for tomorrow (once each)."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    end = start + dt.timedelta(days=1)
    sent = 0
    due = Booking.objects.filter(
        status=BookingStatus.BOOKED, reminded_at__isnull=True, slot__starts_at__gte=start, slot__starts_at__lt=end
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("slot__window")
                .filter(pk=pk, reminded_at__isnull=True, status=BookingStatus.BOOKED)
                .first()
            )
            if booking is None:
                continue
            booking.reminded_at = timezone.now()
            booking.save(update_fields=["reminded_at"])
            slot = booking.slot
            sms_after_commit(
                booking.phone,
                _("Reminder: tomorrow %(time)s at %(window)s (%(address)s), booking %(ref)s.")
                % {
                    "time": _local(slot.starts_at),
                    "window": slot.window.name,
                    "address": slot.window.address or "—",
                    "ref": booking.reference,
                },
            )
            sent += 1
    return sent


# --- consultation records ------------------------------------------------------------


@transaction.atomic
def consultation_record(
    *,
    actor,
    topic: str,
    answer: str,
    channel: str = Channel.WALK_IN,
    window: ServiceWindow | None = None,
    estate: Estate | None = None,
    stairwell: Stairwell | None = None,
    owner: Owner | None = None,
    visitor_kind: str = VisitorKind.OWNER,
    visitor_name: str = "",
    visitor_phone: str = "",
    question: str = "",
    follow_up_needed: bool = False,
    follow_up_by=None,
    follow_up_due: dt.date | None = None,
    booking: Booking | None = None,
    consulted_at: dt.datetime | None = None,
) -> ConsultationRecord:
    """Log one consultation (in under a minute: topic, channel and the answer are all that is required)."""
    require(permissions.can_record_consultations(actor))
    if window is not None and not ServiceWindow.objects.visible_to(actor).filter(pk=window.pk).exists():
        raise PermissionDenied
    if estate is not None and not Estate.objects.visible_to(actor).filter(pk=estate.pk).exists():
        raise PermissionDenied
    if stairwell is not None and not Stairwell.objects.visible_to(actor).filter(pk=stairwell.pk).exists():
        raise PermissionDenied
    if owner is not None and not Owner.objects.visible_to(actor).filter(pk=owner.pk).exists():
        raise PermissionDenied
    with Refusals() as checked:  # every wrong field at once (issue 13)
        if topic not in Topic.values:
            checked.add(refuse(_("Choose a topic."), code="invalid_choice", field="topic"))
        if channel not in Channel.values:
            checked.add(refuse(_("Choose how they asked."), code="invalid_choice", field="channel"))
        if visitor_kind not in VisitorKind.values:
            checked.add(refuse(_("Choose who asked."), code="invalid_choice", field="visitor_kind"))
        answer = checked(text_or_refuse, answer, _("Write down the answer given."), field="answer")
        if stairwell is not None and estate is not None and stairwell.estate_id != estate.pk:
            checked.add(refuse(_("The stairwell is not in this estate."), code="other_estate", field="stairwell"))
        if window is None and estate is None and stairwell is None:
            checked.add(refuse(_("Choose the window or the estate concerned."), code="where_required", field="estate"))
        if follow_up_needed:
            if follow_up_by is None:
                checked.add(refuse(_("Name who follows it up."), code="follow_up_owner_required", field="follow_up_by"))
            elif not staff_visible_to(user=actor).filter(pk=follow_up_by.pk).exists():
                checked.add(refuse(_("Choose a staff member of your area."), code="not_in_area", field="follow_up_by"))
            if follow_up_due is None:
                checked.add(
                    refuse(_("Give the follow-up's due date."), code="follow_up_due_required", field="follow_up_due")
                )
            elif follow_up_due < timezone.localdate():
                checked.add(refuse(_("The due date is in the past."), code="past_date", field="follow_up_due"))
        phone = checked(phone_or_refuse, visitor_phone, field="visitor_phone")
    if stairwell is not None:
        estate = estate or stairwell.estate
    if not follow_up_needed:
        follow_up_by, follow_up_due = None, None
    community_id = estate.community_id if estate is not None else window.community_id
    property_office_id = (
        window.property_office_id
        if window is not None and window.property_office_id
        else (estate.property_office_id if estate is not None else None)
    )
    name = (visitor_name or "").strip() or (owner.name if owner else "")
    if booking is not None:
        booking = lock_visible(Booking.objects, user=actor, pks=booking.pk)
        if window is not None and booking.window_id != window.pk:
            raise refuse(_("The booking is for another window."), code="other_window", field="booking")
        if booking.status == BookingStatus.CANCELLED:
            raise refuse(_("This booking was cancelled."), code="not_live", field="booking")
        if ConsultationRecord.objects.filter(booking=booking).exists():
            raise refuse(_("This booking's consultation is already logged."), code="already_logged", field="booking")
        owner = owner or booking.owner
        name = name or booking.name
        phone = phone or booking.phone
        if booking.status == BookingStatus.BOOKED:
            booking.status = BookingStatus.ATTENDED
            booking.save(update_fields=["status"])
    project = None
    if stairwell is not None:
        project = Project.objects.filter(stairwell=stairwell).exclude(status=Status.WITHDRAWN).first()
    record = ConsultationRecord.objects.create(
        window=window,
        community_id=community_id,
        property_office_id=property_office_id,
        estate=estate,
        stairwell=stairwell,
        project=project,
        visitor_kind=visitor_kind,
        owner=owner,
        visitor_name=name[:120],
        visitor_phone=phone,
        topic=topic,
        channel=channel,
        question=(question or "").strip(),
        answer=answer,
        follow_up_needed=bool(follow_up_needed),
        follow_up_by=follow_up_by,
        follow_up_due=follow_up_due,
        booking=booking,
        recorded_by=actor,
        consulted_at=consulted_at or timezone.now(),
    )
    # The visitor's name and phone stay out of the audit trail (it is shown to everyone who sees the record).
    audit_record(
        actor=actor,
        instance=record,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(record, RECORD_AUDIT_FIELDS)),
    )
    if project is not None:
        project_event_add(
            project=project,
            actor=actor,
            kind=EventKind.OTHER,
            message=Message(
                gettext_noop("Consultation (%(channel)s): %(topic)s"),
                channel=Choice.of(record, "channel"),
                topic=Choice.of(record, "topic"),
            ),
            data={"consultation": record.pk},
        )
    if follow_up_needed and follow_up_by.pk != actor.pk:
        notify(
            recipients=[follow_up_by],
            kind="consultation",
            title=Message(gettext_noop("Consultation to follow up by %(date)s"), date=follow_up_due),
            body=label(record, "topic"),
            url=reverse("consultation:record-detail", args=[record.pk]),
        )
    return record


@transaction.atomic
def consultation_follow_up_done(*, actor, record: ConsultationRecord, result: str) -> ConsultationRecord:
    require(permissions.can_record_consultations(actor))
    record = lock_visible(ConsultationRecord.objects, user=actor, pks=record.pk)
    if not record.follow_up_needed:
        raise refuse(_("This consultation needs no follow-up."), code="no_follow_up")
    if record.follow_up_done_at is not None:
        raise refuse(_("The follow-up is already done."), code="already_done")
    result = text_or_refuse(result, _("Say what was done."), field="result")
    before = snapshot(record, ["follow_up_done_at", "follow_up_result"])
    record.follow_up_done_at, record.follow_up_result = timezone.now(), result
    record.save(update_fields=["follow_up_done_at", "follow_up_result"])
    audit_updated(actor=actor, instance=record, before=before)
    return record
