"""Pages: every page renders for the staff who use it, actions go through the services, lists keep a fixed
number of queries, and the portal and public pages work for residents."""

from __future__ import annotations

import datetime as dt
import re

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
from jiati.consultation.tests.conftest import make_slot, owners_of, project_at, window_of
from jiati.residents.auth import SESSION_KEY


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
    assert reverse("consultation:meeting-create") in gaps  # the office may schedule from the list


def test_readers_of_the_gaps_get_no_button_they_could_not_use(world, scene, client_for):
    project_at(world, "a2a", stage="vote")
    client = client_for(world.users["finance"])
    gaps = client.get(reverse("consultation:coverage-gaps")).content.decode()
    assert "JT-a2a" in gaps and reverse("consultation:meeting-create") not in gaps
    assert client.get(reverse("consultation:meeting-create")).status_code == 403


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


def _tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<[^<>]*\bid="{element_id}"[^<>]*>', html)
    assert match, element_id
    return match.group(0)


def test_booking_a_full_slot_keeps_the_callers_details_and_the_chosen_slot(world, window, client_for):
    from jiati.consultation.services import windows

    earlier = [make_slot(window, days=1), make_slot(window, days=2)]
    full = make_slot(window, days=5, capacity=1)  # on the third day shown, which is folded unless opened
    windows.booking_create(actor=world.users["community"], slot=full, name="张伟", phone="13900001111")
    response = client_for(world.users["community"]).post(
        reverse("consultation:window-book", args=[window.pk]),
        {"slot": str(full.pk), "name": "陈桂兰", "phone": "13712345678", "topic": "cost", "note": "想问分摊比例"},
    )
    html = response.content.decode()
    assert response.status_code == 200  # the page again, not a redirect that drops what the caller said
    assert re.search(
        r'id="id_book_slot"[^<>]*>.*?</select>\s*<div class="invalid-feedback d-block">This time is fully'
        r" booked; choose another.",
        html,
        re.S,
    )
    assert f'<option value="{full.pk}" selected>' in html  # still chosen, though full: the reason is on it
    for other in earlier:
        assert f'<option value="{other.pk}">' in html
    assert 'value="陈桂兰"' in _tag(html, "id_book_name")
    assert 'value="13712345678"' in _tag(html, "id_book_phone")
    assert "checked" in _tag(html, "id_book_topic_1") and "想问分摊比例" in html
    assert html.count("陈桂兰") == 1 and "refused-form" not in html
    assert Booking.objects.filter(slot=full).count() == 1


def test_a_refused_booking_names_every_wrong_field_at_once(world, window, client_for):
    slot = make_slot(window, days=1)
    response = client_for(world.users["community"]).post(
        reverse("consultation:window-book", args=[window.pk]),
        {"slot": str(slot.pk), "name": "", "phone": "12345", "note": "电话来问"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and f'<option value="{slot.pk}" selected>' in html and "电话来问" in html
    for field in ("id_book_name", "id_book_phone"):
        assert "is-invalid" in _tag(html, field)
    assert 'value="12345"' in _tag(html, "id_book_phone") and "Choose" in html
    assert not Booking.objects.exists()


def test_booking_a_slot_no_longer_on_the_page_keeps_the_callers_details(world, window, client_for):
    past = make_slot(window, days=-1)
    response = client_for(world.users["community"]).post(
        reverse("consultation:window-book", args=[window.pk]),
        {"slot": str(past.pk), "name": "陈桂兰", "phone": "13712345678", "topic": "cost"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This time has already passed; choose a later one." in html
    assert f'<option value="{past.pk}" selected>' in html and 'value="陈桂兰"' in _tag(html, "id_book_name")
    assert not Booking.objects.filter(slot=past).exists()


def test_another_windows_slot_cannot_be_booked_here(world, window, client_for):
    other = make_slot(window_of(world, kind="property_office"), days=1, created_by=world.users["community"])
    response = client_for(world.users["community"]).post(
        reverse("consultation:window-book", args=[window.pk]),
        {"slot": str(other.pk), "name": "陈桂兰", "phone": "13712345678", "topic": "cost"},
    )
    assert response.status_code == 200 and "is-invalid" in _tag(response.content.decode(), "id_book_slot")
    assert not Booking.objects.exists()


def test_refused_slots_keep_what_was_typed_with_the_error_on_the_field(world, window, client_for):
    first = timezone.localdate() + dt.timedelta(days=5)
    last = first - dt.timedelta(days=3)
    response = client_for(world.users["community"]).post(
        reverse("consultation:slots-open", args=[window.pk]),
        {
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "weekdays": ["5", "6"],
            "times": "08:00-08:30, 16:00-16:30",
            "capacity": "4",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="open-slots" open' in html
    assert f'value="{first.isoformat()}"' in _tag(html, "id_first_day")
    last_day = _tag(html, "id_last_day")
    assert f'value="{last.isoformat()}"' in last_day and "is-invalid" in last_day
    assert "is-invalid" not in _tag(html, "id_first_day")
    assert 'value="4"' in _tag(html, "id_capacity") and "08:00-08:30, 16:00-16:30" in html
    assert "checked" in _tag(html, "id_weekdays_5") and "checked" not in _tag(html, "id_weekdays_0")
    assert re.search(r'id="id_last_day"[^<>]*>\s*<div class="invalid-feedback d-block">The last day is before', html)
    assert not WindowSlot.objects.filter(window=window).exists()


def test_a_refused_window_edit_keeps_what_was_typed(world, window, client_for):
    name = window.name
    response = client_for(world.users["community"]).post(
        reverse("consultation:window-edit", args=[window.pk]),
        {"name": "新木社区党群服务站", "address": "新木路2号", "phone": "不是号码", "is_active": "on"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="window-edit" open' in html
    assert 'value="新木社区党群服务站"' in _tag(html, "id_name") and "is-invalid" in _tag(html, "id_phone")
    window.refresh_from_db()
    assert window.name == name and window.address == "新木路1号"


def test_refused_places_and_cancellations_stay_under_their_slot_or_booking(world, window, client_for):
    from jiati.consultation.services import windows

    community = world.users["community"]
    slot = make_slot(window, days=1)
    for phone in ("13900001111", "13900002222"):
        booking = windows.booking_create(actor=community, slot=slot, name="张伟", phone=phone)
    client = client_for(community)
    response = client.post(reverse("consultation:slot-capacity", args=[slot.pk]), {"capacity": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and f'id="capacity-{slot.pk}" open' in html
    assert "2 places are already booked; the slot cannot have fewer places." in html and 'value="1"' in html
    assert WindowSlot.objects.get(pk=slot.pk).capacity == 3

    response = client.post(reverse("consultation:slot-cancel", args=[slot.pk]), {"reason": "   "})
    html = response.content.decode()
    assert response.status_code == 200 and f'id="cancel-{slot.pk}" open' in html and "invalid-feedback" in html
    assert not WindowSlot.objects.get(pk=slot.pk).is_cancelled

    windows.booking_cancel(actor=community, booking=booking, reason="重复预约")
    response = client.post(reverse("consultation:booking-cancel", args=[booking.pk]), {"reason": "来电取消"})
    html = response.content.decode()  # cancelled meanwhile: no longer listed, so the reason is shown on its own
    assert response.status_code == 200 and 'id="refused-form"' in html and "来电取消" in html
    assert "This booking is not live any more." in html


def test_only_window_managers_get_a_refused_window_form_back(world, scene, client_for):
    slot = scene["slot"]
    response = client_for(world.users["finance"]).post(  # finance sees the window, but does not run it
        reverse("consultation:window-book", args=[slot.window_id]),
        {"slot": str(slot.pk), "name": "陈桂兰", "phone": "", "topic": "cost"},
    )
    assert response.status_code == 403
    assert Booking.objects.filter(slot=slot).count() == 1


# --- a refused form comes back as it was typed ----------------------------------------------------------


def test_a_resolution_without_an_owner_comes_back_as_typed(world, scene, client_for):
    meeting = scene["meeting"]
    client = client_for(world.users["community"])
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("consultation:meeting-part", args=[meeting.pk, "action"]),
        {"description": "协调管线迁改并出具书面方案", "due_date": due, "owner": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200  # the page again, not a redirect that drops the input
    assert "协调管线迁改并出具书面方案" in html and f'value="{due}"' in html
    assert 'id="part-action" open' in html and "invalid-feedback" in html
    assert "Name who will carry out the resolution." in html
    assert meeting.actions.count() == 1  # only the scene's


def test_a_refused_minutes_and_a_refused_edit_keep_their_text(world, project, client_for):
    from jiati.consultation.services import meetings

    community = world.users["community"]
    start = timezone.now() + dt.timedelta(days=2)
    meeting = meetings.meeting_schedule(
        actor=community,
        level="estate",
        estate=world.estates["a1a"],
        title="协商会",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        location="社区",
        projects=[project],
    )
    client = client_for(community)
    minutes = client.post(
        reverse("consultation:meeting-part", args=[meeting.pk, "minutes"]), {"minutes": "提前写好的纪要草稿"}
    )
    html = minutes.content.decode()
    assert minutes.status_code == 200 and "提前写好的纪要草稿" in html and 'id="part-minutes" open' in html
    edit = client.post(
        reverse("consultation:meeting-part", args=[meeting.pk, "edit"]),
        {
            "title": "改期后的协商会",
            "starts_at": (timezone.localtime(start)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (timezone.localtime(start) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "新地点",
            "agenda": "议程一\n议程二",
        },
    )
    html = edit.content.decode()
    assert edit.status_code == 200 and "改期后的协商会" in html and "议程一" in html and 'id="part-edit" open' in html
    assert "The meeting must end after it starts." in html
    meeting.refresh_from_db()
    assert meeting.title == "协商会" and not meeting.minutes


def test_a_refused_mark_done_keeps_the_note(world, scene, client_for):
    from jiati.consultation.services import meetings

    action = scene["action"]
    meetings.action_done(actor=world.users["community"], action=action, note="已完成")
    response = client_for(world.users["community"]).post(
        reverse("consultation:action-done", args=[action.pk]), {"note": "再次标记的说明"}
    )
    assert response.status_code == 200 and "This resolution is already done." in response.content.decode()


@pytest.mark.parametrize(
    ("step", "data", "typed", "error"),
    [
        ("reply", {"reply": "   "}, None, "This field is required."),
        (
            "extend",
            {"days": "45", "reason": "需第三方检测机构出具报告"},
            "需第三方检测机构出具报告",
            "between 1 and 30",
        ),
        ("decline", {"reason": ""}, None, "This field is required."),
        ("note", {"text": ""}, None, "This field is required."),
    ],
)
def test_a_refused_petition_step_comes_back_as_typed(world, scene, client_for, step, data, typed, error):
    from jiati.consultation.services import petitions

    petition = scene["petition"]
    if step in ("reply", "extend"):
        petitions.petition_accept(actor=world.users["community"], petition=petition)
    user = world.users["subdistrict" if step == "extend" else "community"]
    events = petition.events.count()
    response = client_for(user).post(reverse("consultation:petition-act", args=[petition.pk, step]), data)
    html = response.content.decode()
    assert response.status_code == 200 and error in html
    if typed:
        assert typed in html and 'value="45"' in html and 'id="part-extend" open' in html
    assert petition.events.count() == events


def test_a_refused_reply_keeps_the_reply_text(world, scene, client_for):
    from jiati.consultation.models import PetitionStatus
    from jiati.consultation.services import petitions

    petition = scene["petition"]
    client = client_for(world.users["community"])
    # Not yet accepted: the service refuses the reply; the long answer typed is not lost.
    response = client.post(
        reverse("consultation:petition-act", args=[petition.pk, "reply"]), {"reply": "经多方协调，施工方承诺……"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Only an accepted petition can be replied to." in html
    assert "经多方协调，施工方承诺……" in html
    petitions.petition_accept(actor=world.users["community"], petition=petition)
    assert Petition.objects.get(pk=petition.pk).status == PetitionStatus.ACCEPTED


def test_an_htmx_refusal_replaces_the_body(world, scene, client_for):
    response = client_for(world.users["community"]).post(
        reverse("consultation:meeting-part", args=[scene["meeting"].pk, "cancel"]),
        {"reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "body"


# --- names masked per role ---------------------------------------------------------------------------


def test_invited_owners_are_masked_except_for_the_staff_running_the_meeting(world, scene, client_for):
    import io

    from pypdf import PdfReader

    from jiati.consultation.services import meetings

    meeting = scene["meeting"]
    meetings.meeting_record_attendance(  # everyone came: the minutes list them
        actor=world.users["community"], meeting=meeting, present={i.pk for i in meeting.invitees.all()}
    )
    owner = owners_of(world)[0]
    masked = owner.name[0] + "*" * (len(owner.name) - 1)
    urls = [
        reverse("consultation:meeting-detail", args=[meeting.pk]),
        reverse("consultation:meeting-sign-in-pdf", args=[meeting.pk]),
        reverse("consultation:meeting-minutes-pdf", args=[meeting.pk]),
    ]

    def texts(user):
        client = client_for(user)
        out = []
        for url in urls:
            response = client.get(url)
            if response["Content-Type"] == "application/pdf":
                out.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages))
            else:
                out.append(response.content.decode())
        api = client.get(reverse("consultation-meeting-invitees", args=[meeting.pk])).json()
        out.append(str([row["name"] for row in api]))
        return out

    for text in texts(world.users["community"]):  # the organiser
        assert owner.name in text
    for role in ("district", "subdistrict"):  # they see the meeting, but do not run it
        for text in texts(world.users[role])[:2] + texts(world.users[role])[3:]:
            assert owner.name not in text and masked in text, role
    # Staff stay named in full for everyone (they sign as themselves).
    assert world.users["property"].display_name in texts(world.users["district"])[1]


def test_the_reply_letter_masks_the_petitioner_except_for_the_handler(world, scene, client_for):
    import io

    from pypdf import PdfReader

    from jiati.consultation.services import petitions

    community = world.users["community"]
    petition = petitions.petition_accept(actor=community, petition=scene["petition"])
    petitions.petition_reply(actor=community, petition=petition, reply="已协调")
    url = reverse("consultation:petition-letter", args=[petition.pk])

    def text(user):
        response = client_for(user).get(url)
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)

    assert "王建国" in text(community)
    district = text(world.users["district"])
    assert "王建国" not in district and "王**" in district


def test_booking_names_are_masked_like_phones(world, scene, client_for):
    booking = scene["booking"]
    name = booking.name
    masked = name[0] + "*" * (len(name) - 1)
    listing = reverse("consultation:booking-list")
    window = reverse("consultation:window-detail", args=[booking.window_id])
    api = reverse("consultation-booking-detail", args=[booking.pk])

    def export(client, personal):
        import io

        from openpyxl import load_workbook

        response = client.get(listing, {"export": "xlsx", **({"personal": "1"} if personal else {})})
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
        return str(rows)

    community = client_for(world.users["community"])  # front-line: receives the resident
    assert name in community.get(listing).content.decode() and name in community.get(window).content.decode()
    assert community.get(api).json()["name"] == name
    assert name in export(community, personal=True) and name not in export(community, personal=False)
    district = client_for(world.users["district"])  # sees the bookings, but does not need the names
    for text in (district.get(listing).content.decode(), district.get(window).content.decode()):
        assert name not in text and masked in text
    assert district.get(api).json()["name"] == masked
    assert name not in export(district, personal=True)


# --- start page: unassigned petitions, letters ------------------------------------------------------------


def test_an_overdue_petition_without_a_handler_shows_to_its_unit(world, scene, client_for, liaison):
    petition = scene["petition"]
    Petition.objects.filter(pk=petition.pk).update(handler=None, due_date=timezone.localdate() - dt.timedelta(days=3))
    for user in (world.users["community"], liaison):  # the members of the responsible group
        home = client_for(user).get(reverse("core:home")).content.decode()
        assert 'id="widget-overdue-petitions"' in home and petition.reference in home
        assert "no handler" in home and 'id="overdue-unassigned-link"' in home
        from jiati.consultation import selectors

        counts = selectors.start_page_counts(user=user)
        assert counts["unassigned"] == 1 and counts["unassigned_overdue"] == 1
    listing = client_for(liaison).get(reverse("consultation:petition-list"), {"unit": "true", "overdue": "true"})
    assert petition.reference in listing.content.decode()
    # Not the other community's staff, nor the district (it is not their unit's).
    for role in ("other_community", "district"):
        home = client_for(world.users[role]).get(reverse("core:home")).content.decode()
        assert petition.reference not in home


def test_without_a_group_the_area_staff_are_the_unit(world, scene, client_for):
    from jiati.consultation import selectors

    petition = scene["other_petition"]  # estate a1b, community A1b
    Petition.objects.filter(pk=petition.pk).update(
        handler=None, group=None, due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    for role in ("other_community", "subdistrict"):  # the community's and its subdistrict's staff
        assert selectors.start_page_counts(user=world.users[role])["unassigned_overdue"] == 1, role
        assert petition.reference in client_for(world.users[role]).get(reverse("core:home")).content.decode()
    assert selectors.start_page_counts(user=world.users["community"])["unassigned"] == 0


# --- coverage export ------------------------------------------------------------------------------------


def test_coverage_by_subdistrict_exports_to_xlsx(world, scene, client_for):
    import io

    from openpyxl import load_workbook

    project_at(world, "a2a", stage="vote")
    response = client_for(world.users["district"]).get(reverse("consultation:coverage"), {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
    assert rows[0] == ("Subdistrict", "Projects", "With a meeting", "Without", "Coverage (%)")
    assert ("平湖街道", 1, 1, 0, 100) in rows and ("坂田街道", 1, 0, 1, 0) in rows
    assert rows[-1] == ("Total", 2, 1, 1, 50)
    from jiati.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", changes__model="consultation.coverage").exists()


# --- the window page: one booking form, the slot chosen in it ---------------------------------------------


def _demo_like_week(world, window):
    """Like the demo: four slots a day for two weeks, a third of the places booked."""
    from jiati.consultation.services import windows

    community = world.users["community"]
    slots = [make_slot(window, days=day, hour=hour) for day in range(1, 15) for hour in (9, 10, 14, 15)]
    for index, slot in enumerate(slots[::3]):
        windows.booking_create(actor=community, slot=slot, name="张伟", phone=f"139{index:08d}", topic="cost")
    return slots


def test_the_window_page_has_one_booking_form_and_stays_small(world, window, client_for):
    """Demo-like: 56 slots with a form under each made the page 301 KB (213 KB on the demo); one form, 62 KB."""
    slots = _demo_like_week(world, window)
    client = client_for(world.users["community"])
    url = reverse("consultation:window-detail", args=[window.pk])
    html = client.get(url).content.decode()
    assert len(html.encode()) < 80_000
    book_url = reverse("consultation:window-book", args=[window.pk])
    assert html.count('name="note"') == 1 and html.count(f'action="{book_url}"') == 1
    assert html.count('name="reason"') == len(slots[::3])  # only the bookings' own cancel forms
    for slot in slots:  # every slot offers the one form, pre-set to that slot (a plain link: works without JS)
        assert f'href="?slot={slot.pk}#book"' in html and f'<option value="{slot.pk}"' in html
    assert "1 of 3 booked" in re.search(rf'<option value="{slots[0].pk}">[^<]*', html).group(0)
    chosen = client.get(f"{url}?slot={slots[5].pk}").content.decode()  # the link without JS
    assert f'<option value="{slots[5].pk}" selected>' in chosen
    managed = client.get(f"{url}?manage={slots[5].pk}").content.decode()  # the slot's own forms, on demand
    assert f'id="capacity-{slots[5].pk}" open' in managed and f'id="cancel-{slots[5].pk}" open' in managed
    assert f'id="capacity-{slots[6].pk}"' not in managed
