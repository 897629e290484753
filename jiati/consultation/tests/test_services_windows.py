"""Windows, slots, bookings and the consultation log: every rule, every refusal, nothing changed on refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.consultation.models import Booking, BookingStatus, ConsultationRecord, Topic, WindowSlot
from jiati.consultation.services import windows as services
from jiati.consultation.services.windows import MAX_UPCOMING_BOOKINGS
from jiati.consultation.tests.conftest import codes, fields, make_slot, owners_of
from jiati.notifications.models import Notification
from jiati.organisation.models import ServiceWindow, Workstation
from jiati.projects.models import ProjectEvent

TOMORROW = lambda: timezone.localdate() + dt.timedelta(days=1)  # noqa: E731


def book(slot, owner, **overrides):
    data = {"slot": slot, "owner": owner, "name": owner.name, "phone": "13900001111", "topic": Topic.COST}
    return services.booking_create(**(data | overrides))


# --- windows ----------------------------------------------------------------------


def test_window_update_is_audited_with_its_staff(world, window):
    community = world.users["community"]
    services.window_update(
        actor=community,
        window=window,
        name="新木社区加梯办事窗口",
        address="新木路1号一楼",
        opening_hours="周一至周五 9:00-18:00",
        phone="0755-28888888",
        staff_on_duty=[community],
        is_active=True,
    )
    window.refresh_from_db()
    assert window.name == "新木社区加梯办事窗口" and window.phone == "0755-28888888"
    assert AuditEntry.objects.filter(object_id=str(window.pk), action="update").exists()


def test_window_update_refusals(world, window):
    community = world.users["community"]
    with pytest.raises(ValidationError) as exc:
        services.window_update(actor=community, window=window, name=" ")
    assert fields(exc) == {"name"}
    with pytest.raises(ValidationError) as exc:
        services.window_update(
            actor=community, window=window, name="窗口", staff_on_duty=[world.users["other_district"]]
        )
    assert codes(exc) == {"not_in_area"}
    for role in ("other_community", "contractor", "resident"):
        with pytest.raises(PermissionDenied):
            services.window_update(actor=world.users[role], window=window, name="被改了")
    window.refresh_from_db()
    assert window.name == "新木窗口"


def test_window_create_at_a_workstation_of_the_area(world):
    station = Workstation.objects.get(community=world.regions["A1a"])
    window = services.window_create(actor=world.users["community"], name="新木第二窗口", workstation=station)
    assert window.kind == "workstation" and window.community == world.regions["A1a"]
    with pytest.raises(PermissionDenied):
        services.window_create(actor=world.users["other_district"], name="x", workstation=station)
    with pytest.raises(ValidationError) as exc:
        services.window_create(
            actor=world.users["community"], name="x", workstation=station, property_office=world.offices["po_a1a"]
        )
    assert codes(exc) == {"one_place"}
    assert ServiceWindow.objects.filter(name="x").count() == 0


# --- slots ----------------------------------------------------------------------


def test_slots_open_on_weekdays_skipping_existing_ones(world, window):
    first = TOMORROW()
    last = first + dt.timedelta(days=13)
    times = [(dt.time(9), dt.time(9, 30)), (dt.time(14, 30), dt.time(15))]
    slots = services.slots_open(
        actor=world.users["community"],
        window=window,
        first_day=first,
        last_day=last,
        times=times,
        capacity=3,
        skip_holidays=False,
    )
    weekdays = sum(1 for n in range(14) if (first + dt.timedelta(days=n)).weekday() < 5)
    assert len(slots) == 2 * weekdays
    again = services.slots_open(
        actor=world.users["community"],
        window=window,
        first_day=first,
        last_day=last,
        times=times,
        capacity=3,
        skip_holidays=False,
    )
    assert again == [] and WindowSlot.objects.count() == 2 * weekdays


def test_slots_skip_public_holidays(world, window):
    from jiati.workdays.models import CalendarDay

    day = TOMORROW()
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    CalendarDay.objects.create(date=day, is_working_day=False, name="假日")
    slots = services.slots_open(
        actor=world.users["community"],
        window=window,
        first_day=day,
        last_day=day,
        times=[(dt.time(9), dt.time(9, 30))],
        capacity=2,
    )
    assert slots == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"first_day": dt.date(2020, 1, 1)}, "past_date"),
        ({"last_day": "before"}, "ends_before_start"),
        ({"last_day": "far"}, "range_too_long"),
        ({"capacity": 0}, "capacity_range"),
        ({"capacity": 51}, "capacity_range"),
        ({"times": []}, "required"),
        ({"times": [(dt.time(10), dt.time(9))]}, "ends_before_start"),
        ({"weekdays": set()}, "required"),
    ],
)
def test_slot_refusals(world, window, overrides, code):
    first = TOMORROW()
    data = {
        "actor": world.users["community"],
        "window": window,
        "first_day": first,
        "last_day": first + dt.timedelta(days=5),
        "times": [(dt.time(9), dt.time(9, 30))],
        "capacity": 3,
        "weekdays": set(range(7)),
    }
    if overrides.get("last_day") == "before":
        overrides["last_day"] = first - dt.timedelta(days=1)
    if overrides.get("last_day") == "far":
        overrides["last_day"] = first + dt.timedelta(days=200)
    with pytest.raises(ValidationError) as exc:
        services.slots_open(**(data | overrides))
    assert code in codes(exc)
    assert not WindowSlot.objects.exists()


def test_cancelling_a_slot_cancels_its_bookings_and_texts_them(world, slot, sms, django_capture_on_commit_callbacks):
    owner = owners_of(world)[0]
    booking = book(slot, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.slot_cancel(actor=world.users["community"], slot=slot, reason="窗口临时停业")
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and slot.is_cancelled and slot.booked == 0
    assert any(booking.reference in text and "窗口临时停业" in text for _p, text in sms)


def test_capacity_cannot_drop_below_bookings(world, slot):
    for owner in owners_of(world)[:2]:
        book(slot, owner)
    with pytest.raises(ValidationError) as exc:
        services.slot_set_capacity(actor=world.users["community"], slot=slot, capacity=1)
    assert codes(exc) == {"below_booked"}
    assert services.slot_set_capacity(actor=world.users["community"], slot=slot, capacity=5).capacity == 5


# --- bookings -------------------------------------------------------------------


def test_a_booking_takes_a_place_and_is_confirmed_by_text(world, slot, sms, django_capture_on_commit_callbacks):
    owner = owners_of(world)[0]
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(slot, owner)
    slot.refresh_from_db()
    assert slot.booked == 1 and booking.reference == f"B{booking.pk:07d}"
    assert sms and sms[-1][0] == "13900001111" and booking.reference in sms[-1][1] and "新木路1号" in sms[-1][1]
    assert Notification.objects.filter(recipient=world.users["community"], kind="booking").exists()


def test_a_full_slot_is_refused(world, window):
    slot = make_slot(window, capacity=1)
    first, second = owners_of(world)[:2]
    book(slot, first)
    with pytest.raises(ValidationError) as exc:
        book(slot, second)
    assert codes(exc) == {"slot_full"} and fields(exc) == {"slot"}
    slot.refresh_from_db()
    assert slot.booked == 1 and Booking.objects.count() == 1


def test_a_past_or_cancelled_slot_is_refused(world, window):
    owner = owners_of(world)[0]
    past = make_slot(window, days=-1)
    with pytest.raises(ValidationError) as exc:
        book(past, owner)
    assert codes(exc) == {"slot_past"}
    cancelled = make_slot(window, days=3)
    services.slot_cancel(actor=world.users["community"], slot=cancelled, reason="停电")
    with pytest.raises(ValidationError) as exc:
        book(cancelled, owner)
    assert codes(exc) == {"slot_cancelled"}
    assert not Booking.objects.exists()


def test_one_owner_books_a_slot_once_and_holds_few_bookings(world, window):
    owner = owners_of(world)[0]
    slots = [make_slot(window, hour=8 + n) for n in range(MAX_UPCOMING_BOOKINGS + 1)]
    book(slots[0], owner)
    with pytest.raises(ValidationError) as exc:
        book(slots[0], owner)
    assert codes(exc) == {"already_booked"}
    for slot in slots[1:MAX_UPCOMING_BOOKINGS]:
        book(slot, owner)
    with pytest.raises(ValidationError) as exc:
        book(slots[-1], owner)
    assert codes(exc) == {"too_many_bookings"}
    assert Booking.objects.count() == MAX_UPCOMING_BOOKINGS


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"phone": ""}, "phone"), ({"phone": "123"}, "phone"), ({"name": " "}, "name"), ({"topic": "x"}, "topic")],
)
def test_booking_input_is_checked(world, slot, overrides, field):
    with pytest.raises(ValidationError) as exc:
        book(slot, owners_of(world)[0], **overrides)
    assert fields(exc) == {field}
    slot.refresh_from_db()
    assert slot.booked == 0


def test_the_owner_cancels_and_the_place_is_free_again(world, window):
    slot = make_slot(window, capacity=1)
    owner, other = owners_of(world)[:2]
    booking = book(slot, owner)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, owner=other)
    services.booking_cancel(booking=booking, owner=owner)
    slot.refresh_from_db()
    assert slot.booked == 0
    with pytest.raises(ValidationError) as exc:
        services.booking_cancel(booking=booking, owner=owner)
    assert codes(exc) == {"not_live"}
    assert book(slot, other).status == BookingStatus.BOOKED


def test_staff_book_for_a_caller_and_mark_attendance(world, window):
    slot = make_slot(window)
    soon = timezone.now() + dt.timedelta(minutes=5)
    WindowSlot.objects.filter(pk=slot.pk).update(starts_at=soon, ends_at=soon + dt.timedelta(minutes=30))
    slot.refresh_from_db()
    booking = services.booking_create(actor=world.users["community"], slot=slot, name="来电居民", phone="13700001111")
    assert booking.owner is None and booking.created_by == world.users["community"]
    with pytest.raises(ValidationError) as exc:
        services.booking_mark(actor=world.users["community"], booking=booking, attended=True)
    assert codes(exc) == {"too_early"}
    WindowSlot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))  # it has begun
    assert services.booking_mark(actor=world.users["community"], booking=booking, attended=False).status == "no_show"
    with pytest.raises(PermissionDenied):
        services.booking_create(actor=world.users["other_community"], slot=slot, name="x", phone="13700001111")


def test_reminders_go_once_to_tomorrows_bookings(world, window, sms, django_capture_on_commit_callbacks):
    tomorrow = make_slot(window, days=1)
    later = make_slot(window, days=3)
    owners = owners_of(world)
    book(tomorrow, owners[0])
    book(later, owners[1])
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bookings_remind() == 1
    assert len(sms) == 1 and "新木窗口" in sms[0][1]
    assert services.bookings_remind() == 0


# --- consultation records ----------------------------------------------------------------


def test_a_consultation_needs_only_topic_channel_and_answer(world, window, project):
    record = services.consultation_record(
        actor=world.users["community"], window=window, topic=Topic.SUBSIDY, answer="按每台约12.6万元补贴。"
    )
    assert record.community == window.community and record.estate is None
    full = services.consultation_record(
        actor=world.users["community"],
        window=window,
        stairwell=world.stairwells["a1a"],
        topic=Topic.COST,
        channel="phone",
        answer="按面积分摊",
        visitor_name="李阿姨",
        visitor_phone="13500001111",
    )
    assert full.estate == world.estates["a1a"] and full.project == project
    assert ProjectEvent.objects.filter(project=project, data__consultation=full.pk).exists()
    entry = AuditEntry.objects.get(object_id=str(full.pk), action="create", content_type__model="consultationrecord")
    assert "李阿姨" not in str(entry.changes) and "13500001111" not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"answer": " "}, "required", "answer"),
        ({"topic": "gossip"}, "invalid_choice", "topic"),
        ({"window": None}, "where_required", "estate"),
        ({"follow_up_needed": True}, "follow_up_owner_required", "follow_up_by"),
        ({"follow_up_needed": True, "follow_up_by": "community"}, "follow_up_due_required", "follow_up_due"),
        (
            {"follow_up_needed": True, "follow_up_by": "community", "follow_up_due": dt.date(2020, 1, 1)},
            "past_date",
            "follow_up_due",
        ),
        (
            {"follow_up_needed": True, "follow_up_by": "other_district", "follow_up_due": "soon"},
            "not_in_area",
            "follow_up_by",
        ),
        ({"visitor_phone": "abc"}, "invalid_phone", "visitor_phone"),
    ],
)
def test_consultation_refusals(world, window, overrides, code, field):
    data = {"actor": world.users["community"], "window": window, "topic": Topic.POLICY, "answer": "已解答"}
    if isinstance(overrides.get("follow_up_by"), str):
        overrides["follow_up_by"] = world.users[overrides["follow_up_by"]]
    if overrides.get("follow_up_due") == "soon":
        overrides["follow_up_due"] = TOMORROW()
    with pytest.raises(ValidationError) as exc:
        services.consultation_record(**(data | overrides))
    assert code in codes(exc) and field in fields(exc)
    assert not ConsultationRecord.objects.exists()


def test_follow_up_is_assigned_and_done(world, window, liaison):
    record = services.consultation_record(
        actor=world.users["community"],
        window=window,
        topic=Topic.DISPUTE,
        answer="约双方下周面谈",
        follow_up_needed=True,
        follow_up_by=liaison,
        follow_up_due=TOMORROW(),
    )
    assert Notification.objects.filter(recipient=liaison, kind="consultation").exists()
    with pytest.raises(ValidationError):
        services.consultation_follow_up_done(actor=liaison, record=record, result="")
    record = services.consultation_follow_up_done(actor=liaison, record=record, result="已面谈，达成一致")
    assert record.follow_up_done_at
    with pytest.raises(ValidationError) as exc:
        services.consultation_follow_up_done(actor=liaison, record=record, result="again")
    assert codes(exc) == {"already_done"}


def test_a_booking_logged_as_a_consultation_counts_as_attended(world, slot):
    booking = book(slot, owners_of(world)[0], note="想问补贴")
    record = services.consultation_record(
        actor=world.users["community"], window=slot.window, topic=Topic.SUBSIDY, answer="已解答", booking=booking
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED and record.owner == booking.owner
    assert record.visitor_phone == booking.phone
    with pytest.raises(ValidationError) as exc:
        services.consultation_record(
            actor=world.users["community"], window=slot.window, topic=Topic.SUBSIDY, answer="x", booking=booking
        )
    assert codes(exc) == {"already_logged"}


def test_only_front_line_staff_log_consultations(world, window):
    for role in ("finance", "contractor", "resident"):
        with pytest.raises(PermissionDenied):
            services.consultation_record(actor=world.users[role], window=window, topic=Topic.POLICY, answer="x")
    with pytest.raises(PermissionDenied):
        services.consultation_record(
            actor=world.users["other_community"], window=window, topic=Topic.POLICY, answer="x"
        )


def test_opening_slots_names_every_wrong_field_at_once(world, window):
    """Issue 13: a day in the past hid a wrong capacity, a reversed time and no weekday."""
    with pytest.raises(ValidationError) as exc:
        services.slots_open(
            actor=world.users["community"],
            window=window,
            first_day=dt.date(2020, 1, 1),
            last_day=dt.date(2020, 1, 5),
            times=[(dt.time(10), dt.time(9))],
            capacity=0,
            weekdays=set(),
        )
    assert fields(exc) == {"first_day", "capacity", "times", "weekdays"}
    assert not WindowSlot.objects.exists()


def test_a_consultation_names_every_wrong_field_at_once(world, window):
    """Issue 13: a wrong topic hid the missing answer, the missing follow-up and a wrong phone."""
    with pytest.raises(ValidationError) as exc:
        services.consultation_record(
            actor=world.users["community"],
            window=window,
            topic="gossip",
            channel="pigeon",
            answer=" ",
            follow_up_needed=True,
            visitor_phone="abc",
        )
    assert fields(exc) == {"topic", "channel", "answer", "follow_up_by", "follow_up_due", "visitor_phone"}
    assert not ConsultationRecord.objects.exists()
