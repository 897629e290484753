"""The reverse schedule (倒排工期) planned backwards from the target, with holidays, adjusted working days and the
district's stage durations; and the schedule state of projects that are not active."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.authtoken.models import Token

from jiati.notifications.models import Notification
from jiati.projects import schedule, selectors, services
from jiati.projects.models import STAGE_ORDER, Project, Stage, StageDuration
from jiati.projects.schedule import DEFAULT_DURATIONS, reverse_plan
from jiati.projects.tests.helpers import snapshot
from jiati.workdays.models import CalendarDay
from jiati.workdays.services import Calendar

D = dt.date
# National Day 2026 as the State Council set it: 1–7 October off, Saturday 10 October worked (调休).
NATIONAL_DAY = Calendar({**{D(2026, 10, day): False for day in range(1, 8)}, D(2026, 10, 10): True})


def plan(target: dt.date, *, calendar: Calendar, durations: dict | None = None, stage: str = Stage.INTENTION):
    return reverse_plan(current_stage=stage, target=target, durations=durations or DEFAULT_DURATIONS, calendar=calendar)


def assert_chained(rows, calendar: Calendar, durations: dict) -> None:
    """Each stage takes its planned working days and the next one starts the day it is due."""
    for stage, start, due in rows:
        assert calendar.between(start, due) == durations.get(stage, 0), stage
        assert calendar.is_working_day(due), stage
    for (_s1, _start1, due1), (_s2, start2, _due2) in itertools.pairwise(rows):
        assert due1 == start2


@pytest.mark.parametrize(
    ("target", "last_due"),
    [
        (D(2026, 11, 25), D(2026, 11, 25)),  # a Wednesday: the target itself
        (D(2026, 11, 28), D(2026, 11, 27)),  # a Saturday: the Friday before, not the Monday after
        (D(2026, 11, 29), D(2026, 11, 27)),  # a Sunday: the same Friday
        (D(2026, 10, 4), D(2026, 9, 30)),  # inside the National Day holiday: the last working day before it
        (D(2026, 10, 7), D(2026, 9, 30)),  # its last day off: still before the holiday
        (D(2026, 10, 10), D(2026, 10, 10)),  # the adjusted working Saturday is a working day
        (D(2026, 10, 11), D(2026, 10, 10)),  # the Sunday after it: back to the adjusted Saturday
    ],
)
def test_the_last_milestone_falls_on_the_last_working_day_on_or_before_the_target(target, last_due):
    rows = plan(target, calendar=NATIONAL_DAY)
    assert rows[-1][0] == Stage.SUBSIDY
    assert rows[-1][2] == last_due
    assert rows[-1][2] <= target
    assert_chained(rows, NATIONAL_DAY, DEFAULT_DURATIONS)


def test_a_holiday_inside_a_stage_lengthens_it_in_calendar_days_only():
    durations = dict.fromkeys(STAGE_ORDER, 0) | {Stage.SUBSIDY: 5}
    rows = plan(D(2026, 10, 12), calendar=NATIONAL_DAY, durations=durations, stage=Stage.SUBSIDY)
    # Five working days back from Monday 12 October: Sat 10 (adjusted), Fri 9, Thu 8, Wed 30 Sep, Tue 29 Sep.
    assert rows == [(Stage.SUBSIDY, D(2026, 9, 29), D(2026, 10, 12))]
    assert NATIONAL_DAY.between(D(2026, 9, 29), D(2026, 10, 12)) == 5


def test_configured_durations_shape_the_plan():
    durations = dict.fromkeys(STAGE_ORDER[:-1], 2) | {Stage.SHAFT: 0, Stage.INSPECTION: 12}
    calendar = Calendar({})
    rows = plan(D(2027, 3, 31), calendar=calendar, durations=durations, stage=Stage.CONSTRUCTION_NOTICE)
    assert [r[0] for r in rows] == STAGE_ORDER[STAGE_ORDER.index(Stage.CONSTRUCTION_NOTICE) : -1]
    assert_chained(rows, calendar, durations)
    shaft = next(r for r in rows if r[0] == Stage.SHAFT)
    assert shaft[1] == shaft[2]  # no working days planned: starts and ends the same day
    assert rows[-1][2] == D(2027, 3, 31)
    assert calendar.between(rows[0][1], rows[-1][2]) == sum(durations[r[0]] for r in rows)


def test_plan_make_reads_the_calendar_and_the_districts_durations(world, project):
    community = world.users["community"]
    target = timezone.localdate() + dt.timedelta(days=400)
    while target.weekday() != 0:  # a Monday …
        target += dt.timedelta(days=1)
    CalendarDay.objects.create(date=target, is_working_day=False, name="假日")  # … made a holiday
    StageDuration.objects.create(stage=Stage.SUBSIDY, working_days=7)
    StageDuration.objects.create(stage=Stage.REGISTRATION, working_days=0)
    made = schedule.plan_make(project=project, actor=community, target_date=target)
    milestones = {m.stage: m for m in made.milestones.all()}
    subsidy = milestones[Stage.SUBSIDY]
    assert subsidy.due_date == target - dt.timedelta(days=3)  # the Friday before the holiday Monday
    calendar = Calendar()
    assert calendar.between(subsidy.planned_start, subsidy.due_date) == 7
    registration = milestones[Stage.REGISTRATION]
    assert registration.planned_start == registration.due_date == subsidy.planned_start
    assert (
        calendar.between(milestones[Stage.INSPECTION].planned_start, milestones[Stage.INSPECTION].due_date)
        == (DEFAULT_DURATIONS[Stage.INSPECTION])
    )


def test_a_target_with_no_working_day_left_before_it_is_refused(world, project):
    today = timezone.localdate()
    for n in range(4):
        CalendarDay.objects.create(date=today + dt.timedelta(days=n), is_working_day=False, name="假日")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        schedule.plan_make(project=project, actor=world.users["community"], target_date=today + dt.timedelta(days=3))
    assert exc.value.error_dict["target_date"][0].code == "no_working_day"
    assert "no working day" in exc.value.messages[0]
    assert snapshot() == before


# --- suspended and withdrawn projects are not "overdue" -----------------------------------------------------------


@pytest.fixture
def late(world, project):
    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(
        stage_due=today - dt.timedelta(days=3), stage_at_risk_from=today - dt.timedelta(days=6)
    )
    project.refresh_from_db()
    return project


def state(project) -> str:
    return Project.objects.with_schedule_state().get(pk=project.pk).schedule_state


@pytest.mark.parametrize(("service", "status"), [("project_suspend", "suspended"), ("project_withdraw", "withdrawn")])
def test_suspended_and_withdrawn_projects_show_their_status_not_overdue(world, late, client_for, service, status):
    assert state(late) == "overdue"
    getattr(services, service)(project=late, actor=world.users["community"], reason="业主诉讼")
    assert state(late) == status
    assert not Project.objects.in_schedule_state("overdue").filter(pk=late.pk).exists()
    assert list(Project.objects.in_schedule_state(status)) == [late]
    assert schedule.overdue_sweep() == 0
    assert not Notification.objects.filter(kind="overdue").exists()
    community = world.users["community"]
    assert selectors.area_projects_summary(user=community)["overdue"] == 0
    client = client_for(community)
    page = client.get(reverse("projects:detail", args=[late.pk])).content.decode()
    assert f'data-schedule="{status}"' in page and 'data-schedule="overdue"' not in page
    assert late.code not in client.get(reverse("projects:list"), {"schedule": "overdue"}).content.decode()
    assert late.code in client.get(reverse("projects:list"), {"schedule": status}).content.decode()
    api = client.get(reverse("project-list"), {"schedule": "overdue"}).json()["results"]
    assert api == []


def test_a_reopened_project_is_overdue_again(world, late):
    community = world.users["community"]
    services.project_suspend(project=late, actor=community, reason="暂停")
    services.project_reopen(project=late, actor=community, reason="恢复")
    assert state(late) == "overdue"


def test_a_plan_that_would_be_overdue_at_once_is_refused_with_the_earliest_that_works(world, project):
    """Issue 13: a target that puts the current stage's deadline in the past was saved ("Saved.") and the
    project was overdue at once. It is refused, naming the earliest target that works; that one is accepted."""
    community = world.users["community"]
    today = timezone.localdate()
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        schedule.plan_make(project=project, actor=community, target_date=today + dt.timedelta(days=20))
    error = exc.value.error_dict["target_date"][0]
    assert error.code == "deadline_in_past"
    assert snapshot() == before
    earliest = schedule.earliest_target(
        project.stage, today=today, durations=schedule.stage_durations(), calendar=Calendar()
    )
    assert earliest.isoformat() in exc.value.messages[0]
    schedule.plan_make(project=project, actor=community, target_date=earliest)
    project.refresh_from_db()
    assert project.stage_due >= today
    with pytest.raises(ValidationError):
        schedule.plan_make(project=project, actor=community, target_date=earliest - dt.timedelta(days=1))


STATE_CASES = {
    "overdue": {"stage_due": -3, "stage_at_risk_from": -6},
    "at_risk": {"stage_due": 3, "stage_at_risk_from": -1},
    "on_track": {"stage_due": 10, "stage_at_risk_from": 5},
    "unplanned": {"stage_due": None, "stage_at_risk_from": None},
    "suspended": {"status": "suspended", "stage_due": -3, "stage_at_risk_from": -6},
    "withdrawn": {"status": "withdrawn", "stage_due": -3, "stage_at_risk_from": -6},
    "done": {"stage": "in_service", "stage_due": -3, "stage_at_risk_from": -6},
}


@pytest.mark.parametrize("expected", list(STATE_CASES))
def test_the_state_worked_out_in_python_is_the_one_sql_annotates(world, project, expected):
    """`Project.current_schedule_state` (the API's, one row) and `with_schedule_state` (lists, in SQL) keep one rule."""
    today = timezone.localdate()
    values = {
        key: (today + dt.timedelta(days=value) if isinstance(value, int) else value)
        for key, value in STATE_CASES[expected].items()
    }
    Project.objects.filter(pk=project.pk).update(**values)
    plain = Project.objects.get(pk=project.pk)
    assert plain.current_schedule_state == state(project) == expected


def test_the_api_reads_the_schedule_state_with_todays_date(world, project, client):
    """The viewset's queryset was annotated once, when its class was defined: a long-running worker kept the date
    it started with, and a project whose deadline passed since stayed on track in the API."""
    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(
        stage_due=today + dt.timedelta(days=2), stage_at_risk_from=today + dt.timedelta(days=1)
    )
    token = Token.objects.create(user=world.users["community"])  # a token: no session to go idle meanwhile
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    url = reverse("project-detail", args=[project.pk])
    assert client.get(url).json()["schedule_state"] == "on_track"
    with freeze_time(today + dt.timedelta(days=5)):
        assert client.get(url).json()["schedule_state"] == "overdue"
        listed = client.get(reverse("project-list")).json()["results"]
        assert [row["schedule_state"] for row in listed if row["id"] == project.pk] == ["overdue"]
