"""The four-level meetings: scheduling rules, invitations, attendance, minutes, resolutions — and the stage
guard that makes one meeting per elevator (一梯一会) a condition for leaving the consultation stage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiati.consultation.models import ActionStatus, Meeting, MeetingAction, MeetingStatus
from jiati.consultation.services import meetings as services
from jiati.consultation.tests.conftest import codes, fields, owners_of, project_at
from jiati.notifications.models import Notification
from jiati.projects import services as project_services
from jiati.projects.models import Project, ProjectEvent, Stage
from jiati.projects.stages import missing_to_leave


def at(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def schedule(world, **overrides) -> Meeting:
    data = {
        "actor": world.users["community"],
        "level": "estate",
        "estate": world.estates["a1a"],
        "title": "长江花园1栋加梯协商会",
        "starts_at": at(48),
        "ends_at": at(50),
        "location": "长江花园党群服务站",
    }
    return services.meeting_schedule(**(data | overrides))


def past_meeting(world, project, **overrides) -> Meeting:
    return schedule(world, starts_at=at(-3), ends_at=at(-1), projects=[project], **overrides)


def test_estate_meeting_with_its_project_goes_on_the_timeline(world, project):
    meeting = schedule(world, projects=[project], party_branch="长江花园党支部", company=world.companies["contractor"])
    assert meeting.region == world.regions["A1a"] and meeting.property_office == world.offices["po_a1a"]
    assert list(meeting.projects.all()) == [project]
    assert ProjectEvent.objects.filter(project=project, data__meeting=meeting.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"ends_at": "before"}, "ends_before_start", "ends_at"),
        ({"ends_at": "same"}, "ends_before_start", "ends_at"),
        ({"ends_at": "long"}, "too_long", "ends_at"),
        ({"estate": None}, "estate_required", "estate"),
        ({"title": ""}, "required", "title"),
        ({"location": " "}, "required", "location"),
        ({"level": "street"}, "invalid_choice", "level"),
        ({"level": "community", "estate": None, "region": None}, "region_required", "region"),
        ({"level": "subdistrict", "estate": None, "region": "A1a"}, "wrong_region_level", "region"),
    ],
)
def test_scheduling_refusals_change_nothing(world, overrides, code, field):
    starts = at(48)
    special = {"before": starts - dt.timedelta(hours=1), "same": starts, "long": starts + dt.timedelta(hours=13)}
    if overrides.get("ends_at") in special:
        overrides["ends_at"] = special[overrides["ends_at"]]
    if isinstance(overrides.get("region"), str):
        overrides["region"] = world.regions[overrides["region"]]
    with pytest.raises(ValidationError) as exc:
        schedule(world, starts_at=starts, **overrides)
    assert code in codes(exc) and field in fields(exc)
    assert not Meeting.objects.exists()


def test_levels_match_the_host_and_the_area(world, project):
    district = schedule(world, actor=world.users["district"], level="district", estate=None, region=world.regions["A"])
    assert district.region == world.regions["A"]
    sub = schedule(
        world,
        actor=world.users["subdistrict"],
        level="subdistrict",
        estate=None,
        region=world.regions["A1"],
        projects=[project],
    )
    assert list(sub.projects.all()) == [project]
    with pytest.raises(PermissionDenied):  # a community cannot host a district meeting
        schedule(world, level="district", estate=None, region=world.regions["A"])
    with pytest.raises(PermissionDenied):
        schedule(world, actor=world.users["other_district"])
    for role in ("property", "finance", "contractor", "resident"):
        with pytest.raises(PermissionDenied):
            schedule(world, actor=world.users[role])


def test_projects_must_be_of_the_meetings_estate_and_area(world, project):
    other = project_at(world, "a1b")
    with pytest.raises(PermissionDenied):  # the community cannot even see it
        schedule(world, projects=[other])
    with pytest.raises(ValidationError) as exc:
        schedule(world, actor=world.users["subdistrict"], projects=[other])
    assert codes(exc) == {"other_estate"}
    with pytest.raises(ValidationError) as exc:
        schedule(
            world,
            actor=world.users["subdistrict"],
            level="community",
            estate=None,
            region=world.regions["A1a"],
            projects=[other],
        )
    assert codes(exc) == {"outside_area"}


def test_invite_staff_owners_of_the_stairwell_companies_and_others(
    world, project, sms, django_capture_on_commit_callbacks
):
    meeting = schedule(world, projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        created = services.meeting_invite(
            actor=world.users["community"],
            meeting=meeting,
            users=[world.users["property"], world.users["subdistrict"]],
            companies=[world.companies["contractor"]],
            others=[("陈书记", "长江花园党支部书记")],
            owners_of_projects=True,
        )
    owners = owners_of(world)
    assert len(created) == 2 + 1 + 1 + len(owners)
    assert Notification.objects.filter(recipient=world.users["property"], kind="meeting").exists()
    assert Notification.objects.filter(recipient=world.users["contractor"], kind="meeting").exists()
    assert len({phone for phone, _text in sms}) == len({o.phone for o in owners})
    with pytest.raises(ValidationError) as exc:  # everyone is already invited
        services.meeting_invite(actor=world.users["community"], meeting=meeting, owners_of_projects=True)
    assert codes(exc) == {"nobody_new"}


def test_attendance_and_minutes_only_once_the_meeting_started(world, project):
    community = world.users["community"]
    future = schedule(world, projects=[project])
    with pytest.raises(ValidationError) as exc:
        services.meeting_hold(actor=community, meeting=future, minutes="提前写纪要")
    assert codes(exc) == {"too_early"}
    with pytest.raises(ValidationError) as exc:
        services.meeting_record_attendance(actor=community, meeting=future, present=set())
    assert codes(exc) == {"too_early"}
    future.refresh_from_db()
    assert future.status == MeetingStatus.SCHEDULED and not future.minutes

    meeting = past_meeting(world, project)
    invitees = services.meeting_invite(actor=community, meeting=meeting, owners_of_projects=True)
    services.meeting_record_attendance(actor=community, meeting=meeting, present={invitees[0].pk, invitees[1].pk})
    assert meeting.invitees.filter(attended=True).count() == 2
    assert meeting.invitees.filter(attended=False).count() == len(invitees) - 2
    with pytest.raises(ValidationError) as exc:
        services.meeting_record_attendance(actor=community, meeting=meeting, present={999999})
    assert codes(exc) == {"not_invited"}
    with pytest.raises(ValidationError):
        services.meeting_hold(actor=community, meeting=meeting, minutes="  ")
    held = services.meeting_hold(actor=community, meeting=meeting, minutes="业主同意按面积分摊费用。")
    assert held.status == MeetingStatus.HELD and held.held_at
    assert ProjectEvent.objects.filter(project=project, data__meeting=meeting.pk).count() == 2  # scheduled, held


def test_sign_in_sheet_upload_is_checked(world, project):
    meeting = past_meeting(world, project)
    with pytest.raises(ValidationError):
        services.meeting_upload_sign_in(
            actor=world.users["community"], meeting=meeting, upload=SimpleUploadedFile("sheet.pdf", b"not a pdf")
        )
    services.meeting_upload_sign_in(
        actor=world.users["community"], meeting=meeting, upload=SimpleUploadedFile("sheet.pdf", b"%PDF-1.4 signed")
    )
    meeting.refresh_from_db()
    assert meeting.sign_in_sheet and len(meeting.sign_in_sheet_sha256) == 64


def test_resolutions_need_an_owner_and_a_due_date_and_are_tracked_to_done(world, project):
    community = world.users["community"]
    meeting = past_meeting(world, project)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.action_add(
            actor=community, meeting=meeting, description="出具管线迁改方案", owner=None, due_date=tomorrow
        )
    assert codes(exc) == {"owner_required"} and fields(exc) == {"owner"}
    with pytest.raises(ValidationError) as exc:
        services.action_add(actor=community, meeting=meeting, description="x", owner=community, due_date=None)
    assert fields(exc) == {"due_date"}
    with pytest.raises(ValidationError) as exc:
        services.action_add(
            actor=community, meeting=meeting, description="x", owner=world.users["resident"], due_date=tomorrow
        )
    assert codes(exc) == {"not_staff"}
    with pytest.raises(ValidationError) as exc:  # a company that is not on the meeting's projects
        services.action_add(
            actor=community, meeting=meeting, description="x", owner=world.users["contractor"], due_date=tomorrow
        )
    assert codes(exc) == {"not_in_area"} and fields(exc) == {"owner"}
    assert not MeetingAction.objects.exists()
    # The construction team assigned to the project may own the meeting's resolutions.
    Project.objects.filter(pk=project.pk).update(contractor=world.companies["contractor"])
    action = services.action_add(
        actor=community,
        meeting=meeting,
        description="出具管线迁改方案",
        owner=world.users["contractor"],
        due_date=tomorrow,
        project=project,
    )
    assert Notification.objects.filter(recipient=world.users["contractor"], kind="meeting_action").exists()
    with pytest.raises(PermissionDenied):
        services.action_done(actor=world.users["maintainer"], action=action, note="x")
    done = services.action_done(actor=world.users["contractor"], action=action, note="方案已提交")
    assert done.status == ActionStatus.DONE and done.done_by == world.users["contractor"]
    with pytest.raises(ValidationError) as exc:
        services.action_done(actor=community, action=action, note="again")
    assert codes(exc) == {"already_done"}


def test_cancel_needs_a_reason_and_tells_the_invitees(world, project):
    community = world.users["community"]
    meeting = schedule(world, projects=[project])
    services.meeting_invite(actor=community, meeting=meeting, users=[world.users["property"]])
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=community, meeting=meeting, reason="")
    services.meeting_cancel(actor=community, meeting=meeting, reason="台风预警")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert Notification.objects.filter(recipient=world.users["property"], title__contains="台风预警").exists()
    with pytest.raises(ValidationError) as exc:
        services.meeting_hold(actor=community, meeting=meeting, minutes="x")
    assert codes(exc) == {"wrong_status"}


def test_update_moves_the_meeting_and_checks_times(world, project):
    community = world.users["community"]
    meeting = schedule(world, projects=[project])
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=community, meeting=meeting, title="t", starts_at=at(10), ends_at=at(9), location="l"
        )
    assert codes(exc) == {"ends_before_start"}
    services.meeting_update(
        actor=community, meeting=meeting, title="改期", starts_at=at(72), ends_at=at(74), location="社区工作站"
    )
    meeting.refresh_from_db()
    assert meeting.title == "改期" and meeting.location == "社区工作站"


def test_link_and_unlink_projects(world, project):
    community = world.users["community"]
    meeting = schedule(world)
    services.meeting_link_projects(actor=community, meeting=meeting, projects=[project])
    with pytest.raises(ValidationError) as exc:
        services.meeting_link_projects(actor=community, meeting=meeting, projects=[project])
    assert codes(exc) == {"unchanged"}
    services.meeting_unlink_project(actor=community, meeting=meeting, project=project)
    assert not meeting.projects.exists()


# --- the stage guard (一梯一会) ------------------------------------------------------------


def test_leaving_consultation_needs_a_held_meeting(world, project):
    community = world.users["community"]
    missing = missing_to_leave(project)
    assert any("一梯一会" in m or "one meeting per elevator" in m for m in missing)
    with pytest.raises(ValidationError):
        project_services.project_advance(project=project, actor=community)
    project.refresh_from_db()
    assert project.stage == Stage.CONSULTATION

    scheduled = schedule(world, projects=[project])
    assert missing_to_leave(project) and missing_to_leave(project) != missing  # now it says: hold it
    services.meeting_cancel(actor=community, meeting=scheduled, reason="改期")
    meeting = past_meeting(world, project)
    services.meeting_hold(actor=community, meeting=meeting, minutes="业主一致同意启动表决。")
    assert missing_to_leave(project) == []
    project_services.project_advance(project=project, actor=community)
    project.refresh_from_db()
    assert project.stage == Stage.VOTE


def test_a_held_meeting_for_another_project_does_not_count(world, project):
    community = world.users["community"]
    other = project_at(world, "a1b")
    meeting = schedule(  # a community meeting (subdistrict ones do not count as 一梯一会: see below)
        world,
        actor=world.users["subdistrict"],
        level="community",
        estate=None,
        region=world.regions["A1b"],
        starts_at=at(-3),
        ends_at=at(-1),
        projects=[other],
    )
    services.meeting_hold(actor=world.users["subdistrict"], meeting=meeting, minutes="纪要")
    assert missing_to_leave(project)
    assert missing_to_leave(other) == []
    del community


def test_an_invited_staff_members_role_is_read_in_the_readers_language(world, project):
    import importlib

    from django.apps import apps
    from django.utils import translation

    from jiati.consultation.models import MeetingInvitee

    meeting = schedule(world, projects=[project])
    (invitee,) = services.meeting_invite(
        actor=world.users["community"], meeting=meeting, users=[world.users["property"]]
    )
    assert invitee.role == "property" and "Property office" not in invitee.affiliation
    with translation.override("en"):
        assert invitee.shown_affiliation.endswith("Property office")
    with translation.override("zh-hans"):
        assert invitee.shown_affiliation.endswith(str(invitee.get_role_display()))
        old = f"{invitee.affiliation} {invitee.get_role_display()}".strip()
    # A row written before roles were codes: the migration takes the label off the unit and keeps the code.
    MeetingInvitee.objects.filter(pk=invitee.pk).update(affiliation=old, role="")
    importlib.import_module(
        "jiati.consultation.migrations.0004_invitee_role_and_petition_texts_as_kind_and_values"
    ).forwards(apps, None)
    invitee.refresh_from_db()
    assert invitee.role == "property" and invitee.affiliation == old.rsplit(" ", 1)[0].strip()
    with translation.override("en"):
        assert invitee.shown_affiliation.endswith("Property office")


def test_a_resolution_and_a_meeting_name_every_wrong_field_at_once(world, project):
    community = world.users["community"]
    meeting = past_meeting(world, project)
    with pytest.raises(ValidationError) as exc:
        services.action_add(actor=community, meeting=meeting, description=" ", owner=None, due_date=None)
    assert fields(exc) == {"description", "owner", "due_date"}
    assert not MeetingAction.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.meeting_schedule(
            actor=community, level="estate", title="", starts_at=None, ends_at=None, location="", estate=None
        )
    assert fields(exc) == {"title", "location", "starts_at", "ends_at", "estate"}
