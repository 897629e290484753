"""Reads on projects."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.models import REGION_ROLES, Role, User
from jiati.core import stored_text
from jiati.housing.models import Owner, Ownership
from jiati.projects.models import (
    OUTSIDE_EVENT_KINDS,
    Project,
    ProjectDocument,
    ProjectEvent,
    ScheduleState,
    Stage,
    Status,
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


def timeline_events(project: Project, *, user, limit: int = 200) -> list[ProjectEvent]:
    """The project's timeline, newest first, as `user` may read it (outside the staff: how the work moves on),
    prepared: what the entries' stored sentences name (rule sets, closed votes' figures) is read once for the whole
    list (`core.stored_text.prepare`), so the number of queries does not grow with the entries (issue 18). The
    project is the page's (already scoped, and the memo its panels share, `core.read_once`)."""
    events = project.events.select_related("actor").order_by("-at", "-id")
    if not sees_project_internals(user):
        events = events.filter(kind__in=OUTSIDE_EVENT_KINDS)
    return stored_text.prepare(events[:limit], lambda event: event.data.get("text"), memo=project)


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


def project_documents(*, project: Project, user):
    """The documents this user may open on this project's page: its own and its cluster's shared design,
    of the kinds the user may see."""
    return (
        ProjectDocument.objects.visible_to(user)
        .of_project(project)
        .select_related("uploaded_by", "project")
        .order_by("kind", "-version", "-id")
    )
