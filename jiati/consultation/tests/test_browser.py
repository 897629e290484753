"""In a real browser on a phone-sized screen: an owner signs in with a one-time code, books a window slot,
gets the confirmation by text message, and cancels it."""

from __future__ import annotations

import re

import pytest

from jiati.consultation.models import Booking, BookingStatus, WindowSlot
from jiati.consultation.tests.conftest import make_slot, owners_of, window_of
from jiati.core.tests.factories import build_world
from jiati.notifications.channels import ConsoleSmsSender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_a_code(page, live_server, owner) -> None:
    """The real sign-in: the owner's phone number, the code texted to it, and the portal's start page."""
    ConsoleSmsSender.sent.clear()
    page.goto(f"{live_server.url}/m/login/")
    page.fill("#id_phone", owner.phone)
    page.click("button[name=send]")  # “Send me a code”
    page.wait_for_load_state("networkidle")
    texts = [text for phone, text in ConsoleSmsSender.sent if phone == owner.phone]
    assert texts, "no code was texted: the login form reached the server without its button's name"
    page.fill("#id_code", re.search(r"\d{6}", texts[-1]).group(0))
    page.click("button[name=verify]")  # “Sign in”
    page.wait_for_selector("#consultation-section")


def test_an_owner_books_a_slot_on_a_phone(phone_page, live_server):
    page = phone_page
    world = build_world()
    window = window_of(world)
    window.address = "新木路1号"
    window.save()
    window.staff_on_duty.add(world.users["community"])
    slot = make_slot(window, days=2, hour=10, capacity=2)
    owner = owners_of(world)[0]
    ConsoleSmsSender.sent.clear()

    sign_in_with_a_code(page, live_server, owner)
    ConsoleSmsSender.sent.clear()

    page.click("#book-link")
    page.wait_for_selector(f"#slot-{slot.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.click(f"#slot-{slot.pk}")
    page.wait_for_selector("#booking-form")
    page.click("label[for=id_topic_1]")  # cost sharing
    page.fill("#id_note", "想了解费用分摊")
    page.click("#confirm-booking")
    page.wait_for_selector("#booking-reference")

    booking = Booking.objects.get(owner=owner)
    assert page.inner_text("#booking-reference").strip() == booking.reference
    assert booking.topic == "cost" and booking.note == "想了解费用分摊"
    assert WindowSlot.objects.get(pk=slot.pk).booked == 1
    assert any(to == owner.phone and booking.reference in text for to, text in ConsoleSmsSender.sent)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.on("dialog", lambda dialog: dialog.accept())  # "Cancel this booking?"
    page.click("#cancel-booking")
    page.wait_for_selector("#booking-status")
    page.wait_for_function("!document.querySelector('#cancel-booking')")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert WindowSlot.objects.get(pk=slot.pk).booked == 0
