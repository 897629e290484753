"""Reads in consultation: the one-meeting-per-elevator guard and coverage, start-page counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

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
from jiati.projects.models import STAGE_ORDER, Project, ProjectEvent, Stage, Status

# The stages in which a project needs (or needed) its consultation meeting.
NEEDS_MEETING_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONSULTATION) :]


def held_meeting_exists():
    return Exists(MeetingProject.objects.filter(project=OuterRef("pk"), meeting__status=MeetingStatus.HELD))


def guard_meeting_held(project: Project) -> list[str]:
    """Leaving the consultation stage needs a consultation meeting held for this project (一梯一会)."""
    if MeetingProject.objects.filter(project=project, meeting__status=MeetingStatus.HELD).exists():
        return []
    if MeetingProject.objects.filter(project=project, meeting__status=MeetingStatus.SCHEDULED).exists():
        return [
            _(
                "The consultation meeting for this project (one meeting per elevator) has not been held yet: "
                "record its minutes once it has taken place."
            )
        ]
    return [
        _(
            "No consultation meeting has been held for this project yet (one meeting per elevator): "
            "schedule one, hold it and record its minutes."
        )
    ]


@dataclass
class ProjectMeetings:
    meetings: list
    held: bool
    vote_started_at: object | None  # when the project entered the vote stage, if it has
    before_vote: bool | None  # had a held meeting that started before the vote (None: no vote yet)


def project_meetings(*, project: Project) -> ProjectMeetings:
    meetings = list(
        Meeting.objects.filter(project_links__project=project).select_related("region", "estate").order_by("starts_at")
    )
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    vote_started_at = (
        ProjectEvent.objects.filter(project=project, to_stage=Stage.VOTE)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    if vote_started_at is None and project.stage == Stage.VOTE:
        vote_started_at = project.stage_entered_at
    before_vote = None if vote_started_at is None else any(m.starts_at < vote_started_at for m in held)
    return ProjectMeetings(meetings=meetings, held=bool(held), vote_started_at=vote_started_at, before_vote=before_vote)


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


def start_page_counts(*, user) -> dict:
    today = timezone.localdate()
    mine = Petition.objects.visible_to(user).open().filter(handler=user)
    actions = MeetingAction.objects.filter(owner=user).open()
    follow_ups = ConsultationRecord.objects.filter(follow_up_by=user).follow_up_open()
    return {
        "petitions": mine.count(),
        "petitions_overdue": mine.filter(due_date__lt=today).count(),
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
