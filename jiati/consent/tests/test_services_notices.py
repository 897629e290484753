"""Public notices (calendar and working days) and objections (answered, escalated, closed), and the guard on
leaving the notice stage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.consent import services
from jiati.consent.models import DayKind, Objection, ObjectionStatus, PublicNotice
from jiati.consent.tests.conftest import cast_online, in_stage, open_vote, voters
from jiati.housing.models import Dwelling, Owner
from jiati.projects import services as project_services
from jiati.projects.models import Stage
from jiati.workdays.services import Calendar


@pytest.fixture
def agreed(project, world):
    """The project after a passed vote, in the public-notice stage."""
    vote = open_vote(project, world.users["community"])
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=world.users["community"])
    return in_stage(project, Stage.PUBLIC_NOTICE)


def post(project, actor, *, starts_on=None, days=10, kind=DayKind.CALENDAR):
    return services.notice_post(
        project=project,
        actor=actor,
        starts_on=starts_on or timezone.localdate(),
        period_days=days,
        day_kind=kind,
        content="加装方案及业主协议",
        location="单元门口公告栏",
    )


def test_notice_period_in_calendar_and_working_days():
    monday = dt.date(2026, 3, 2)
    calendar = Calendar({})
    assert services.notice_last_day(starts_on=monday, period_days=10, day_kind="calendar") == dt.date(2026, 3, 11)
    assert services.notice_last_day(starts_on=monday, period_days=10, day_kind="working", calendar=calendar) == dt.date(
        2026, 3, 13
    )
    saturday = dt.date(2026, 3, 7)  # a weekend start: the first working day is day 1
    assert services.notice_last_day(
        starts_on=saturday, period_days=1, day_kind="working", calendar=calendar
    ) == dt.date(2026, 3, 9)
    holidays = Calendar({dt.date(2026, 3, 10): False, dt.date(2026, 3, 14): True})
    assert services.notice_last_day(starts_on=monday, period_days=10, day_kind="working", calendar=holidays) == dt.date(
        2026, 3, 14
    )


def test_a_notice_needs_a_passed_vote(project, world):
    with pytest.raises(ValidationError, match="not passed"):
        post(project, world.users["community"])
    assert not PublicNotice.objects.exists()


def test_posting_records_the_period_and_the_timeline(agreed, world):
    notice = post(agreed, world.users["community"], days=3)
    assert notice.ends_on == timezone.localdate() + dt.timedelta(days=2)
    assert notice.vote is not None and notice.vote.passed
    assert agreed.events.filter(data__consent="notice_posted").exists()
    with pytest.raises(ValidationError, match="already posted"):
        post(agreed, world.users["community"])
    assert PublicNotice.objects.count() == 1


def test_a_notice_posted_without_a_title_reads_in_each_readers_language(agreed, world):
    """Issue 13: the default title was stored in the poster's language (an English page showed 关于加装电梯的公示)."""
    from django.utils import translation

    with translation.override("en"):
        notice = post(agreed, world.users["community"])
    notice = PublicNotice.objects.get(pk=notice.pk)
    assert notice.typed_title == ""
    with translation.override("zh-hans"):
        assert notice.title == "关于加装电梯的公示" and str(notice) == notice.title
    with translation.override("en"):
        assert notice.title == "Public notice on adding an elevator"


@pytest.mark.parametrize("role", ["property", "finance", "contractor", "resident", "other_community"])
def test_only_organisers_post_notices(agreed, world, role):
    with pytest.raises(PermissionDenied):
        post(agreed, world.users[role])
    assert not PublicNotice.objects.exists()


@pytest.mark.parametrize(("days", "field"), [(0, "period_days"), (91, "period_days")])
def test_bad_periods_are_refused(agreed, world, days, field):
    with pytest.raises(ValidationError) as exc:
        post(agreed, world.users["community"], days=days)
    assert field in exc.value.error_dict


def test_objection_must_be_answered_then_closed(agreed, world):
    community = world.users["community"]
    notice = post(agreed, community)
    objection = services.objection_lodge(
        project=agreed, actor=world.users["property"], channel="window", name="一楼业主", content="影响采光"
    )
    assert objection.notice == notice and objection.status == ObjectionStatus.OPEN
    with pytest.raises(ValidationError, match="Answer the objection before closing"):
        services.objection_close(objection=objection, actor=community, outcome="negotiated")
    services.objection_answer(objection=objection, actor=community, text="电梯位于北侧，不影响采光")
    with pytest.raises(ValidationError) as exc:  # a mediated outcome needs the mediation step first
        services.objection_close(objection=objection, actor=community, outcome="mediated")
    assert "outcome" in exc.value.error_dict
    services.objection_escalate(objection=objection, actor=community, level="mediation", text="街道调解")
    with pytest.raises(ValidationError):
        services.objection_escalate(objection=objection, actor=community, level="negotiation")
    closed = services.objection_close(objection=objection, actor=community, outcome="mediated", text="达成协议")
    assert closed.status == ObjectionStatus.CLOSED
    assert list(closed.steps.values_list("kind", flat=True)) == ["lodged", "answer", "escalated", "closed"]
    for attempt in (
        lambda: services.objection_answer(objection=closed, actor=community, text="再答复"),
        lambda: services.objection_close(objection=closed, actor=community, outcome="withdrawn"),
    ):
        with pytest.raises(ValidationError):
            attempt()


@pytest.mark.parametrize("role", ["property", "finance", "resident", "other_community"])
def test_only_organisers_handle_objections(agreed, world, role):
    objection = services.objection_lodge(
        project=agreed, actor=world.users["community"], channel="letter", name="业主", content="费用太高"
    )
    with pytest.raises(PermissionDenied):
        services.objection_answer(objection=objection, actor=world.users[role], text="x")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN and objection.response == ""


def test_online_objection_only_from_an_owner_of_the_estate(agreed, world):
    owner = agreed.stairwell.dwellings.first().ownerships.first().owner
    objection = services.objection_lodge(project=agreed, owner=owner, channel="online", content="噪音")
    assert objection.name == owner.name and objection.recorded_by is None
    stranger = Owner.objects.exclude(ownerships__dwelling__estate=agreed.estate).first()
    with pytest.raises(ValidationError, match="Only owners of this estate"):
        services.objection_lodge(project=agreed, owner=stranger, channel="online", content="x")
    with pytest.raises(PermissionDenied):
        services.objection_lodge(project=agreed, channel="online", content="x")
    assert Objection.objects.count() == 1


def test_leaving_the_notice_stage(agreed, world):
    community = world.users["community"]
    missing = project_services.project_move_check(project=agreed, actor=community)
    assert missing == ["No public notice has been posted."]
    notice = post(agreed, community, days=3)
    objection = services.objection_lodge(project=agreed, actor=community, channel="phone", name="甲", content="反对")
    missing = project_services.project_move_check(project=agreed, actor=community)
    assert any("runs until" in m for m in missing) and any("not been answered" in m for m in missing)
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=5), ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    services.objection_answer(objection=objection, actor=community, text="已解释")
    assert project_services.project_move_check(project=agreed, actor=community) == [
        "1 answered objection is not closed yet."
    ]
    services.objection_close(objection=objection, actor=community, outcome="withdrawn")
    assert project_services.project_move_check(project=agreed, actor=community) == []
    assert project_services.project_advance(project=agreed, actor=community).stage == Stage.DESIGN


def test_withdrawing_a_notice_lets_a_new_one_be_posted(agreed, world):
    community = world.users["community"]
    first = post(agreed, community)
    with pytest.raises(ValidationError):
        services.notice_withdraw(notice=first, actor=community, reason="")
    services.notice_withdraw(notice=first, actor=community, reason="内容有误")
    second = post(agreed, community, kind=DayKind.WORKING)
    assert second.pk != first.pk and PublicNotice.objects.filter(status="posted").count() == 1


def test_a_notice_and_an_objection_name_every_wrong_field_at_once(agreed, world):
    community = world.users["community"]
    with pytest.raises(ValidationError) as caught:
        services.notice_post(
            project=agreed, actor=community, starts_on=timezone.localdate(), period_days=0, day_kind="x", content=" "
        )
    assert set(caught.value.error_dict) == {"period_days", "day_kind", "content"}
    with pytest.raises(ValidationError) as caught:
        services.objection_lodge(project=agreed, actor=community, channel="letter", name="", content="")
    assert set(caught.value.error_dict) == {"content", "name"}
    elsewhere = Dwelling.objects.exclude(estate=agreed.estate).first()
    with pytest.raises(ValidationError) as caught:  # a wrong dwelling is not asked "who objects?" again
        services.objection_lodge(project=agreed, actor=community, channel="letter", dwelling=elsewhere, content="")
    assert set(caught.value.error_dict) == {"content", "dwelling"}
    assert not Objection.objects.exists()
