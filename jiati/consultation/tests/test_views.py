"""Pages: every page renders for the staff who use it, actions go through the services, lists keep a fixed
number of queries, and the portal and public pages work for residents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.consultation.models import (
    Booking,
    ConsultationRecord,
    Meeting,
    MeetingStatus,
    Petition,
    PetitionStatus,
    WindowSlot,
)
from jiati.consultation.tests.conftest import make_slot, owners_of, project_at
from jiati.portal.auth import SESSION_KEY


def pages(scene, world):
    s = scene
    return [
        reverse("consultation:home"),
        reverse("consultation:window-list"),
        reverse("consultation:window-create"),
        reverse("consultation:window-detail", args=[s["window"].pk]),
        reverse("consultation:booking-list"),
        reverse("consultation:record-list"),
        reverse("consultation:record-create") + f"?window={s['window'].pk}",
        reverse("consultation:record-create") + f"?booking={s['booking'].pk}",
        reverse("consultation:record-detail", args=[s["record"].pk]),
        reverse("consultation:meeting-list"),
        reverse("consultation:meeting-create"),
        reverse("consultation:meeting-create") + f"?project={s['project'].pk}",
        reverse("consultation:meeting-detail", args=[s["meeting"].pk]),
        reverse("consultation:action-list"),
        reverse("consultation:coverage"),
        reverse("consultation:coverage-gaps"),
        reverse("consultation:petition-list"),
        reverse("consultation:petition-create"),
        reverse("consultation:petition-detail", args=[s["petition"].pk]),
        reverse("consultation:article-list"),
        reverse("consultation:article-detail", args=[s["article"].pk]),
        reverse("projects:detail", args=[s["project"].pk]),
        reverse("core:home"),
    ]


@pytest.mark.parametrize("role", ["community", "district", "subdistrict", "admin"])
def test_every_staff_page_renders(world, scene, client_for, role):
    client = client_for(world.users[role])
    for url in pages(scene, world):
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)


def test_district_only_pages(world, scene, client_for):
    client = client_for(world.users["district"])
    assert client.get(reverse("consultation:article-create")).status_code == 200
    assert client.get(reverse("consultation:petition-settings")).status_code == 200
    community = client_for(world.users["community"])
    assert community.get(reverse("consultation:article-create")).status_code == 403
    assert community.get(reverse("consultation:petition-settings")).status_code == 403


def test_the_project_page_shows_its_meetings(world, scene, client_for):
    project = scene["project"]
    page = client_for(world.users["community"]).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="consultation-panel"' in page and scene["meeting"].title in page
    assert scene["petition"].reference in page  # its open petition
    bare = project_at(world, "a2a")
    page = client_for(world.users["district"]).get(reverse("projects:detail", args=[bare.pk])).content.decode()
    assert 'id="consultation-panel"' in page and "border-danger" in page


def test_overdue_petitions_stand_out_on_the_list_and_the_start_page(world, scene, client_for, liaison):
    petition = scene["petition"]
    Petition.objects.filter(pk=petition.pk).update(due_date=timezone.localdate() - dt.timedelta(days=4))
    client = client_for(world.users["community"])
    listing = client.get(reverse("consultation:petition-list")).content.decode()
    assert 'id="overdue-banner"' in listing and "text-bg-danger" in listing and "bi-alarm" in listing
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="widget-overdue-petitions"' in home and petition.reference in home
    only_overdue = client.get(reverse("consultation:petition-list"), {"overdue": "true"}).content.decode()
    assert petition.reference in only_overdue
    assert 'id="widget-overdue-petitions"' not in client_for(liaison).get(reverse("core:home")).content.decode()


def test_personal_data_is_masked_except_for_the_handler(world, scene, client_for):
    petition = scene["petition"]
    url = reverse("consultation:petition-detail", args=[petition.pk])
    handler_page = client_for(world.users["community"]).get(url).content.decode()
    assert "13800138000" in handler_page and "王建国" in handler_page
    district_page = client_for(world.users["district"]).get(url).content.decode()
    assert "13800138000" not in district_page and "138****8000" in district_page and "王**" in district_page
    listing = client_for(world.users["community"]).get(reverse("consultation:petition-list")).content.decode()
    assert "王建国" not in listing and "王**" in listing
    record_url = reverse("consultation:record-detail", args=[scene["record"].pk])
    assert "13500001111" in client_for(world.users["community"]).get(record_url).content.decode()
    assert "13500001111" not in client_for(world.users["subdistrict"]).get(record_url).content.decode()


def test_quick_consultation_form_saves_in_one_post(world, scene, client_for):
    client = client_for(world.users["community"])
    window = scene["window"]
    response = client.post(
        reverse("consultation:record-create"),
        {
            "window": window.pk,
            "topic": "subsidy",
            "channel": "phone",
            "answer": "补贴在验收后发放",
            "visitor_kind": "owner",
        },
    )
    record = ConsultationRecord.objects.order_by("-id").first()
    assert response.status_code == 302 and response["Location"] == reverse(
        "consultation:record-detail", args=[record.pk]
    )
    assert record.answer == "补贴在验收后发放" and record.window == window
    response = client.post(
        reverse("consultation:record-create"),
        {"window": window.pk, "topic": "subsidy", "channel": "phone", "answer": ""},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()


def test_stairwell_options_follow_the_estate_and_the_scope(world, scene, client_for):
    client = client_for(world.users["community"])
    mine = client.get(reverse("consultation:stairwell-options"), {"estate": world.estates["a1a"].pk}).content.decode()
    assert f'value="{world.stairwells["a1a"].pk}"' in mine
    theirs = client.get(reverse("consultation:stairwell-options"), {"estate": world.estates["b1a"].pk}).content.decode()
    assert f'value="{world.stairwells["b1a"].pk}"' not in theirs


def test_meeting_flow_through_the_pages(world, project, groups, client_for):
    client = client_for(world.users["community"])
    start = timezone.localtime() - dt.timedelta(hours=2)
    response = client.post(
        reverse("consultation:meeting-create"),
        {
            "level": "estate",
            "estate": world.estates["a1a"].pk,
            "title": "协商会",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "社区",
            "projects": [project.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("consultation:meeting-detail", args=[meeting.pk])
    client.post(reverse("consultation:meeting-part", args=[meeting.pk, "invite"]), {"owners_of_projects": "on"})
    assert meeting.invitees.count() == len(owners_of(world))
    client.post(reverse("consultation:meeting-part", args=[meeting.pk, "minutes"]), {"minutes": "同意"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    client.post(
        reverse("consultation:meeting-part", args=[meeting.pk, "action"]), {"description": "出方案", "due_date": ""}
    )
    assert not meeting.actions.exists()  # no owner, no due date: refused, nothing saved
    # A meeting that ends before it starts is refused on the form.
    response = client.post(
        reverse("consultation:meeting-create"),
        {
            "level": "estate",
            "estate": world.estates["a1a"].pk,
            "title": "x",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "x",
        },
    )
    assert response.status_code == 200 and Meeting.objects.count() == 1


def test_petition_intake_page_double_post_makes_one(world, groups, client_for):
    client = client_for(world.users["community"])
    data = {
        "idempotency_key": "form-abc",
        "channel": "window",
        "petitioner_name": "王建国",
        "petitioner_phone": "13800138000",
        "reply_method": "phone",
        "estate": world.estates["a1a"].pk,
        "subject": "噪音",
        "content": "夜间施工",
    }
    first = client.post(reverse("consultation:petition-create"), data)
    second = client.post(reverse("consultation:petition-create"), data)
    assert Petition.objects.count() == 1
    assert first["Location"] == second["Location"]
    response = client.post(
        reverse("consultation:petition-create"), data | {"idempotency_key": "x2", "petitioner_phone": ""}
    )
    assert response.status_code == 200 and Petition.objects.count() == 1


def test_petition_steps_through_the_page(world, scene, client_for):
    petition = scene["petition"]
    client = client_for(world.users["community"])
    client.post(reverse("consultation:petition-act", args=[petition.pk, "accept"]), {"text": ""})
    client.post(reverse("consultation:petition-act", args=[petition.pk, "reply"]), {"reply": "已协调"})
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.REPLIED
    letter = client.get(reverse("consultation:petition-letter", args=[petition.pk]))
    assert letter["Content-Type"] == "application/pdf"


def test_lists_keep_a_fixed_number_of_queries(world, scene, client_for, django_assert_max_num_queries):
    client = client_for(world.users["district"])
    urls = [
        reverse("consultation:petition-list"),
        reverse("consultation:record-list"),
        reverse("consultation:meeting-list"),
        reverse("consultation:action-list"),
        reverse("consultation:booking-list"),
        reverse("consultation:window-list"),
        reverse("consultation:article-list"),
        reverse("consultation:coverage-gaps"),
    ]
    baseline = {}
    for url in urls:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        baseline[url] = len(captured)
    # Ten times the rows: the same number of queries.
    from jiati.consultation.services import petitions

    for n in range(10):
        petitions.petition_submit(
            actor=world.users["community"],
            estate=world.estates["a1a"],
            petitioner_name=f"业主{n}",
            petitioner_phone="13800138000",
            reply_method="phone",
            subject=f"事项{n}",
            content="内容",
        )
    url = reverse("consultation:petition-list")
    with django_assert_max_num_queries(baseline[url]):
        client.get(url)


def test_coverage_counts_projects_with_and_without_a_meeting(world, scene, client_for):
    project_at(world, "a2a", stage="vote")  # past consultation without a meeting (a gap)
    client = client_for(world.users["district"])
    page = client.get(reverse("consultation:coverage")).content.decode()
    assert 'id="coverage-percent">50%' in page
    gaps = client.get(reverse("consultation:coverage-gaps")).content.decode()
    assert "JT-a2a" in gaps and "JT-a1a" not in gaps


# --- the resident portal -----------------------------------------------------------


def portal_client(client, owner):
    session = client.session
    session[SESSION_KEY] = owner.pk
    session.save()
    return client


def test_portal_pages_need_a_signed_in_owner(world, scene, client):
    response = client.get(reverse("consultation:portal-book"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_portal_section_lists_bookings_and_links(world, scene, client):
    page = portal_client(client, scene["owner"]).get(reverse("portal:home")).content.decode()
    assert 'id="book-link"' in page and 'id="petition-link"' in page and 'id="publicity-link"' in page
    assert scene["booking"].window.name in page


def test_portal_booking_and_cancel(world, scene, client, sms, django_capture_on_commit_callbacks):
    owner = owners_of(world)[4]
    client = portal_client(client, owner)
    slot = make_slot(scene["window"], days=3, hour=10)
    page = client.get(reverse("consultation:portal-book")).content.decode()
    assert f'id="slot-{slot.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consultation:portal-book-slot", args=[slot.pk]),
            {"name": owner.name, "phone": "13900002222", "topic": "policy", "note": ""},
        )
    booking = Booking.objects.get(owner=owner)
    assert response["Location"] == reverse("consultation:portal-booking", args=[booking.pk])
    assert sms[-1][0] == "13900002222" and booking.reference in sms[-1][1]
    client.post(reverse("consultation:portal-booking-cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    # Another owner's booking and slots of other communities answer 404.
    assert client.get(reverse("consultation:portal-booking", args=[scene["booking"].pk])).status_code == 404


def test_portal_full_slot_says_so(world, scene, client):
    slot = make_slot(scene["window"], days=4, capacity=1)
    others = owners_of(world)
    from jiati.consultation.services import windows

    windows.booking_create(slot=slot, owner=others[2], name="x", phone="13900003333")
    client = portal_client(client, others[3])
    response = client.post(
        reverse("consultation:portal-book-slot", args=[slot.pk]), {"name": "y", "phone": "13900004444", "topic": "cost"}
    )
    assert response.status_code == 200 and Booking.objects.filter(owner=others[3]).count() == 0


def test_portal_petition_is_filed_once_and_answered(world, groups, client):
    owner = owners_of(world)[0]
    client = portal_client(client, owner)
    data = {
        "idempotency_key": "portal-key",
        "estate": world.estates["a1a"].pk,
        "subject": "电梯噪音",
        "content": "晚上有噪音",
        "reply_method": "portal",
        "petitioner_phone": "",
        "petitioner_address": "",
    }
    client.post(reverse("consultation:portal-petition-new"), data)
    client.post(reverse("consultation:portal-petition-new"), data)
    petition = Petition.objects.get()
    assert petition.owner == owner and petition.channel == "portal"
    page = client.get(reverse("consultation:portal-petition", args=[petition.pk])).content.decode()
    assert petition.reference in page


def test_public_articles_need_no_sign_in(world, scene, client):
    listing = client.get(reverse("consultation:public-articles")).content.decode()
    assert scene["article"].title in listing and scene["draft"].title not in listing
    assert client.get(reverse("consultation:public-article", args=[scene["article"].pk])).status_code == 200
    assert client.get(reverse("consultation:public-article", args=[scene["draft"].pk])).status_code == 404


def test_the_window_page_offers_slots(world, window, client_for):
    client = client_for(world.users["community"])
    first = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        reverse("consultation:slots-open", args=[window.pk]),
        {
            "first_day": first.isoformat(),
            "last_day": (first + dt.timedelta(days=6)).isoformat(),
            "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
            "times": "09:00-09:30，10:00-10:30",
            "capacity": "2",
        },
    )
    assert response.status_code == 302
    assert WindowSlot.objects.filter(window=window).count() == 14
