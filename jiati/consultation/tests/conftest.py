"""Fixtures for consultation: the world's service groups, a project at the consultation stage, slots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.consultation.models import WindowSlot
from jiati.core.tests.factories import make_user
from jiati.housing.models import Ownership
from jiati.notifications.channels import ConsoleSmsSender
from jiati.organisation.models import GroupLevel, GroupMembership, MemberRole, ServiceGroup, ServiceWindow
from jiati.projects.models import Project, Stage


def codes(excinfo) -> set[str]:
    """The stable codes of a refusal (messages are translated; codes are not)."""
    error = excinfo.value
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def fields(excinfo) -> set[str]:
    error = excinfo.value
    return set(error.error_dict) if hasattr(error, "error_dict") else set()


@pytest.fixture(autouse=True)
def _sms_outbox():
    ConsoleSmsSender.sent.clear()
    yield
    ConsoleSmsSender.sent.clear()


@pytest.fixture
def sms():
    return ConsoleSmsSender.sent


def build_groups(world) -> dict[str, ServiceGroup]:
    """The service network of district A: its office, subdistrict group A1, community groups A1a and A1b."""
    users = world.users
    district_office = ServiceGroup.objects.create(
        name="龙岗区加梯办", level=GroupLevel.DISTRICT_OFFICE, region=world.regions["A"]
    )
    sub = ServiceGroup.objects.create(
        name="平湖街道加梯小组", level=GroupLevel.SUBDISTRICT_GROUP, region=world.regions["A1"]
    )
    com = ServiceGroup.objects.create(
        name="新木社区加梯服务组", level=GroupLevel.COMMUNITY_GROUP, region=world.regions["A1a"]
    )
    com_b = ServiceGroup.objects.create(
        name="山厦社区加梯服务组", level=GroupLevel.COMMUNITY_GROUP, region=world.regions["A1b"]
    )
    GroupMembership.objects.create(group=district_office, user=users["district"], role=MemberRole.LEADER)
    GroupMembership.objects.create(group=sub, user=users["subdistrict"], role=MemberRole.LEADER)
    GroupMembership.objects.create(group=com, user=users["community"], role=MemberRole.LEADER)
    GroupMembership.objects.create(group=com_b, user=users["other_community"], role=MemberRole.LEADER)
    return {"district": district_office, "subdistrict": sub, "community": com, "community_b": com_b}


@pytest.fixture
def groups(world):
    return build_groups(world)


@pytest.fixture
def liaison(world, groups):
    """A second community staff member, the one answering for the estate (分片包干)."""
    user = make_user("liaison", Role.COMMUNITY, region=world.regions["A1a"])
    GroupMembership.objects.create(group=groups["community"], user=user, role=MemberRole.LIAISON)
    estate = world.estates["a1a"]
    estate.responsible_staff = user
    estate.save()
    return user


def project_at(world, key: str = "a1a", stage: str = Stage.CONSULTATION) -> Project:
    """A project placed directly at a stage (as the demo does), with the stage change on its timeline."""
    from jiati.projects.models import EventKind, ProjectEvent

    stairwell = world.stairwells[key]
    owner = Ownership.objects.filter(dwelling__stairwell=stairwell).first().owner
    project = Project.objects.create(
        code=f"JT-{key}",
        stairwell=stairwell,
        estate=stairwell.estate,
        community=stairwell.community,
        stage=stage,
        lead_owner=owner,
        responsible=world.users["community"],
        created_by=world.users["community"],
    )
    ProjectEvent.objects.create(project=project, kind=EventKind.STAGE, to_stage=stage, at=timezone.now())
    return project


@pytest.fixture
def project(world):
    return project_at(world)


def window_of(world, kind: str = "workstation") -> ServiceWindow:
    return ServiceWindow.objects.filter(community=world.regions["A1a"], kind=kind).first()


@pytest.fixture
def window(world):
    window = window_of(world)
    window.address = "新木路1号"
    window.save()
    window.staff_on_duty.add(world.users["community"])
    return window


def make_slot(window, *, days: int = 2, hour: int = 9, capacity: int = 3, created_by=None) -> WindowSlot:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour, 0)))
    return WindowSlot.objects.create(
        window=window,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        capacity=capacity,
        created_by=created_by or window.staff_on_duty.first(),
    )


@pytest.fixture
def slot(window):
    return make_slot(window)


def owners_of(world, key: str = "a1a") -> list:
    return [
        o.owner for o in Ownership.objects.filter(dwelling__stairwell=world.stairwells[key]).select_related("owner")
    ]


@pytest.fixture
def scene(world, groups, window, project):
    """One of everything in community A1a (and a petition in A1b): the matrix and page tests start here."""
    from jiati.consultation.models import ReplyMethod, Topic
    from jiati.consultation.services import meetings, petitions, publicity, windows

    community = world.users["community"]
    slot = make_slot(window)
    owner = next(o for o in owners_of(world) if o.pk != world.users["resident"].owner_id)
    booking = windows.booking_create(slot=slot, owner=owner, name=owner.name, phone="13900001111", topic=Topic.COST)
    record = windows.consultation_record(
        actor=community,
        window=window,
        estate=world.estates["a1a"],
        topic=Topic.COST,
        answer="按专有面积分摊",
        visitor_name="李秀英",
        visitor_phone="13500001111",
        follow_up_needed=True,
        follow_up_by=community,
        follow_up_due=timezone.localdate() + dt.timedelta(days=3),
    )
    now = timezone.now()
    meeting = meetings.meeting_schedule(
        actor=community,
        level="estate",
        estate=world.estates["a1a"],
        title="长江花园加梯协商会",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
        location="党群服务站",
        projects=[project],
    )
    meetings.meeting_invite(actor=community, meeting=meeting, users=[world.users["property"]], owners_of_projects=True)
    meetings.meeting_hold(actor=community, meeting=meeting, minutes="业主同意按面积分摊。")
    action = meetings.action_add(
        actor=community,
        meeting=meeting,
        description="出具管线迁改方案",
        owner=community,
        due_date=timezone.localdate() + dt.timedelta(days=7),
        project=project,
    )
    petition = petitions.petition_submit(
        actor=community,
        estate=world.estates["a1a"],
        stairwell=world.stairwells["a1a"],
        petitioner_name="王建国",
        petitioner_phone="13800138000",
        reply_method=ReplyMethod.PHONE,
        subject="一楼采光受影响",
        content="要求补偿",
    )
    other_petition = petitions.petition_submit(
        actor=world.users["other_community"],
        estate=world.estates["a1b"],
        petitioner_name="赵大爷",
        petitioner_phone="13800138001",
        reply_method=ReplyMethod.PHONE,
        subject="山厦新村加梯进度",
        content="进度太慢",
    )
    article = publicity.article_create(
        actor=world.users["district"], kind="policy", title="加装电梯补贴政策解读", body="第一段。\n\n第二段。"
    )
    publicity.article_publish(actor=world.users["district"], article=article)
    draft = publicity.article_create(actor=world.users["district"], kind="faq", title="草稿问答", body="答案")
    return {
        "slot": slot,
        "booking": booking,
        "owner": owner,
        "record": record,
        "meeting": meeting,
        "action": action,
        "petition": petition,
        "other_petition": other_petition,
        "article": article,
        "draft": draft,
        "project": project,
        "window": window,
    }
