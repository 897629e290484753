"""Capacity and double submissions under concurrent requests (threads, each with its own connection).
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jiati.consultation.models import Booking, BookingStatus, Petition, ReplyMethod, WindowSlot
from jiati.consultation.services import petitions, windows
from jiati.consultation.tests.conftest import build_groups, make_slot, owners_of, window_of
from jiati.core.tests.factories import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work) -> list[str]:
    """Start `count` threads together; each returns an outcome string or a refusal code."""
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def runner(index: int):
        try:
            barrier.wait()
            result = work(index)
        except ValidationError as exc:
            errors = exc.error_dict.get("slot", []) if hasattr(exc, "error_dict") else exc.error_list
            result = errors[0].code if errors else "refused"
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_bookings_never_exceed_capacity():
    world = build_world()
    window = window_of(world)
    window.staff_on_duty.add(world.users["community"])
    slot = make_slot(window, capacity=3)
    owners = owners_of(world)  # 12 different owners
    assert len(owners) >= 10

    def book(n):
        windows.booking_create(slot=WindowSlot(pk=slot.pk), owner=owners[n], name=owners[n].name, phone="13900001111")
        return "booked"

    outcomes = run_at_once(10, book)
    slot.refresh_from_db()
    assert outcomes.count("booked") == 3, outcomes
    assert outcomes.count("slot_full") == 7, outcomes
    assert slot.booked == 3 == Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count()


def test_one_owner_double_clicking_books_once():
    world = build_world()
    window = window_of(world)
    slot = make_slot(window, capacity=5, created_by=world.users["community"])
    owner = owners_of(world)[0]

    def book(_n):
        windows.booking_create(slot=WindowSlot(pk=slot.pk), owner=owner, name=owner.name, phone="13900001111")
        return "booked"

    outcomes = run_at_once(6, book)
    slot.refresh_from_db()
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("already_booked") == 5, outcomes
    assert slot.booked == 1 and Booking.objects.count() == 1


def test_a_double_clicked_petition_is_filed_once():
    world = build_world()
    build_groups(world)

    def submit(_n):
        petition = petitions.petition_submit(
            actor=world.users["community"],
            estate=world.estates["a1a"],
            petitioner_name="王建国",
            petitioner_phone="13800138000",
            reply_method=ReplyMethod.PHONE,
            subject="噪音",
            content="夜间施工",
            idempotency_key="same-form-0001",
        )
        return f"petition {petition.pk}"

    outcomes = run_at_once(6, submit)
    assert Petition.objects.count() == 1, outcomes
    petition = Petition.objects.get()
    assert outcomes == [f"petition {petition.pk}"] * 6
    assert petition.events.count() == 2  # received, routed — once


def test_one_owner_booking_different_slots_at_once_stops_at_the_limit():
    """The limit of upcoming bookings per owner holds when requests for different slots arrive together: each
    slot's own lock does not serialise them, the owner's row does."""
    world = build_world()
    window = window_of(world)
    window.staff_on_duty.add(world.users["community"])
    slots = [make_slot(window, days=2 + n // 4, hour=9 + n % 4, capacity=5) for n in range(6)]
    owner = owners_of(world)[0]
    assert windows.MAX_UPCOMING_BOOKINGS == 3

    def book(n):
        windows.booking_create(slot=WindowSlot(pk=slots[n].pk), owner=owner, name=owner.name, phone="13900001111")
        return "booked"

    outcomes = run_at_once(6, book)
    assert outcomes.count("booked") == 3, outcomes
    assert outcomes.count("too_many_bookings") == 3, outcomes
    live = Booking.objects.filter(owner=owner, status=BookingStatus.BOOKED)
    assert live.count() == 3
    assert sum(WindowSlot.objects.filter(pk__in=[s.pk for s in slots]).values_list("booked", flat=True)) == 3
