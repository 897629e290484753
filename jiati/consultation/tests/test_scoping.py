"""Role × endpoint matrix: pages, exports and the API show only the user's area, answer 404 outside it
(like missing), and a refused change leaves the data as it was."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiati.consultation.models import (
    Article,
    Booking,
    ConsultationRecord,
    Meeting,
    MeetingAction,
    Petition,
    PetitionStatus,
    WindowSlot,
)

ROLES = [
    "admin",
    "district",
    "finance",
    "subdistrict",
    "community",
    "property",
    "contractor",
    "maintainer",
    "resident",
    "other_district",
    "other_community",
]
# Who sees the scene's objects in community A1a (estate a1a, managed by property office po_a1a).
SEES_A1A = {"admin", "district", "finance", "subdistrict", "community", "property"}
# The scene's window is the community workstation's: property staff see their own office's window only.
SEES_WINDOW = SEES_A1A - {"property"}
WINDOW_KEYS = {"window", "slot", "booking"}


def sees(role: str, key: str) -> bool:
    return role in (SEES_WINDOW if key in WINDOW_KEYS else SEES_A1A)


# Who sees the petition about estate a1b (community A1b).
SEES_A1B = {"admin", "district", "finance", "subdistrict", "other_community"}


@pytest.mark.parametrize("role", ROLES)
def test_querysets_follow_the_tree(world, scene, role):
    user = world.users[role]
    for model, key in (
        (Petition, "petition"),
        (ConsultationRecord, "record"),
        (Meeting, "meeting"),
        (MeetingAction, "action"),
        (Booking, "booking"),
        (WindowSlot, "slot"),
    ):
        assert model.objects.visible_to(user).filter(pk=scene[key].pk).exists() == sees(role, key), (role, key)
    assert Petition.objects.visible_to(user).filter(pk=scene["other_petition"].pk).exists() == (role in SEES_A1B)
    # Published articles are public; a draft belongs to the district office's area.
    assert Article.objects.visible_to(user).filter(pk=scene["article"].pk).exists()
    assert Article.objects.visible_to(user).filter(pk=scene["draft"].pk).exists() == (
        role in {"admin", "district", "finance"}
    )


DETAIL_PAGES = [
    ("consultation:petition-detail", "petition"),
    ("consultation:record-detail", "record"),
    ("consultation:meeting-detail", "meeting"),
    ("consultation:window-detail", "window"),
    ("consultation:meeting-sign-in-pdf", "meeting"),
    ("consultation:meeting-minutes-pdf", "meeting"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url_name", "key"), DETAIL_PAGES, ids=[d[0] for d in DETAIL_PAGES])
def test_detail_pages_answer_404_outside_the_area(world, scene, client_for, role, url_name, key):
    client = client_for(world.users[role])
    response = client.get(reverse(url_name, args=[scene[key].pk]))
    assert response.status_code == (200 if sees(role, key) else 404), (role, url_name)


LISTS = [
    ("consultation:petition-list", Petition),
    ("consultation:record-list", ConsultationRecord),
    ("consultation:meeting-list", Meeting),
    ("consultation:action-list", MeetingAction),
    ("consultation:booking-list", Booking),
]


@pytest.mark.parametrize(
    "role", ["district", "subdistrict", "community", "property", "other_district", "other_community", "contractor"]
)
@pytest.mark.parametrize(("url_name", "model"), LISTS, ids=[n for n, _m in LISTS])
def test_lists_and_exports_show_only_the_area(world, scene, client_for, role, url_name, model):
    user = world.users[role]
    client = client_for(user)
    assert client.get(reverse(url_name)).status_code == 200
    export = client.get(reverse(url_name), {"export": "xlsx", "personal": "1"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active.values)
    assert len(rows) - 1 == model.objects.visible_to(user).count()
    if url_name == "consultation:petition-list":
        text = str(rows)
        assert "13800138000" not in text and "王建国" not in text  # masked even with personal=1


API = [
    ("consultation-petition", "petition"),
    ("consultation-record", "record"),
    ("consultation-meeting", "meeting"),
    ("consultation-resolution", "action"),
    ("consultation-booking", "booking"),
    ("consultation-slot", "slot"),
    ("consultation-window", "window"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("basename", "key"), API, ids=[a[0] for a in API])
def test_api_lists_and_details_are_scoped(world, scene, client_for, role, basename, key):
    client = client_for(world.users[role])
    listing = client.get(reverse(f"{basename}-list"))
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    assert (scene[key].pk in ids) == sees(role, key), (role, basename)
    detail = client.get(reverse(f"{basename}-detail", args=[scene[key].pk]))
    assert detail.status_code == (200 if sees(role, key) else 404), (role, basename)


def test_a_resident_account_sees_its_own_bookings_and_petitions(world, scene, client_for):
    from jiati.consultation.services import windows

    resident = world.users["resident"]
    booking = windows.booking_create(slot=scene["slot"], owner=resident.owner, name="业主", phone="13900005555")
    assert list(Booking.objects.visible_to(resident)) == [booking]
    assert not Petition.objects.visible_to(resident).exists()
    ids = {row["id"] for row in client_for(resident).get(reverse("consultation-booking-list")).json()["results"]}
    assert ids == {booking.pk}


def test_api_needs_authentication(world, scene, client):
    assert client.get(reverse("consultation-petition-list")).status_code in (401, 403)


def test_api_masks_the_petitioner_except_for_the_handler(world, scene, client_for):
    url = reverse("consultation-petition-detail", args=[scene["petition"].pk])
    assert client_for(world.users["community"]).get(url).json()["petitioner_phone"] == "13800138000"
    district = client_for(world.users["district"]).get(url).json()
    assert district["petitioner_phone"] == "138****8000" and district["petitioner_name"] == "王**"


REFUSED_POSTS = [
    ("consultation:petition-act", "petition", {"action": "accept"}, {"text": ""}),
    ("consultation:petition-act", "petition", {"action": "decline"}, {"reason": "不受理"}),
    ("consultation:petition-act", "petition", {"action": "escalate"}, {"reason": "上报"}),
    ("consultation:meeting-part", "meeting", {"part": "cancel"}, {"reason": "取消"}),
    ("consultation:meeting-part", "meeting", {"part": "minutes"}, {"minutes": "改写纪要"}),
    ("consultation:slot-cancel", "slot", {}, {"reason": "停业"}),
    ("consultation:window-edit", "window", {}, {"name": "被改了"}),
]


def _state(scene):
    petition = Petition.objects.get(pk=scene["petition"].pk)
    meeting = Meeting.objects.get(pk=scene["meeting"].pk)
    slot = WindowSlot.objects.get(pk=scene["slot"].pk)
    return (
        petition.status,
        petition.level,
        petition.events.count(),
        meeting.status,
        meeting.minutes,
        slot.is_cancelled,
        scene["window"].__class__.objects.get(pk=scene["window"].pk).name,
    )


@pytest.mark.parametrize(
    "role", ["finance", "contractor", "maintainer", "resident", "other_district", "other_community", "property"]
)
@pytest.mark.parametrize(
    ("url_name", "key", "kwargs", "data"), REFUSED_POSTS, ids=[f"{p[0]}-{p[2]}" for p in REFUSED_POSTS]
)
def test_refused_changes_change_nothing(world, scene, client_for, role, url_name, key, kwargs, data):
    before = _state(scene)
    client = client_for(world.users[role])
    response = client.post(reverse(url_name, kwargs={"pk": scene[key].pk, **kwargs}), data)
    assert response.status_code in (403, 404), (role, url_name, response.status_code)
    assert _state(scene) == before
    assert Petition.objects.get(pk=scene["petition"].pk).status == PetitionStatus.RECEIVED


@pytest.mark.parametrize("role", ["finance", "contractor", "resident", "other_district"])
def test_refused_api_changes_change_nothing(world, scene, client_for, role):
    before = _state(scene)
    client = client_for(world.users[role])
    response = client.post(
        reverse("consultation-petition-accept", args=[scene["petition"].pk]),
        {"text": ""},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    response = client.post(
        reverse("consultation-slot-cancel", args=[scene["slot"].pk]), {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code in (403, 404)
    assert _state(scene) == before
