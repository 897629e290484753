"""The API: the OpenAPI schema is valid, and writes go through the same services and refusals."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from jiati.consultation.models import Booking, Petition, WindowSlot


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_schema_generates_without_errors(world, client_for):
    response = client_for(world.users["admin"]).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/consultation/petitions/",
        "/api/consultation/petitions/{id}/accept/",
        "/api/consultation/meetings/{id}/resolutions/",
        "/api/consultation/meetings/coverage/",
        "/api/consultation/slots/{id}/book/",
        "/api/consultation/windows/{id}/open-slots/",
        "/api/consultation/articles/{id}/publish/",
        "/api/consultation/consultations/",
    ):
        assert path in paths, path


def test_the_whole_schema_has_no_warnings_or_errors_from_consultation():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    GENERATOR_STATS.silence()
    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    finally:
        GENERATOR_STATS.reset()
    assert schema["paths"]
    assert [m for m in messages if "consultation" in m.lower()] == []


def test_petition_through_the_api(world, groups, client_for):
    client = client_for(world.users["community"])
    data = {
        "estate": world.estates["a1a"].pk,
        "petitioner_name": "王建国",
        "petitioner_phone": "13800138000",
        "reply_method": "phone",
        "subject": "噪音",
        "content": "夜间施工",
        "idempotency_key": "api-1",
    }
    first = post(client, reverse("consultation-petition-list"), data)
    assert first.status_code == 201
    again = post(client, reverse("consultation-petition-list"), data)
    assert again.json()["id"] == first.json()["id"] and Petition.objects.count() == 1
    refused = post(
        client, reverse("consultation-petition-list"), data | {"idempotency_key": "api-2", "petitioner_phone": ""}
    )
    assert refused.status_code == 400 and refused.json()["codes"]["petitioner_phone"] == ["no_way_to_reply"]
    pk = first.json()["id"]
    accepted = post(client, reverse("consultation-petition-accept", args=[pk]), {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    extended = post(client, reverse("consultation-petition-extend", args=[pk]), {"days": 10, "reason": "x"})
    assert extended.status_code == 403  # approved one level up
    history = client.get(reverse("consultation-petition-history", args=[pk])).json()
    assert [e["kind"] for e in history] == ["received", "routed", "accepted"]
    outside = post(
        client,
        reverse("consultation-petition-list"),
        data | {"idempotency_key": "api-3", "estate": world.estates["b1a"].pk},
    )
    assert outside.status_code == 404


def test_slots_and_bookings_through_the_api(world, window, client_for):
    client = client_for(world.users["community"])
    first = timezone.localdate() + dt.timedelta(days=1)
    opened = post(
        client,
        reverse("consultation-window-open-slots", args=[window.pk]),
        {
            "first_day": first.isoformat(),
            "last_day": first.isoformat(),
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "times": [{"start": "09:00", "end": "09:30"}],
            "capacity": 1,
            "skip_holidays": False,
        },
    )
    assert opened.status_code == 201 and len(opened.json()) == 1
    slot = WindowSlot.objects.get()
    booked = post(
        client, reverse("consultation-slot-book", args=[slot.pk]), {"name": "来电居民", "phone": "13700001111"}
    )
    assert booked.status_code == 201
    full = post(client, reverse("consultation-slot-book", args=[slot.pk]), {"name": "另一位", "phone": "13700002222"})
    assert full.status_code == 400 and full.json()["codes"]["slot"] == ["slot_full"]
    assert Booking.objects.count() == 1


def test_meeting_through_the_api(world, project, client_for):
    client = client_for(world.users["community"])
    start = timezone.now() - dt.timedelta(hours=3)
    bad = post(
        client,
        reverse("consultation-meeting-list"),
        {
            "level": "estate",
            "estate": world.estates["a1a"].pk,
            "title": "t",
            "location": "l",
            "starts_at": start.isoformat(),
            "ends_at": (start - dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert bad.status_code == 400 and bad.json()["codes"]["ends_at"] == ["ends_before_start"]
    created = post(
        client,
        reverse("consultation-meeting-list"),
        {
            "level": "estate",
            "estate": world.estates["a1a"].pk,
            "title": "协商会",
            "location": "社区",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "projects": [project.pk],
        },
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    held = post(client, reverse("consultation-meeting-minutes", args=[pk]), {"minutes": "同意"})
    assert held.json()["status"] == "held"
    no_owner = post(
        client, reverse("consultation-meeting-resolutions", args=[pk]), {"description": "x", "due_date": None}
    )
    assert no_owner.status_code == 400 and no_owner.json()["codes"]["owner"] == ["owner_required"]
    # The schema marks due_date required, as the service needs it: leaving it out is a 400 naming it, not a 500.
    no_date = post(client, reverse("consultation-meeting-resolutions", args=[pk]), {"description": "x"})
    assert no_date.status_code == 400 and "due_date" in no_date.json()["codes"]
    coverage = client.get(reverse("consultation-meeting-coverage")).json()
    assert coverage == [
        {
            "region_id": world.regions["A1"].pk,
            "name": "平湖街道",
            "total": 1,
            "covered": 1,
            "missing": 0,
            "percent": 100,
        }
    ]


def test_the_api_has_what_the_meeting_page_has(world, client_for):
    paths = client_for(world.users["admin"]).get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    for path in (
        "/api/consultation/meetings/{id}/edit/",
        "/api/consultation/meetings/{id}/sign-in-sheet/",
        "/api/consultation/meetings/{id}/unlink-project/",
        "/api/consultation/meetings/coverage-gaps/",
    ):
        assert path in paths, path
    upload = paths["/api/consultation/meetings/{id}/sign-in-sheet/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_invitations_and_resolution_owners_are_scoped_like_the_forms(world, scene, client_for):
    meeting = scene["meeting"]
    client = client_for(world.users["community"])
    invite = reverse("consultation-meeting-invite", args=[meeting.pk])
    resolutions = reverse("consultation-meeting-resolutions", args=[meeting.pk])
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    before = (meeting.invitees.count(), meeting.actions.count())
    # Staff of another district, and a company not on the meeting's projects: unknown here (404), like missing.
    for user in (world.users["other_district"], world.users["contractor"]):
        assert post(client, invite, {"users": [user.pk]}).status_code == 404
        assert post(client, resolutions, {"description": "x", "owner": user.pk, "due_date": due}).status_code == 404
    assert (meeting.invitees.count(), meeting.actions.count()) == before
    # The subdistrict above the meeting may be invited; the construction team once it is on the project.
    assert post(client, invite, {"users": [world.users["subdistrict"].pk]}).status_code == 201
    from jiati.projects.models import Project

    Project.objects.filter(pk=scene["project"].pk).update(contractor=world.companies["contractor"])
    created = post(client, resolutions, {"description": "出图", "owner": world.users["contractor"].pk, "due_date": due})
    assert created.status_code == 201 and created.json()["owner"] == world.users["contractor"].pk


def test_the_resolution_owner_dropdown_is_scoped(world, scene, client_for):
    from jiati.accounts.models import Role
    from jiati.companies.models import Company
    from jiati.consultation.forms import ActionForm
    from jiati.core.tests.factories import make_user

    elsewhere = make_user("far-away", Role.CONTRACTOR, company=Company.objects.create(name="外地", credit_code="X1"))
    owners = set(ActionForm(user=world.users["community"], meeting=scene["meeting"]).fields["owner"].queryset)
    assert world.users["community"] in owners and world.users["subdistrict"] in owners
    assert elsewhere not in owners and world.users["contractor"] not in owners
    assert world.users["other_district"] not in owners


def test_edit_upload_and_unlink_through_the_api(world, project, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiati.consultation.models import Meeting

    client = client_for(world.users["community"])
    start = timezone.now() + dt.timedelta(days=2)
    created = post(
        client,
        reverse("consultation-meeting-list"),
        {
            "level": "estate",
            "estate": world.estates["a1a"].pk,
            "title": "协商会",
            "location": "社区",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "projects": [project.pk],
        },
    ).json()
    pk = created["id"]
    bad = post(
        client,
        reverse("consultation-meeting-edit", args=[pk]),
        {"title": "改期", "location": "x", "starts_at": start.isoformat(), "ends_at": start.isoformat()},
    )
    assert bad.status_code == 400 and bad.json()["codes"]["ends_at"] == ["ends_before_start"]
    edited = post(
        client,
        reverse("consultation-meeting-edit", args=[pk]),
        {
            "title": "改期后的协商会",
            "location": "党群服务站",
            "starts_at": (start + dt.timedelta(days=1)).isoformat(),
            "ends_at": (start + dt.timedelta(days=1, hours=1)).isoformat(),
            "agenda": "议程",
        },
    )
    assert edited.status_code == 200 and edited.json()["title"] == "改期后的协商会"
    sheet = client.post(
        reverse("consultation-meeting-sign-in-sheet", args=[pk]),
        {"sign_in_sheet": SimpleUploadedFile("sheet.pdf", b"%PDF-1.4 signed", content_type="application/pdf")},
    )
    assert sheet.status_code == 200
    assert len(Meeting.objects.get(pk=pk).sign_in_sheet_sha256) == 64
    unlinked = post(client, reverse("consultation-meeting-unlink-project", args=[pk]), {"project": project.pk})
    assert unlinked.status_code == 200 and unlinked.json()["projects"] == []
    again = post(client, reverse("consultation-meeting-unlink-project", args=[pk]), {"project": project.pk})
    assert again.status_code == 400 and again.json()["codes"]["project"] == ["not_linked"]
    # Others cannot: the contractor does not see the meeting at all; a resident neither.
    for role in ("contractor", "resident"):
        other = client_for(world.users[role])
        assert post(other, reverse("consultation-meeting-edit", args=[pk]), {"title": "x"}).status_code == 404


def test_projects_without_a_meeting_through_the_api(world, scene, client_for):
    from jiati.consultation.tests.conftest import project_at

    gap = project_at(world, "a2a", stage="vote")
    url = reverse("consultation-meeting-coverage-gaps")
    rows = client_for(world.users["district"]).get(url).json()["results"]
    assert [r["code"] for r in rows] == ["JT-a2a"] and rows[0]["subdistrict_name"] == "坂田街道"
    assert rows[0]["id"] == gap.pk
    only_a1 = client_for(world.users["district"]).get(url, {"region": world.regions["A1"].pk}).json()["results"]
    assert only_a1 == []
    assert client_for(world.users["community"]).get(url).json()["results"] == []  # not in its area


def test_a_letter_to_post_through_the_api(world, groups, client_for):
    client = client_for(world.users["community"])
    data = {
        "estate": world.estates["a1a"].pk,
        "petitioner_name": "李桂兰",
        "petitioner_address": "新木路8号3栋201",
        "reply_method": "letter",
        "subject": "电梯井占用绿地",
        "content": "要求恢复绿地",
    }
    created = post(client, reverse("consultation-petition-list"), data).json()
    assert created["letter_due"] is True
    due = client.get(reverse("consultation-petition-list"), {"letter_due": "true"}).json()["results"]
    assert [row["id"] for row in due] == [created["id"]]
    sent = post(client, reverse("consultation-petition-letter-sent", args=[created["id"]]), {"text": "挂号信"})
    assert sent.status_code == 200 and sent.json()["letter_due"] is False
    again = post(client, reverse("consultation-petition-letter-sent", args=[created["id"]]), {})
    assert again.status_code == 400 and again.json()["codes"]["non_field_errors"] == ["no_letter_due"]
