"""Reads on projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.models import REGION_ROLES, Role, User
from jiati.core import stored_text
from jiati.core.prepared import PreparedQuery
from jiati.core.read_once import read_once
from jiati.housing.models import Owner, Ownership
from jiati.projects.models import (
    OUTSIDE_EVENT_KINDS,
    Blocker,
    EventKind,
    Project,
    ProjectDocument,
    ProjectEvent,
    SchedulePlan,
    ScheduleState,
    Stage,
    Status,
    document_kinds_visible_to,
    sees_project_internals,
    stage_index,
)


def this_year() -> int:
    return timezone.localdate().year


def schedule_state_label(state: str) -> str:
    return dict(ScheduleState.choices).get(state, "")


def stage_track(project: Project) -> list[dict]:
    """The stages with done / current / to come, for the progress strip."""
    current = stage_index(project.stage)
    return [
        {"value": s.value, "label": s.label, "done": i < current, "current": i == current} for i, s in enumerate(Stage)
    ]


@dataclass(frozen=True)
class EventSummary:
    """What the project page needs to know of a project's whole event log, without reading its rows."""

    entered: dict[str, dt.datetime]  # stage → when the project first entered it (its opening, its stage moves)
    left: dict[str, dt.datetime]  # stage → when the project last left it
    first_left: dict[str, dt.datetime]  # stage → when the project first left it
    total: int  # entries in the timeline


# Only the opening and the stage moves name stages.
STAGE_EVENT_KINDS = (EventKind.CREATED, EventKind.STAGE)


def event_summary(project: Project) -> EventSummary:
    """The stage dates and the number of events in one grouped query (by kind and stages), shared on a read-only
    page (core.read_once) by the schedule, the timeline's "show all", consultation's vote date and the subsidy
    policy's reference date (issue 18)."""

    def compute() -> EventSummary:
        entered: dict[str, dt.datetime] = {}
        left: dict[str, dt.datetime] = {}
        first_left: dict[str, dt.datetime] = {}
        total = 0
        for kind, from_stage, to_stage, first, last, n in _EVENT_SUMMARY.fetch_rows(project.pk):
            total += n
            if kind not in STAGE_EVENT_KINDS:
                continue
            if to_stage and (to_stage not in entered or first < entered[to_stage]):
                entered[to_stage] = first
            if from_stage and (from_stage not in left or last > left[from_stage]):
                left[from_stage] = last
            if from_stage and (from_stage not in first_left or first < first_left[from_stage]):
                first_left[from_stage] = first
        return EventSummary(entered=entered, left=left, first_left=first_left, total=total)

    return read_once(project, "projects_event_summary", compute)


# Its rows (kind, from stage, to stage, first, last, how many): compiled once per process (`core.prepared`, issue 18).
_EVENT_SUMMARY = PreparedQuery(
    ProjectEvent,
    lambda pk: (
        ProjectEvent.objects.filter(project_id=pk)
        .order_by()
        .values("kind", "from_stage", "to_stage")
        .annotate(first=Min("at"), last=Max("at"), n=Count("id"))
        .values_list("kind", "from_stage", "to_stage", "first", "last", "n")
    ),
    kinds=(int,),
    server_prepared=True,
)


def timeline_events(project: Project, *, user, limit: int | None = 200) -> list[ProjectEvent]:
    """The project's timeline, newest first, as `user` may read it (outside the staff: how the work moves on),
    prepared: what the entries' stored sentences name (rule sets, closed votes' figures) is read once for the whole
    list (`core.stored_text.prepare`), so the number of queries does not grow with the entries (issue 18). The
    project is the page's (already scoped, and the memo its panels share, `core.read_once`)."""
    if sees_project_internals(user):
        events = _timeline_statement(limit).fetch(project.pk)
        for event in events:
            event.project = project  # as `project.events` hands them
    else:
        events = project.events.select_related("actor").order_by("-at", "-id").filter(kind__in=OUTSIDE_EVENT_KINDS)
        events = events[:limit] if limit is not None else events
    return stored_text.prepare(events, lambda event: event.data.get("text"), memo=project)


# The staff's timeline differs only by the project's key: compiled once per process for each length the callers
# ask for (the page's latest entries, all of them, the API's), not on every view (`core.prepared`, issue 18).
_TIMELINE_STATEMENTS: dict[int | None, PreparedQuery] = {}


def _timeline_statement(limit: int | None) -> PreparedQuery:
    prepared = _TIMELINE_STATEMENTS.get(limit)
    if prepared is None:

        def build(pk):
            events = ProjectEvent.objects.filter(project_id=pk).select_related("actor").order_by("-at", "-id")
            return events[:limit] if limit is not None else events

        prepared = _TIMELINE_STATEMENTS.setdefault(
            limit, PreparedQuery(ProjectEvent, build, kinds=(int,), server_prepared=True)
        )
    return prepared


def project_plans(project: Project) -> list[SchedulePlan]:
    """The project's schedule plans, newest version first (their version, target date and whether current)."""
    return _PLANS.fetch(project.pk)


_PLANS = PreparedQuery(  # compiled once per process (`core.prepared`, issue 18)
    SchedulePlan,
    lambda pk: (
        SchedulePlan.objects.filter(project_id=pk)
        .only("project_id", "version", "target_date", "is_current")
        .order_by("-version")
    ),
    kinds=(int,),
    server_prepared=True,
)


def stage_counts(*, user) -> list[dict]:
    """How many live projects of the user's area are in each stage (one grouped query)."""
    rows = dict(
        Project.objects.visible_to(user)
        .exclude(status=Status.WITHDRAWN)
        .values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    return [{"value": s.value, "label": s.label, "count": rows.get(s.value, 0)} for s in Stage]


def area_projects_summary(*, user) -> dict:
    """Counts for the area's projects in one query: under way, in service, overdue, blocked."""

    today = timezone.localdate()
    active = Q(status=Status.ACTIVE) & ~Q(stage=Stage.IN_SERVICE)
    return Project.objects.visible_to(user).aggregate(
        live=Count("id", filter=active),
        in_service=Count("id", filter=Q(stage=Stage.IN_SERVICE)),
        overdue=Count("id", filter=active & Q(stage_due__lt=today)),
        blocked=Count("id", filter=active & Q(open_blockers__gt=0)),
    )


def my_projects_summary(*, user) -> dict:
    """Counts for the start page: mine, overdue, blocked."""
    mine = Project.objects.visible_to(user).filter(responsible=user, status=Status.ACTIVE)
    return {
        "mine": mine.count(),
        "overdue": mine.in_schedule_state(ScheduleState.OVERDUE).count(),
        "blocked": mine.filter(open_blockers__gt=0).count(),
        "title": _("My projects"),
    }


def stairwell_owners(project: Project):
    """The owners of the project's stairwell: who may lead it or sit in its working group."""

    owner_ids = Ownership.objects.filter(dwelling__stairwell_id=project.stairwell_id).values("owner_id")
    return Owner.objects.filter(pk__in=owner_ids).order_by("name")


def blocker_assignees(project: Project):
    """Who may be asked to clear a blocker on this project, in one query: active staff who can see it (the
    staff of its community and the regions above, its estate's property office, platform administrators) and
    the members of its construction team. `services.may_follow_up` is the same rule for one person."""

    codes = project.community.path.strip("/").split("/")
    chain = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    people = Q(role__in=list(REGION_ROLES), region__path__in=chain) | Q(role=Role.PLATFORM_ADMIN)
    people |= Q(is_superuser=True) & ~Q(role__in=[Role.CONTRACTOR, Role.MAINTAINER, Role.RESIDENT])
    property_office = project.estate.property_office_id
    if property_office:
        people |= Q(role=Role.PROPERTY, property_office_id=property_office)
    if project.contractor_id:
        people |= Q(role=Role.CONTRACTOR, company_id=project.contractor_id)
    return User.objects.filter(people, is_active=True).order_by("full_name", "username")


def page_documents(*, project: Project, user) -> list[ProjectDocument]:
    """`project_documents` on the page of a project the user sees (fetched through its scope): the same
    documents, read without the scope's subqueries (`visible_on`); its own documents are handed the page's
    project, only a cluster's shared ones join theirs (their code is shown). For the staff, who open every kind,
    a statement compiled once per process (`core.prepared`, issue 18)."""
    if document_kinds_visible_to(user) is None:
        if project.cluster_id:
            documents = _CLUSTER_DOCUMENTS.fetch(project.pk, project.cluster_id)
        else:
            documents = _DOCUMENTS.fetch(project.pk)
    else:
        documents = ProjectDocument.objects.visible_on(project, user).select_related("uploaded_by")
        if project.cluster_id:
            documents = documents.select_related("project")
        documents = list(documents.order_by("kind", "-version", "-id"))
    for document in documents:
        if document.project_id == project.pk:
            document.project = project
    return documents


# `visible_on` for the staff (every kind), by the project's key, and its cluster's when it has one.
_DOCUMENTS = PreparedQuery(
    ProjectDocument,
    lambda pk: (
        ProjectDocument.objects.of_project_keys(pk, None)
        .select_related("uploaded_by")
        .order_by("kind", "-version", "-id")
    ),
    kinds=(int,),
    server_prepared=True,
)
_CLUSTER_DOCUMENTS = PreparedQuery(
    ProjectDocument,
    lambda pk, cluster_id: (
        ProjectDocument.objects.of_project_keys(pk, cluster_id)
        .select_related("uploaded_by", "project")
        .order_by("kind", "-version", "-id")
    ),
    kinds=(int, int),
    server_prepared=True,
)


def page_blockers(*, project: Project, user) -> list[Blocker]:
    """`Blocker.objects.visible_to(user)` of the page's project (fetched through its scope), with whom each is
    assigned to: the staff see every blocker of a project they see, so they are read by the project's key alone,
    in a statement compiled once per process (`core.prepared`, issue 18); nobody else sees any."""
    if not sees_project_internals(user):
        return []
    blockers = _BLOCKERS.fetch(project.pk)
    for blocker in blockers:
        blocker.project = project
    return blockers


_BLOCKERS = PreparedQuery(
    Blocker,
    lambda pk: Blocker.objects.filter(project_id=pk).select_related("assignee"),
    kinds=(int,),
    server_prepared=True,
)


def project_documents(*, project: Project, user):
    """The documents this user may open on this project's page: its own and its cluster's shared design,
    of the kinds the user may see."""
    return (
        ProjectDocument.objects.visible_to(user)
        .of_project(project)
        .select_related("uploaded_by", "project")
        .order_by("kind", "-version", "-id")
    )
