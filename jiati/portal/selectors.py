"""Public reads of the portal: a stairwell's project as the public may see it (no names), whom to contact, and
the estates → buildings → stairwells a visitor picks from.

A stairwell's public page is reached by a signed link (the QR poster's), never by its database id, so the pages
cannot be walked by counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Q

from jiati.consent.models import NoticeStatus, PublicNotice, Vote, VoteStatus
from jiati.consultation.models import Meeting, MeetingStatus
from jiati.housing.models import Building, Estate, Stairwell
from jiati.organisation.models import Region, RegionLevel, ServiceWindow
from jiati.pool.models import Assessment
from jiati.pool.rules import rules_for_path
from jiati.projects.models import OUTSIDE_EVENT_KINDS, STAGE_ORDER, Project, ProjectEvent, Stage, Status, next_stage

STAIRWELL_SALT = "jiati.portal.stairwell"
ESTATES_SHOWN = 20


def stairwell_token(stairwell: Stairwell) -> str:
    return signing.Signer(salt=STAIRWELL_SALT).sign(str(stairwell.pk))


def stairwell_from_token(token: str) -> Stairwell | None:
    try:
        pk = int(signing.Signer(salt=STAIRWELL_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Stairwell.objects.select_related("building", "estate__responsible_staff", "community").filter(pk=pk).first()


def find_estates(query: str) -> list[Estate]:
    query = query.strip()
    if not query:
        return []
    return list(
        Estate.objects.filter(Q(name__icontains=query) | Q(address__icontains=query)).order_by("name")[:ESTATES_SHOWN]
    )


def estate_stairwells(estate: Estate) -> list[tuple[Building, list[Stairwell]]]:
    buildings = list(estate.buildings.order_by("number").prefetch_related("stairwells"))
    return [(b, sorted(b.stairwells.all(), key=lambda s: s.number)) for b in buildings]


@dataclass
class Contact:
    """Whom to ask: the staff member answering for the building (work phone) and the nearest service windows."""

    staff_name: str = ""
    staff_phone: str = ""
    windows: list[ServiceWindow] = field(default_factory=list)


def contact_for(*, community: Region | None, stairwell: Stairwell | None = None, project: Project | None = None):
    staff = None
    if stairwell is not None:
        staff = stairwell.building.responsible_person or stairwell.estate.responsible_staff
    if staff is None and project is not None:
        staff = project.responsible
    windows: list[ServiceWindow] = []
    if community is not None:
        windows = list(ServiceWindow.objects.filter(is_active=True, community=community).order_by("kind", "name")[:3])
        if not windows and community.parent_id:  # none in the community: the subdistrict's others
            windows = list(
                ServiceWindow.objects.filter(is_active=True, community__parent_id=community.parent_id).order_by(
                    "community__path", "name"
                )[:3]
            )
    return Contact(
        staff_name=(staff.full_name or staff.get_username()) if staff else "",
        staff_phone=staff.phone if staff else "",
        windows=windows,
    )


def communities() -> list[Region]:
    return list(Region.objects.filter(level=RegionLevel.COMMUNITY, is_retired=False).order_by("path"))


def home_district() -> Region | None:
    """The district the portal serves (for a visitor who has not said where he lives)."""
    return Region.objects.filter(level=RegionLevel.DISTRICT, is_retired=False).order_by("path").first()


def min_storeys_for(community: Region | None) -> int:
    return rules_for_path(community.path if community else None).min_storeys


def current_assessment(stairwell: Stairwell) -> Assessment | None:
    return Assessment.objects.filter(stairwell=stairwell, is_current=True).first()


@dataclass
class PublicProject:
    """What anyone may know of a stairwell's project: public facts, never a person's name."""

    project: Project
    step: int
    steps: int
    next_stage: str | None
    events: list[ProjectEvent]
    meetings: list[Meeting]
    notices: list[PublicNotice]
    open_vote: Vote | None

    @property
    def next_label(self) -> str:
        return str(Stage(self.next_stage).label) if self.next_stage else ""

    @property
    def withdrawn(self) -> bool:
        return self.project.status == Status.WITHDRAWN


def stairwell_project(stairwell: Stairwell) -> PublicProject | None:
    """The stairwell's latest project with its public facts, or None when there has never been one."""
    project = (
        Project.objects.filter(stairwell=stairwell).select_related("community", "responsible").order_by("-id").first()
    )
    if project is None:
        return None
    events = list(
        ProjectEvent.objects.filter(project=project, kind__in=OUTSIDE_EVENT_KINDS).order_by("-at", "-id")[:30]
    )
    meetings = list(
        Meeting.objects.filter(project_links__project=project, status=MeetingStatus.HELD).order_by("-starts_at")[:10]
    )
    notices = list(
        PublicNotice.objects.filter(project=project, status=NoticeStatus.POSTED).order_by("-starts_on", "-id")[:10]
    )
    open_vote = Vote.objects.filter(project=project, status=VoteStatus.OPEN).order_by("-id").first()
    return PublicProject(
        project=project,
        step=STAGE_ORDER.index(project.stage) + 1,
        steps=len(STAGE_ORDER),
        next_stage=next_stage(project.stage),
        events=events,
        meetings=meetings,
        notices=notices,
        open_vote=open_vote,
    )


def urgent_first(matters: list[dict]) -> list[dict]:
    """The owner's matters with those waiting for him (an unanswered vote or survey, an open fault) on top; the
    hooks' order (by kind) is kept within each group."""
    return sorted(matters, key=lambda matter: not matter.get("urgent", False))
