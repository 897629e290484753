"""One meeting per elevator (一梯一会): which meetings count, at their boundaries — and that the stage guard,
the coverage figures (SQL) and the project panel (Python) always agree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.consultation import selectors
from jiati.consultation.models import MeetingProject
from jiati.consultation.services import meetings as services
from jiati.consultation.tests.conftest import project_at
from jiati.projects.models import EventKind, ProjectEvent, Stage
from jiati.projects.stages import missing_to_leave


def at(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def hold(world, project, *, level="estate", starts_hours=-3, starts_at=None, actor="community", region=None):
    """A meeting that served `project` from the start and was held (minutes recorded)."""
    user = world.users[actor]
    starts_at = starts_at or at(starts_hours)
    meeting = services.meeting_schedule(
        actor=user,
        level=level,
        estate=world.estates["a1a"] if level == "estate" else None,
        region=None if level == "estate" else world.regions[region],
        title="协商会",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        location="党群服务站",
        projects=[project],
    )
    return services.meeting_hold(actor=user, meeting=meeting, minutes="纪要")


def open_vote(project, hours_ago: float = 0, *, when=None) -> None:
    """The project entered the vote stage `hours_ago` hours ago, or `when` (its vote opened then)."""
    when = when or at(-hours_ago)
    ProjectEvent.objects.create(
        project=project, kind=EventKind.STAGE, from_stage=Stage.CONSULTATION, to_stage=Stage.VOTE, at=when
    )
    type(project).objects.filter(pk=project.pk).update(stage=Stage.VOTE, stage_entered_at=when)
    project.refresh_from_db()


def counted_in_sql(project) -> bool:
    return type(project).objects.filter(pk=project.pk).filter(selectors.held_meeting_exists()).exists()


def verdicts(project) -> tuple[bool, bool, list[str]]:
    """(counted by the coverage query, counted on the project panel, the panel's reasons) — the first two agree."""
    summary = selectors.project_meetings(project=project)
    sql = counted_in_sql(project)
    assert sql == summary.held, "coverage (SQL) and the project panel (Python) disagree"
    return sql, summary.held, [m.reason for m in summary.meetings if not m.counts]


@pytest.mark.parametrize(
    ("level", "actor", "region", "counts"),
    [
        ("estate", "community", None, True),
        ("community", "community", "A1a", True),
        ("subdistrict", "subdistrict", "A1", False),  # the weekly review of blockers
        ("district", "district", "A", False),  # the monthly dispatch
    ],
)
def test_only_estate_and_community_meetings_count(world, project, level, actor, region, counts):
    hold(world, project, level=level, actor=actor, region=region)
    sql, _panel, reasons = verdicts(project)
    assert sql is counts
    assert (missing_to_leave(project) == []) is counts
    if not counts:
        assert any("only estate and community meetings" in r for r in reasons)
        assert any("only estate and community meetings" in m for m in missing_to_leave(project))


def test_a_project_linked_to_a_meeting_already_held_is_on_record_but_not_covered(world, project):
    community = world.users["community"]
    meeting = services.meeting_schedule(
        actor=community,
        level="estate",
        estate=world.estates["a1a"],
        title="上月的协商会",
        starts_at=at(-30 * 24),
        ends_at=at(-30 * 24 + 1),
        location="党群服务站",
    )
    services.meeting_hold(actor=community, meeting=meeting, minutes="讨论了其他楼栋")
    services.meeting_link_projects(actor=community, meeting=meeting, projects=[project])  # allowed, for the record
    assert MeetingProject.objects.filter(meeting=meeting, project=project).exists()
    sql, _panel, reasons = verdicts(project)
    assert sql is False
    assert any("linked after the meeting was held" in r for r in reasons)
    assert missing_to_leave(project)
    assert ProjectEvent.objects.filter(project=project, message__contains="for the record").exists()
    assert project in selectors.coverage_gaps(user=world.users["district"])


def test_a_project_linked_while_the_meeting_was_still_scheduled_counts(world, project):
    community = world.users["community"]
    meeting = services.meeting_schedule(
        actor=community,
        level="estate",
        estate=world.estates["a1a"],
        title="协商会",
        starts_at=at(-3),
        ends_at=at(-2),
        location="党群服务站",
    )
    services.meeting_link_projects(actor=community, meeting=meeting, projects=[project])
    services.meeting_hold(actor=community, meeting=meeting, minutes="纪要")
    assert verdicts(project)[0] is True
    assert missing_to_leave(project) == []


@pytest.mark.parametrize(
    ("meeting_starts_hours_before_vote", "counts"),
    [
        (48, True),  # two days before the vote opened
        (1 / 60, True),  # a minute before
        (0, False),  # at the very moment the vote opened: not before it
        (-24, False),  # the day after
    ],
)
def test_the_meeting_must_come_before_the_vote(world, project, meeting_starts_hours_before_vote, counts):
    # The vote opened 3 days ago; the project was linked an hour before the meeting and before the vote.
    vote_at = at(-72)
    starts_at = vote_at - dt.timedelta(hours=meeting_starts_hours_before_vote)
    meeting = hold(world, project, starts_at=starts_at)
    linked_at = min(starts_at, vote_at) - dt.timedelta(hours=1)
    MeetingProject.objects.filter(meeting=meeting).update(linked_at=linked_at)
    open_vote(project, when=vote_at)
    sql, _panel, reasons = verdicts(project)
    assert sql is counts
    assert selectors.project_meetings(project=project).before_vote is counts
    if not counts:
        assert any("after the project's vote opened" in r for r in reasons)


def test_a_link_made_after_the_vote_opened_does_not_count(world, project):
    meeting = hold(world, project, starts_hours=-100)  # held well before the vote …
    open_vote(project, 72)
    MeetingProject.objects.filter(meeting=meeting).update(linked_at=at(-101))
    assert verdicts(project)[0] is True
    # … but had it been linked only after the vote opened (before its minutes, say), it would not count.
    meeting.held_at = at(-1)
    type(meeting).objects.filter(pk=meeting.pk).update(held_at=meeting.held_at)
    MeetingProject.objects.filter(meeting=meeting).update(linked_at=at(-24))
    sql, _panel, reasons = verdicts(project)
    assert sql is False and any("linked after its vote opened" in r for r in reasons)


def test_a_district_meeting_from_last_year_covers_nothing(world, project, client_for):
    """The reviewer's case: a district dispatch meeting linked to every project satisfies none of them."""
    district = world.users["district"]
    other = project_at(world, "a2a", stage=Stage.VOTE)
    meeting = services.meeting_schedule(
        actor=district,
        level="district",
        region=world.regions["A"],
        title="去年的全区调度会",
        starts_at=at(-365 * 24),
        ends_at=at(-365 * 24 + 2),
        location="区住建局",
        projects=[project, other],
    )
    services.meeting_hold(actor=district, meeting=meeting, minutes="全区调度")
    assert not counted_in_sql(project) and not counted_in_sql(other)
    rows = selectors.coverage_by_subdistrict(user=district)
    assert sum(r["covered"] for r in rows) == 0 and sum(r["missing"] for r in rows) == 2
    page = client_for(district).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="consultation-panel"' in page and "border-danger" in page
    assert "only estate and community meetings" in page  # the reason, on the project's page


def test_the_panel_shows_which_meeting_counts(world, project, client_for):
    hold(world, project)
    page = client_for(world.users["community"]).get(reverse("projects:detail", args=[project.pk])).content.decode()
    # the badge in the reader's language (it read 一梯一会 on English pages)
    assert 'One meeting per elevator <i class="bi bi-check2"></i>' in page and "border-danger" not in page


def test_the_panel_reads_the_meetings_in_one_query_without_their_places(world, project, django_assert_num_queries):
    """Issue 18: the project page's meetings are one query, and the meetings' regions and estates (neither shown nor
    needed by the rule) are not joined."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hold(world, project, level="estate")
    hold(world, project, level="community", region="A1a")
    selectors.vote_opened_at(project)  # the project's event summary, which the page reads anyway
    with CaptureQueriesContext(connection) as captured:
        summary = selectors.project_meetings(project=project)
        assert [m.counts for m in summary.meetings] == [True, True]
    sqls = [q["sql"] for q in captured.captured_queries if 'FROM "consultation_meetingproject"' in q["sql"]]
    assert len(sqls) == 1
    assert '"organisation_region"' not in sqls[0] and '"housing_estate"' not in sqls[0]


def test_the_panel_reads_meetings_and_resolutions_with_statements_compiled_once(
    world, project, monkeypatch, compiled_models
):
    """Issue 18: the project page's reads of its meetings and open resolutions are compiled once per process
    (core.prepared), then only run, with the answers a fresh query gives."""
    from django.test import RequestFactory

    from jiati.consultation import panels
    from jiati.consultation.models import MeetingAction, MeetingProject
    from jiati.core.prepared import PreparedQuery

    monkeypatch.setattr(
        selectors, "_PROJECT_LINKS", PreparedQuery(MeetingProject, selectors._PROJECT_LINKS._build, kinds=(int,))
    )
    monkeypatch.setattr(
        selectors, "_OPEN_ACTIONS", PreparedQuery(MeetingAction, selectors._OPEN_ACTIONS._build, kinds=(int,))
    )
    request = RequestFactory().get("/")
    request.user = world.users["community"]
    compiled_models.clear()  # counted from here
    compiled = compiled_models
    (panel,) = panels.project_panels(request=request, project=project)
    assert panel["summary"].meetings == [] and panel["actions"] == []
    assert MeetingProject in compiled and MeetingAction in compiled
    meeting = hold(world, project, level="estate")
    for days in (9, 3):
        services.action_add(
            actor=world.users["community"],
            meeting=meeting,
            description=f"{days}天内加装扶手",
            owner=world.users["community"],
            due_date=timezone.localdate() + dt.timedelta(days=days),
            project=project,
        )
    compiled.clear()
    (panel,) = panels.project_panels(request=request, project=project)
    assert [m.counts for m in panel["summary"].meetings] == [True]
    assert [a.description for a in panel["actions"]] == ["3天内加装扶手", "9天内加装扶手"]
    assert panel["actions"][0].owner.username == "community"
    assert MeetingProject not in compiled and MeetingAction not in compiled
    expected = MeetingAction.objects.filter(project=project).open().select_related("owner").order_by("due_date")
    assert panel["actions"] == list(expected[:10])
