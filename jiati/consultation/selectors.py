"""Reads in consultation: the one-meeting-per-elevator guard and coverage, start-page counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.models import COMPANY_ROLES, STAFF_ROLES, User
from jiati.accounts.scoping import ShapedQuery
from jiati.accounts.selectors import staff_visible_to
from jiati.consultation.models import (
    Booking,
    BookingStatus,
    ConsultationRecord,
    Meeting,
    MeetingAction,
    MeetingProject,
    MeetingStatus,
    Petition,
)
from jiati.consultation.models.meetings import ONE_PER_ELEVATOR_LEVELS
from jiati.core.prepared import PreparedQuery
from jiati.organisation.models import GroupMembership
from jiati.projects.models import STAGE_ORDER, Project, ProjectEvent, Stage, Status
from jiati.projects.selectors import event_summary

# The stages in which a project needs (or needed) its consultation meeting.
NEEDS_MEETING_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONSULTATION) :]
STAGES_FROM_VOTE = STAGE_ORDER[STAGE_ORDER.index(Stage.VOTE) :]


# --- one meeting per elevator (一梯一会) -----------------------------------------------------------
#
# A meeting counts as a project's 一梯一会 when all of these hold:
#   1. it is an estate- or community-level meeting (ONE_PER_ELEVATOR_LEVELS): the owners of the stairwell
#      meet with the community, the property office and the company — a subdistrict's weekly review or a
#      district's monthly dispatch may serve the project, but does not count;
#   2. it was held (its minutes are recorded);
#   3. the project was linked to it before its minutes were recorded: a project linked to a meeting that was
#      already held is on record, but the meeting does not count for it after the fact;
#   4. if the project's vote has opened: the meeting began, and the project was linked, before it opened.


def vote_opened_at(project: Project):
    """When the project's vote opened (it first entered the vote stage), or None if it has not."""
    # The projects app's summary of its events (one grouped read the project page shares with its schedule).
    opened = event_summary(project).entered.get(Stage.VOTE)
    if opened is None and project.stage in STAGES_FROM_VOTE:
        opened = project.stage_entered_at
    return opened


def counting_links():
    """The project links through which a meeting counts as the project's 一梯一会 (the rule above), in SQL."""
    first_vote = (
        ProjectEvent.objects.filter(project=OuterRef("project"), to_stage=Stage.VOTE).order_by("at").values("at")[:1]
    )
    return (
        MeetingProject.objects.filter(
            meeting__status=MeetingStatus.HELD,
            meeting__level__in=ONE_PER_ELEVATOR_LEVELS,
            linked_at__lte=F("meeting__held_at"),
        )
        .annotate(
            vote_opened=Coalesce(
                Subquery(first_vote),
                Case(When(project__stage__in=STAGES_FROM_VOTE, then=F("project__stage_entered_at"))),
            )
        )
        .filter(
            Q(vote_opened__isnull=True) | Q(meeting__starts_at__lt=F("vote_opened"), linked_at__lt=F("vote_opened"))
        )
    )


def held_meeting_exists():
    """For a Project queryset: whether it has had a meeting that counts as its 一梯一会."""
    return Exists(counting_links().filter(project=OuterRef("pk")))


def link_verdict(link: MeetingProject, *, vote_opened) -> tuple[bool, str]:
    """Whether a meeting counts as the linked project's 一梯一会, and if not, why (the rule above, in Python)."""
    meeting = link.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        return False, _("Cancelled.")
    if meeting.level not in ONE_PER_ELEVATOR_LEVELS:
        return False, _(
            "%(level)s-level meetings do not count as a project's own meeting: only estate and community meetings do."
        ) % {"level": meeting.get_level_display()}
    if meeting.status != MeetingStatus.HELD:
        return False, _("Not held yet: it counts once its minutes are recorded.")
    if meeting.held_at is not None and link.linked_at > meeting.held_at:
        return False, _("The project was linked after the meeting was held: on record only, it does not count.")
    if vote_opened is not None and meeting.starts_at >= vote_opened:
        return False, _("Held after the project's vote opened: it does not count.")
    if vote_opened is not None and link.linked_at >= vote_opened:
        return False, _("The project was linked after its vote opened: on record only, it does not count.")
    return True, ""


def guard_meeting_held(project: Project) -> list[str]:
    """Leaving the consultation stage needs a meeting that counts as this project's 一梯一会."""
    if counting_links().filter(project=project).exists():
        return []
    summary = project_meetings(project=project)
    if any(m.status == MeetingStatus.SCHEDULED and m.level in ONE_PER_ELEVATOR_LEVELS for m in summary.meetings):
        return [
            _(
                "The consultation meeting for this project (one meeting per elevator) has not been held yet: "
                "record its minutes once it has taken place."
            )
        ]
    reasons = [m.reason for m in summary.meetings if m.status == MeetingStatus.HELD and not m.counts]
    if reasons:
        return [
            _(
                "No meeting held for this project counts as its consultation meeting (one meeting per elevator): "
                "%(reasons)s Hold an estate or community meeting for it and record its minutes."
            )
            % {"reasons": " ".join(dict.fromkeys(reasons))}
        ]
    return [
        _(
            "No consultation meeting has been held for this project yet (one meeting per elevator): "
            "schedule one, hold it and record its minutes."
        )
    ]


@dataclass
class ProjectMeetings:
    meetings: list  # each with `counts` (bool) and `reason` (why it does not count)
    held: bool  # a meeting that counts as the project's 一梯一会 was held
    vote_started_at: object | None  # when the project's vote opened, if it has
    before_vote: bool | None  # had a counting meeting before the vote (None: no vote yet)


# The project page's two reads of a project's meetings and resolutions differ only by the project's key: compiled
# once per process (`core.prepared`), then only run; compiling them cost the page more than running them (issue 18).
_PROJECT_LINKS = PreparedQuery(
    MeetingProject,
    lambda pk: (
        MeetingProject.objects.filter(project_id=pk)
        .select_related("meeting")  # its region and estate are not shown nor needed for the rule
        .order_by("meeting__starts_at", "meeting_id")
    ),
    kinds=(int,),
    server_prepared=True,
)
_OPEN_ACTIONS = PreparedQuery(
    MeetingAction,
    lambda pk: MeetingAction.objects.filter(project_id=pk).open().select_related("owner").order_by("due_date")[:10],
    kinds=(int,),
    server_prepared=True,
)


def project_petitions(*, user, project: Project) -> list[Petition]:
    """The project's first ten open petitions `user` may see (`visible_to`), soonest due first: compiled once per
    scope shape (`accounts.scoping.ShapedQuery`: a region's staff, with the petitions each handles), as the project
    page reads them on every view (issue 18)."""
    return _PROJECT_PETITIONS.fetch(user, project.pk)


_PROJECT_PETITIONS = ShapedQuery(
    Petition,
    lambda petitions, pk: petitions.filter(project_id=pk).open().order_by("due_date")[:10],
    kinds=(int,),
    server_prepared=True,
)


def open_actions(*, project: Project) -> list[MeetingAction]:
    """The project's first ten open resolutions, soonest due first, with who follows each up."""
    return _OPEN_ACTIONS.fetch(project.pk)


def project_meetings(*, project: Project) -> ProjectMeetings:
    links = _PROJECT_LINKS.fetch(project.pk)
    vote_started_at = vote_opened_at(project)
    meetings = []
    for link in links:
        meeting = link.meeting
        meeting.counts, meeting.reason = link_verdict(link, vote_opened=vote_started_at)
        meeting.linked_at = link.linked_at
        meetings.append(meeting)
    counted = any(m.counts for m in meetings)
    before_vote = None if vote_started_at is None else counted
    return ProjectMeetings(meetings=meetings, held=counted, vote_started_at=vote_started_at, before_vote=before_vote)


def coverage_by_subdistrict(*, user) -> list[dict]:
    """Live projects that reached the consultation stage, and how many have had their meeting, per subdistrict
    (one grouped query)."""
    rows = (
        Project.objects.visible_to(user)
        .exclude(status=Status.WITHDRAWN)
        .filter(stage__in=NEEDS_MEETING_STAGES)
        .annotate(covered=held_meeting_exists())
        .values("community__parent_id", "community__parent__name")
        .annotate(total=Count("id"), with_meeting=Count("id", filter=Q(covered=True)))
        .order_by("community__parent__name")
    )
    result = []
    for row in rows:
        total, covered = row["total"], row["with_meeting"]
        result.append(
            {
                "region_id": row["community__parent_id"],
                "name": row["community__parent__name"],
                "total": total,
                "covered": covered,
                "missing": total - covered,
                "percent": round(100 * covered / total) if total else 0,
            }
        )
    return result


def coverage_gaps(*, user):
    """Live projects at or past the consultation stage without a held meeting."""
    return (
        Project.objects.visible_to(user)
        .exclude(status=Status.WITHDRAWN)
        .filter(stage__in=NEEDS_MEETING_STAGES)
        .exclude(held_meeting_exists())
    )


def unit_unassigned_q(user) -> Q:
    """Petitions nobody handles that the user's unit answers for: the responsible group's members, or — where no
    service group answers for the estate — the staff of the petition's community and of its subdistrict."""

    if not user.is_authenticated:
        return Q(pk__in=[])
    unit = Q(Exists(GroupMembership.objects.filter(group=OuterRef("group"), user=user)))
    if user.region_id:
        unit |= Q(group__isnull=True) & (Q(community_id=user.region_id) | Q(community__parent_id=user.region_id))
    return Q(handler__isnull=True) & unit


def petitions_answered_by(*, user):
    """Open petitions the user answers for: those they handle and, while nobody handles them, their unit's."""
    return Petition.objects.visible_to(user).open().filter(Q(handler=user) | unit_unassigned_q(user))


def start_page_counts(*, user) -> dict:
    today = timezone.localdate()
    visible = Petition.objects.visible_to(user)
    mine = visible.open().filter(handler=user)
    unassigned = visible.open().filter(unit_unassigned_q(user))
    letters = visible.filter(letter_due=True).filter(Q(handler=user) | unit_unassigned_q(user))
    actions = MeetingAction.objects.filter(owner=user).open()
    follow_ups = ConsultationRecord.objects.filter(follow_up_by=user).follow_up_open()
    return {
        "petitions": mine.count(),
        "petitions_overdue": mine.filter(due_date__lt=today).count(),
        "unassigned": unassigned.count(),
        "unassigned_overdue": unassigned.filter(due_date__lt=today).count(),
        "letters": letters.count(),
        "actions": actions.count(),
        "actions_overdue": actions.filter(due_date__lt=today).count(),
        "follow_ups": follow_ups.count(),
        "follow_ups_overdue": follow_ups.filter(follow_up_due__lt=today).count(),
    }


def owner_upcoming_bookings(*, owner):
    return (
        Booking.objects.filter(owner=owner, status=BookingStatus.BOOKED, slot__starts_at__gt=timezone.now())
        .select_related("slot", "window")
        .order_by("slot__starts_at")
    )


# --- who may take part in a meeting -------------------------------------------------------------


def meeting_company_ids(*, meeting: Meeting) -> set[int]:
    """The companies on a meeting: its elevator company, the companies invited, and the construction teams and
    maintainers assigned to the projects it serves."""
    ids = {meeting.company_id} if meeting.company_id else set()
    ids |= set(meeting.invitees.filter(company__isnull=False).values_list("company_id", flat=True))
    for contractor_id, maintainer_id in meeting.project_links.values_list(
        "project__contractor_id", "project__maintainer_id"
    ):
        ids |= {pk for pk in (contractor_id, maintainer_id) if pk}
    return ids


def meeting_participant_users(*, actor, meeting: Meeting, also_companies=()):
    """The accounts an organiser may invite to a meeting or name as the owner of one of its resolutions:
    staff of the organiser's area, staff of the units above the meeting's host (the subdistrict and district
    that oversee it), and the staff of the companies on the meeting (`meeting_company_ids`, plus
    `also_companies` being invited with them)."""

    above = [r.pk for r in meeting.region.ancestors()] + [meeting.region_id]
    return (
        staff_visible_to(user=actor)
        | User.objects.filter(is_active=True, role__in=STAFF_ROLES, region_id__in=above)
        | User.objects.filter(
            is_active=True,
            role__in=COMPANY_ROLES,
            company_id__in=meeting_company_ids(meeting=meeting) | {c.pk for c in also_companies},
        )
    ).distinct()


# --- petition deadlines (the dashboard's chart and the list it drills into) -----------------------------------

# Bucket and its label, in the chart's order.
DEADLINE_BUCKETS = (
    ("overdue", gettext_lazy("Overdue")),
    ("3", gettext_lazy("Due within 3 days")),
    ("7", gettext_lazy("Due in 4 to 7 days")),
    ("later", gettext_lazy("Due later")),
)


def deadline_bucket_q(bucket: str, *, today) -> Q:
    """Open petitions whose deadline falls in one bucket: overdue (before today), within 3 days (today to today
    + 3), in 4 to 7 days, or later. The buckets split the open petitions without overlap."""
    from datetime import timedelta

    from jiati.consultation.models.petitions import OPEN_STATUSES

    bounds = {
        "overdue": Q(due_date__lt=today),
        "3": Q(due_date__gte=today, due_date__lte=today + timedelta(days=3)),
        "7": Q(due_date__gt=today + timedelta(days=3), due_date__lte=today + timedelta(days=7)),
        "later": Q(due_date__gt=today + timedelta(days=7)),
    }
    return Q(status__in=OPEN_STATUSES) & bounds[bucket]
