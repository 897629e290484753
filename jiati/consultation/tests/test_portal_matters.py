"""The owner's consultation matters on the portal: his own bookings and petitions, never a neighbour's."""

from __future__ import annotations

from django.urls import reverse

from jiati.consultation.models import ReplyMethod, Topic
from jiati.consultation.portal import portal_matters
from jiati.consultation.services import petitions, windows
from jiati.consultation.tests.conftest import make_slot, owners_of


def test_owner_sees_his_booking_and_petition_and_not_his_neighbours(world, groups, window):
    mine, theirs = owners_of(world)[:2]
    slot = make_slot(window)
    booking = windows.booking_create(slot=slot, owner=mine, name=mine.name, phone="13900001111", topic=Topic.COST)
    windows.booking_create(slot=slot, owner=theirs, name=theirs.name, phone="13900002222", topic=Topic.COST)
    petition = petitions.petition_submit(
        actor=None,
        owner=theirs,
        estate=world.estates["a1a"],
        petitioner_name=theirs.name,
        reply_method=ReplyMethod.PORTAL,
        subject="施工噪音",
        content="晚上十点后仍在施工",
    )

    assert [m["url"] for m in portal_matters(request=None, owner=mine)] == [
        reverse("consultation:portal-booking", args=[booking.pk])
    ]
    theirs_matters = portal_matters(request=None, owner=theirs)
    filed = next(m for m in theirs_matters if m["order"] == 50)
    assert filed["url"] == reverse("consultation:portal-petition", args=[petition.pk])
    assert petition.reference in filed["title"] and filed["status"] == petition.get_status_display()
