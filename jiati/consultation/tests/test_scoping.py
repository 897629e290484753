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
    # Refused by the form too: the page with the form as typed is only for the window's managers.
    ("consultation:window-edit", "window", {}, {"name": ""}),
    ("consultation:window-book", "window", {}, {"name": "来电者", "phone": "", "topic": "cost"}),
    ("consultation:slots-open", "window", {}, {"first_day": "", "times": "09:00-09:30"}),
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
        Booking.objects.count(),
        WindowSlot.objects.count(),
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


# --- companies and other participants: they see the meetings they take part in, read-only ---------------


def _company_meeting(world, scene):
    """A second estate meeting in A1a, held, with nothing to do with any company yet."""
    import datetime as dt

    from django.utils import timezone

    from jiati.consultation.services import meetings

    community = world.users["community"]
    now = timezone.now()
    meeting = meetings.meeting_schedule(
        actor=community,
        level="estate",
        estate=world.estates["a1a"],
        title="施工方案说明会",
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now - dt.timedelta(hours=1),
        location="党群服务站",
        projects=[scene["project"]],
    )
    return meetings.meeting_hold(actor=community, meeting=meeting, minutes="施工方说明方案")


@pytest.mark.parametrize("how", ["invited_user", "invited_company", "resolution", "assigned", "meeting_company"])
def test_a_company_sees_the_meetings_it_takes_part_in(world, scene, client_for, how):
    from jiati.consultation.services import meetings
    from jiati.projects.models import Project

    community, contractor = world.users["community"], world.users["contractor"]
    meeting = _company_meeting(world, scene)
    assert not Meeting.objects.visible_to(contractor).filter(pk=meeting.pk).exists()
    if how == "assigned":
        Project.objects.filter(pk=scene["project"].pk).update(contractor=world.companies["contractor"])
    elif how == "invited_company":
        meetings.meeting_invite(actor=community, meeting=meeting, companies=[world.companies["contractor"]])
    elif how == "meeting_company":
        Meeting.objects.filter(pk=meeting.pk).update(company=world.companies["contractor"])
    else:
        Project.objects.filter(pk=scene["project"].pk).update(contractor=world.companies["contractor"])
        if how == "invited_user":
            meetings.meeting_invite(actor=community, meeting=meeting, users=[contractor])
        else:
            meetings.action_add(
                actor=community,
                meeting=meeting,
                description="提交施工组织方案",
                owner=contractor,
                due_date=timezone_today_plus(7),
            )
        Project.objects.filter(pk=scene["project"].pk).update(contractor=None)  # only the invitation counts now
    assert Meeting.objects.visible_to(contractor).filter(pk=meeting.pk).exists()
    assert not Meeting.objects.visible_to(world.users["maintainer"]).filter(pk=meeting.pk).exists()
    assert not Meeting.objects.managed_by(contractor).filter(pk=meeting.pk).exists()
    client = client_for(contractor)
    page = client.get(reverse("consultation:meeting-detail", args=[meeting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "施工方说明方案" in html and 'id="save-minutes"' not in html and 'id="send-invitations"' not in html
    assert client.get(reverse("consultation-meeting-detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("consultation:meeting-minutes-pdf", args=[meeting.pk])).status_code == 200
    # Read-only: every change is refused and nothing changes.
    before = Meeting.objects.filter(pk=meeting.pk).values("minutes", "status", "title").get()
    for part, data in (("minutes", {"minutes": "改写"}), ("cancel", {"reason": "x"}), ("edit", {"title": "x"})):
        response = client.post(reverse("consultation:meeting-part", args=[meeting.pk, part]), data)
        assert response.status_code == 403, part
    api = client.post(
        reverse("consultation-meeting-minutes", args=[meeting.pk]), {"minutes": "改写"}, content_type="application/json"
    )
    assert api.status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).values("minutes", "status", "title").get() == before


def timezone_today_plus(days: int):
    import datetime as dt

    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days)


def test_a_company_marks_its_own_resolution_done_and_only_that(world, scene, client_for):
    from jiati.consultation.models import ActionStatus
    from jiati.consultation.services import meetings
    from jiati.projects.models import Project

    community, contractor = world.users["community"], world.users["contractor"]
    meeting = _company_meeting(world, scene)
    Project.objects.filter(pk=scene["project"].pk).update(contractor=world.companies["contractor"])
    own = meetings.action_add(
        actor=community,
        meeting=meeting,
        description="提交施工组织方案",
        owner=contractor,
        due_date=timezone_today_plus(7),
    )
    others = meetings.action_add(
        actor=community, meeting=meeting, description="通知业主", owner=community, due_date=timezone_today_plus(7)
    )
    client = client_for(contractor)
    html = client.get(reverse("consultation:meeting-detail", args=[meeting.pk])).content.decode()
    assert f'id="done-{own.pk}"' in html and f'id="done-{others.pk}"' not in html
    response = client.post(reverse("consultation:action-done", args=[others.pk]), {"note": "x"})
    assert response.status_code == 403
    response = client.post(reverse("consultation:action-done", args=[own.pk]), {"note": "方案已提交"})
    assert response.status_code == 302
    own.refresh_from_db()
    others.refresh_from_db()
    assert own.status == ActionStatus.DONE and others.status == ActionStatus.OPEN


def test_staff_invited_from_another_area_see_the_meeting_but_cannot_change_it(world, scene, client_for):
    from django.core.exceptions import PermissionDenied

    from jiati.consultation.services import meetings

    meeting = scene["meeting"]
    outsider = world.users["other_community"]  # an organiser, but of community A1b
    assert not Meeting.objects.visible_to(outsider).filter(pk=meeting.pk).exists()
    meetings.meeting_invite(actor=world.users["subdistrict"], meeting=meeting, users=[outsider])
    assert Meeting.objects.visible_to(outsider).filter(pk=meeting.pk).exists()
    with pytest.raises(PermissionDenied):
        meetings.meeting_hold(actor=outsider, meeting=meeting, minutes="改写")
    with pytest.raises(PermissionDenied):
        meetings.action_done(actor=outsider, action=scene["action"], note="x")
    html = client_for(outsider).get(reverse("consultation:meeting-detail", args=[meeting.pk])).content.decode()
    assert 'id="save-minutes"' not in html and f'id="done-{scene["action"].pk}"' not in html
