"""Petitions: intake and routing, the handling steps and their refusals, escalation, the append-only history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.consultation.models import (
    Petition,
    PetitionEvent,
    PetitionEventKind,
    PetitionLevel,
    PetitionSettings,
    PetitionStatus,
    ReplyMethod,
    Satisfaction,
)
from jiati.consultation.services import petitions as services
from jiati.consultation.tests.conftest import codes, fields, owners_of
from jiati.notifications.models import Notification
from jiati.projects.models import ProjectEvent

TODAY = timezone.localdate


def submit(world, **overrides) -> Petition:
    data = {
        "actor": world.users["community"],
        "estate": world.estates["a1a"],
        "petitioner_name": "王建国",
        "petitioner_phone": "13800138000",
        "reply_method": ReplyMethod.PHONE,
        "subject": "一楼采光受影响",
        "content": "加装电梯后一楼采光变差，要求补偿。",
    }
    return services.petition_submit(**(data | overrides))


def test_submission_is_routed_with_its_deadline_and_history(
    world, groups, liaison, project, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        petition = submit(world, stairwell=world.stairwells["a1a"])
    assert petition.reference == f"XF{TODAY():%Y}{petition.pk:06d}"
    assert (petition.status, petition.level) == (PetitionStatus.RECEIVED, PetitionLevel.COMMUNITY)
    assert (petition.group, petition.handler) == (groups["community"], liaison)
    assert petition.accept_due == TODAY() + dt.timedelta(days=15) == petition.due_date
    assert petition.project == project
    assert [e.kind for e in petition.events.all()] == [PetitionEventKind.RECEIVED, PetitionEventKind.ROUTED]
    assert Notification.objects.filter(recipient=liaison, kind="petition").exists()
    assert any(phone == "13800138000" and petition.reference in text for phone, text in sms)
    assert ProjectEvent.objects.filter(project=project, data__petition=petition.pk).exists()
    entry = AuditEntry.objects.get(object_id=str(petition.pk), action="create")
    assert "13800138000" not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"petitioner_phone": "", "petitioner_address": ""}, "no_way_to_reply", "petitioner_phone"),
        ({"reply_method": ReplyMethod.LETTER}, "no_way_to_reply", "petitioner_address"),
        ({"petitioner_phone": "", "petitioner_address": "新木路8号"}, "no_way_to_reply", "petitioner_phone"),
        ({"reply_method": ReplyMethod.PORTAL}, "no_way_to_reply", "reply_method"),
        ({"petitioner_phone": "12345"}, "invalid_phone", "petitioner_phone"),
        ({"subject": "  "}, "required", "subject"),
        ({"content": ""}, "required", "content"),
        ({"petitioner_name": ""}, "required", "petitioner_name"),
        ({"received_on": dt.date(2099, 1, 1)}, "future_date", "received_on"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, groups, overrides, code, field):
    with pytest.raises(ValidationError) as exc:
        submit(world, **overrides)
    assert code in codes(exc) and field in fields(exc)
    assert not Petition.objects.exists() and not PetitionEvent.objects.exists()


def test_a_letter_without_a_phone_is_fine(world, groups):
    petition = submit(
        world, petitioner_phone="", petitioner_address="深圳市龙岗区新木路8号", reply_method=ReplyMethod.LETTER
    )
    assert petition.status == PetitionStatus.RECEIVED


def test_staff_outside_the_area_and_other_roles_cannot_take_one_in(world, groups):
    for role in ("other_community", "other_district"):
        with pytest.raises(PermissionDenied):
            submit(world, actor=world.users[role])
    for role in ("contractor", "finance", "resident"):
        with pytest.raises(PermissionDenied):
            submit(world, actor=world.users[role])
    assert not Petition.objects.exists()


def test_the_same_submission_key_makes_one_petition(world, groups):
    first = submit(world, idempotency_key="k-1")
    again = submit(world, idempotency_key="k-1")
    assert again.pk == first.pk
    assert Petition.objects.count() == 1
    assert submit(world, idempotency_key="k-2").pk != first.pk


def test_a_key_used_by_someone_else_is_refused(world, groups):
    submit(world, idempotency_key="shared")
    with pytest.raises(ValidationError) as exc:
        submit(world, actor=world.users["other_district"], estate=world.estates["b1a"], idempotency_key="shared")
    assert codes(exc) == {"duplicate_key"}


def test_portal_submission_by_an_owner(world, groups):
    owner = owners_of(world)[0]
    petition = services.petition_submit(
        actor=None,
        owner=owner,
        estate=world.estates["a1a"],
        petitioner_name=owner.name,
        reply_method=ReplyMethod.PORTAL,
        subject="施工噪音",
        content="晚上十点后仍在施工",
    )
    assert petition.channel == "portal" and petition.owner == owner and petition.created_by is None
    with pytest.raises(ValidationError) as exc:
        services.petition_submit(
            actor=None,
            owner=owner,
            estate=world.estates["b1a"],
            petitioner_name=owner.name,
            reply_method=ReplyMethod.PORTAL,
            subject="x",
            content="y",
        )
    assert codes(exc) == {"not_your_estate"}


def test_accept_then_reply_then_close(world, groups, sms, django_capture_on_commit_callbacks):
    community = world.users["community"]
    petition = submit(world)
    with django_capture_on_commit_callbacks(execute=True):
        petition = services.petition_accept(actor=community, petition=petition, note="已核实")
    assert petition.status == PetitionStatus.ACCEPTED and petition.accepted_on == TODAY()
    assert petition.resolve_due == TODAY() + dt.timedelta(days=60) == petition.due_date
    with django_capture_on_commit_callbacks(execute=True):
        petition = services.petition_reply(actor=community, petition=petition, reply="已与施工方协调，调整施工时间。")
    assert petition.status == PetitionStatus.REPLIED and petition.due_date is None and petition.replied_at
    assert any("已与施工方协调" in text for _phone, text in sms)
    petition = services.petition_close(actor=community, petition=petition, satisfaction=Satisfaction.SATISFIED)
    assert petition.status == PetitionStatus.CLOSED and petition.closed_at
    kinds = list(petition.events.values_list("kind", flat=True))
    assert kinds == ["received", "routed", "accepted", "replied", "closed"]
    replied = petition.events.get(kind="replied")
    assert replied.data["on_time"] is True and replied.data["changes"]["status"] == ["accepted", "replied"]


def test_steps_out_of_order_are_refused_and_change_nothing(world, groups):
    community = world.users["community"]
    petition = submit(world)
    for call in (
        lambda: services.petition_reply(actor=community, petition=petition, reply="x"),
        lambda: services.petition_close(actor=community, petition=petition, satisfaction="satisfied"),
        lambda: services.petition_reopen(actor=community, petition=petition, reason="x"),
        lambda: services.petition_extend(actor=world.users["subdistrict"], petition=petition, days=5, reason="x"),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert codes(exc) == {"wrong_status"}
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED and petition.events.count() == 2


def test_decline_needs_a_reason_and_can_be_reopened(world, groups):
    community = world.users["community"]
    petition = submit(world)
    with pytest.raises(ValidationError) as exc:
        services.petition_decline(actor=community, petition=petition, reason=" ")
    assert codes(exc) == {"required"}
    petition = services.petition_decline(
        actor=community, petition=petition, reason="不属于加梯事项，已告知向住建部门反映"
    )
    assert petition.status == PetitionStatus.DECLINED and petition.due_date is None
    petition = services.petition_reopen(actor=community, petition=petition, reason="补充了新材料")
    assert petition.status == PetitionStatus.RECEIVED
    assert petition.accept_due == TODAY() + dt.timedelta(days=15) and petition.reopen_count == 1


def test_extension_once_at_most_thirty_days_approved_a_level_up(world, groups):
    petition = services.petition_accept(actor=world.users["community"], petition=submit(world))
    due = petition.resolve_due
    with pytest.raises(PermissionDenied):
        services.petition_extend(actor=world.users["community"], petition=petition, days=10, reason="复杂")
    subdistrict = world.users["subdistrict"]
    with pytest.raises(ValidationError) as exc:
        services.petition_extend(actor=subdistrict, petition=petition, days=31, reason="复杂")
    assert codes(exc) == {"extension_too_long"}
    petition = services.petition_extend(actor=subdistrict, petition=petition, days=30, reason="需第三方鉴定")
    assert petition.resolve_due == due + dt.timedelta(days=30) == petition.due_date
    with pytest.raises(ValidationError) as exc:
        services.petition_extend(actor=subdistrict, petition=petition, days=1, reason="再延")
    assert codes(exc) == {"already_extended"}


def test_configured_deadlines_apply_to_new_petitions(world, groups):
    services.petition_settings_set(
        actor=world.users["district"],
        accept_days=10,
        resolve_days=30,
        max_extension_days=15,
        working_days=False,
        escalate_after_days=5,
        remind_days_before=2,
    )
    assert PetitionSettings.current().accept_days == 10
    petition = submit(world)
    assert petition.accept_due == TODAY() + dt.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        services.petition_settings_set(
            actor=world.users["community"],
            accept_days=1,
            resolve_days=1,
            max_extension_days=0,
            working_days=False,
            escalate_after_days=1,
            remind_days_before=0,
        )
    with pytest.raises(ValidationError) as exc:
        services.petition_settings_set(
            actor=world.users["district"],
            accept_days=0,
            resolve_days=30,
            max_extension_days=15,
            working_days=False,
            escalate_after_days=5,
            remind_days_before=2,
        )
    assert fields(exc) == {"accept_days"}


def test_reopen_after_an_unsatisfied_reply_starts_a_new_period(world, groups):
    community = world.users["community"]
    petition = services.petition_accept(actor=community, petition=submit(world))
    petition = services.petition_reply(actor=community, petition=petition, reply="已处理")
    petition = services.petition_close(actor=community, petition=petition, satisfaction=Satisfaction.UNSATISFIED)
    petition = services.petition_reopen(actor=community, petition=petition, reason="业主不满意，要求再次协调")
    assert petition.status == PetitionStatus.ACCEPTED and petition.satisfaction == "" and petition.closed_at is None
    assert petition.resolve_due == TODAY() + dt.timedelta(days=60)


def test_the_owner_closes_or_reopens_only_their_own(world, groups):
    owner, stranger = owners_of(world)[:2]
    petition = services.petition_submit(
        actor=None,
        owner=owner,
        estate=world.estates["a1a"],
        petitioner_name=owner.name,
        reply_method=ReplyMethod.PORTAL,
        subject="s",
        content="c",
    )
    community = world.users["community"]
    services.petition_reply(
        actor=community, petition=services.petition_accept(actor=community, petition=petition), reply="r"
    )
    with pytest.raises(PermissionDenied):
        services.petition_close(petition=petition, owner=stranger, satisfaction="satisfied")
    petition = services.petition_close(petition=petition, owner=owner, satisfaction="basically")
    assert petition.status == PetitionStatus.CLOSED
    assert petition.events.get(kind="closed").actor is None


def test_handler_change_within_the_area(world, groups, liaison):
    petition = submit(world)
    with pytest.raises(ValidationError) as exc:
        services.petition_reassign(
            actor=world.users["community"], petition=petition, handler=world.users["other_district"]
        )
    assert codes(exc) == {"not_in_area"}
    petition = services.petition_reassign(
        actor=world.users["community"], petition=petition, handler=world.users["community"]
    )
    assert petition.handler == world.users["community"]
    assert petition.events.filter(kind="reassigned").exists()


def _make_overdue(petition, days: int) -> Petition:
    Petition.objects.filter(pk=petition.pk).update(due_date=TODAY() - dt.timedelta(days=days))
    petition.refresh_from_db()
    return petition


def test_overdue_petitions_escalate_one_level_at_a_time(world, groups, liaison):
    petition = _make_overdue(submit(world), 2)
    assert petition.is_overdue and petition.days_overdue() == 2
    assert Petition.objects.overdue().filter(pk=petition.pk).exists()
    assert services.petitions_escalate_overdue() == 1
    petition.refresh_from_db()
    assert (petition.level, petition.group, petition.handler) == (
        PetitionLevel.SUBDISTRICT,
        groups["subdistrict"],
        world.users["subdistrict"],
    )
    event = petition.events.get(kind="escalated")
    assert event.actor is None and event.data["from_level"] == "community" and event.data["to_level"] == "subdistrict"
    assert Notification.objects.filter(recipient=world.users["subdistrict"], kind="petition").exists()
    assert Notification.objects.filter(recipient=liaison, title__contains=petition.reference).count() >= 2
    # The subdistrict gets its days before the petition moves on: a fresh deadline (acceptance was still to be
    # decided, so the days to decide on it: 15), not the one that had already passed.
    assert petition.due_date == petition.accept_due == TODAY() + dt.timedelta(days=15)
    assert event.data["previous_due"] == (TODAY() - dt.timedelta(days=2)).isoformat()
    assert event.data["due_date"] == petition.due_date.isoformat() and petition.due_date.isoformat() in event.message
    assert services.petitions_escalate_overdue() == 0
    assert services.petitions_escalate_overdue(today=TODAY() + dt.timedelta(days=6)) == 0
    assert services.petitions_escalate_overdue(today=TODAY() + dt.timedelta(days=15)) == 0  # the deadline day
    assert services.petitions_escalate_overdue(today=TODAY() + dt.timedelta(days=16)) == 1
    petition.refresh_from_db()
    assert petition.level == PetitionLevel.DISTRICT and petition.handler == world.users["district"]
    # The district office is the top.
    assert services.petitions_escalate_overdue(today=TODAY() + dt.timedelta(days=60)) == 0
    assert petition.escalation_count == 2


def test_on_time_and_answered_petitions_do_not_escalate(world, groups):
    on_time = submit(world)
    answered = services.petition_decline(
        actor=world.users["community"], petition=_make_overdue(submit(world), 3), reason="r"
    )
    assert services.petitions_escalate_overdue() == 0
    on_time.refresh_from_db()
    answered.refresh_from_db()
    assert on_time.level == answered.level == PetitionLevel.COMMUNITY


def test_manual_escalation_needs_a_reason(world, groups):
    petition = submit(world)
    with pytest.raises(ValidationError):
        services.petition_escalate(actor=world.users["community"], petition=petition, reason="")
    petition = services.petition_escalate(actor=world.users["community"], petition=petition, reason="涉及多个部门")
    assert petition.level == PetitionLevel.SUBDISTRICT


def test_handlers_are_reminded_once_before_the_deadline(world, groups):
    petition = submit(world)
    Petition.objects.filter(pk=petition.pk).update(due_date=TODAY() + dt.timedelta(days=2))
    assert services.petitions_remind() == 1
    assert services.petitions_remind() == 0


def test_history_is_append_only(world, groups):
    petition = submit(world)
    event = petition.events.first()
    event.message = "改写"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        PetitionEvent.objects.filter(petition=petition).update(message="改写")
    with pytest.raises(TypeError):
        PetitionEvent.objects.filter(petition=petition).delete()
    assert PetitionEvent.objects.get(pk=event.pk).message != "改写"


def test_a_note_is_added_to_the_history(world, groups):
    petition = submit(world)
    services.petition_note(actor=world.users["property"], petition=petition, text="物业已上门了解情况")
    assert petition.events.filter(kind="note", actor=world.users["property"]).exists()
    with pytest.raises(PermissionDenied):
        services.petition_note(actor=world.users["other_community"], petition=petition, text="x")


# --- one extension per petition, escalation deadlines, letters ----------------------------------------------


def test_one_extension_for_the_whole_life_of_a_petition(world, groups):
    community, subdistrict = world.users["community"], world.users["subdistrict"]
    petition = services.petition_accept(actor=community, petition=submit(world))
    petition = services.petition_extend(actor=subdistrict, petition=petition, days=20, reason="需第三方鉴定")
    petition = services.petition_reply(actor=community, petition=petition, reply="已处理")
    petition = services.petition_reopen(actor=community, petition=petition, reason="业主不满意")
    assert petition.status == PetitionStatus.ACCEPTED and petition.extension_days == 20
    assert petition.resolve_due == TODAY() + dt.timedelta(days=60)  # a new period, but no second extension
    with pytest.raises(ValidationError) as exc:
        services.petition_extend(actor=subdistrict, petition=petition, days=10, reason="再延期")
    assert codes(exc) == {"already_extended"}
    petition.refresh_from_db()
    assert petition.resolve_due == TODAY() + dt.timedelta(days=60) and petition.extension_days == 20


def test_escalating_an_accepted_petition_gives_the_next_level_thirty_days(world, groups, sms):
    community = world.users["community"]
    petition = services.petition_accept(actor=community, petition=submit(world))
    petition = _make_overdue(petition, 5)
    Petition.objects.filter(pk=petition.pk).update(resolve_due=petition.due_date)
    assert services.petitions_escalate_overdue() == 1
    petition.refresh_from_db()
    assert petition.level == PetitionLevel.SUBDISTRICT and not petition.is_overdue
    assert petition.resolve_due == petition.due_date == TODAY() + dt.timedelta(days=30)
    event = petition.events.get(kind="escalated")
    assert event.data["previous_due"] == (TODAY() - dt.timedelta(days=5)).isoformat()
    assert event.data["due_date"] == (TODAY() + dt.timedelta(days=30)).isoformat()
    assert event.data["changes"]["due_date"] == [event.data["previous_due"], event.data["due_date"]]


def test_the_escalation_deadline_is_configurable_and_never_shortens_the_current_one(world, groups):
    district = world.users["district"]
    current = PetitionSettings.current()
    services.petition_settings_set(
        actor=district,
        accept_days=current.accept_days,
        resolve_days=current.resolve_days,
        max_extension_days=current.max_extension_days,
        working_days=False,
        escalate_after_days=current.escalate_after_days,
        remind_days_before=current.remind_days_before,
        escalation_resolve_days=10,
    )
    assert PetitionSettings.current().escalation_resolve_days == 10
    community = world.users["community"]
    late = _make_overdue(services.petition_accept(actor=community, petition=submit(world)), 1)
    late = services.petition_escalate(actor=community, petition=late, reason="久拖未决")
    assert late.due_date == TODAY() + dt.timedelta(days=10)
    on_time = services.petition_accept(actor=community, petition=submit(world, subject="另一件"))
    on_time = services.petition_escalate(actor=community, petition=on_time, reason="涉及多个部门")
    assert on_time.due_date == on_time.resolve_due == TODAY() + dt.timedelta(days=60)  # its later deadline stays
    with pytest.raises(ValidationError):
        services.petition_settings_set(
            actor=district,
            accept_days=15,
            resolve_days=60,
            max_extension_days=30,
            working_days=False,
            escalate_after_days=7,
            remind_days_before=3,
            escalation_resolve_days=0,
        )


def test_a_petitioner_reachable_only_by_post_is_acknowledged_by_letter(world, groups, liaison, sms):
    community = world.users["community"]
    petition = submit(world, petitioner_phone="", petitioner_address="新木路8号3栋201", reply_method=ReplyMethod.LETTER)
    assert petition.only_by_post and petition.letter_due
    assert [e.kind for e in petition.events.all()] == ["received", "routed", "letter_due"]
    assert str(petition.accept_due.isoformat()) in petition.events.get(kind="letter_due").message
    assert Notification.objects.filter(recipient=liaison, title__contains="Post a letter").exists()
    assert sms == []
    petition = services.petition_letter_sent(actor=community, petition=petition, note="挂号信 XA123")
    assert not petition.letter_due and petition.events.filter(kind="letter_sent", actor=community).exists()
    with pytest.raises(ValidationError) as exc:
        services.petition_letter_sent(actor=community, petition=petition)
    assert codes(exc) == {"no_letter_due"}
    # Acceptance is a new notice: a new letter is due (and the staff are not told twice while one waits).
    petition = services.petition_accept(actor=community, petition=petition)
    assert Petition.objects.get(pk=petition.pk).letter_due
    assert petition.events.filter(kind="letter_due").count() == 2
    with pytest.raises(PermissionDenied):
        services.petition_letter_sent(actor=world.users["contractor"], petition=petition)


def test_a_petitioner_with_a_phone_or_the_portal_needs_no_letter(world, groups):
    assert not submit(world).letter_due
    owner = owners_of(world)[0]
    portal = services.petition_submit(
        actor=None,
        owner=owner,
        estate=world.estates["a1a"],
        petitioner_name=owner.name,
        reply_method=ReplyMethod.PORTAL,
        subject="s",
        content="c",
    )
    assert not portal.letter_due and not portal.events.filter(kind="letter_due").exists()


def test_every_wrong_field_of_a_petition_is_named_at_once(world, groups):
    with pytest.raises(ValidationError) as caught:
        submit(world, petitioner_name="", subject=" ", petitioner_phone="12345")
    assert set(caught.value.message_dict) == {"petitioner_name", "subject", "petitioner_phone"}
    assert not Petition.objects.exists()


def test_the_history_is_read_in_the_readers_language(world, groups, project):
    from django.utils import translation

    with translation.override("zh-hans"):
        petition = submit(world, stairwell=world.stairwells["a1a"], channel="phone")
    received = petition.events.get(kind=PetitionEventKind.RECEIVED)
    with translation.override("en"):
        assert received.text == "Received through Phone line"
        timeline = ProjectEvent.objects.get(project=project, data__petition=petition.pk)
        assert timeline.text == f"Petition received: {petition.subject}"
    with translation.override("zh-hans"):
        assert "电话" in received.text


def test_the_migration_turns_stored_labels_into_codes(world, groups):
    import importlib

    from django.apps import apps
    from django.utils import translation

    from jiati.consultation.models import PetitionEvent

    migration = importlib.import_module(
        "jiati.consultation.migrations.0004_invitee_role_and_petition_texts_as_kind_and_values"
    )
    petition = submit(
        world, channel="letter", petitioner_phone="", petitioner_address="新木路8号", reply_method=ReplyMethod.LETTER
    )
    event = petition.events.get(kind=PetitionEventKind.RECEIVED)
    PetitionEvent._base_manager.filter(pk=event.pk).update(message="信件", data={})
    migration.forwards(apps, None)
    event = PetitionEvent.objects.get(pk=event.pk)
    with translation.override("en"):
        assert event.text == "Received through Letter"


def test_a_petition_names_every_wrong_field_at_once(world, groups):
    """Issue 13: an unknown channel hid a wrong phone, a missing subject and an unknown reply method."""
    with pytest.raises(ValidationError) as exc:
        submit(world, channel="pigeon", petitioner_phone="12345", subject=" ", reply_method="smoke")
    assert fields(exc) == {"channel", "petitioner_phone", "subject", "reply_method"}
    assert not Petition.objects.exists() and not PetitionEvent.objects.exists()
