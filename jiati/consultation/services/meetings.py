"""The four-level consultation meetings (加梯会客厅): schedule, invite, attendance, minutes, and the
resolutions as action items tracked to done. Each meeting links to the projects it served (一梯一会),
and puts itself on their timelines."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.models import COMPANY_ROLES, STAFF_ROLES, User
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, audit_updated, diff, save_if_changed, snapshot
from jiati.consultation import permissions
from jiati.consultation.models import (
    ActionStatus,
    InviteeKind,
    Meeting,
    MeetingAction,
    MeetingInvitee,
    MeetingLevel,
    MeetingProject,
    MeetingStatus,
)
from jiati.consultation.models.meetings import REGION_LEVEL_OF
from jiati.consultation.selectors import meeting_participant_users
from jiati.consultation.services.common import sms_after_commit, text_or_refuse
from jiati.core.errors import Refusals, refuse
from jiati.core.services import lock_rows, lock_visible, require
from jiati.core.stored_text import Message
from jiati.core.text_policy import within_column
from jiati.core.uploads import check_upload
from jiati.housing.models import Estate, Owner, Ownership
from jiati.notifications.services import notify
from jiati.organisation.models import Region
from jiati.projects.models import EventKind, Project, Status
from jiati.projects.services import project_event_add

MEETING_FIELDS = ("title", "starts_at", "ends_at", "location", "agenda", "company", "party_branch", "status")
# Every field but the file: audit.services.snapshot trips over an empty FileField (see the final report).
MEETING_AUDIT_FIELDS = (
    *MEETING_FIELDS,
    "level",
    "region",
    "estate",
    "property_office",
    "organiser",
    "minutes",
    "held_at",
)


def _audit_meeting(actor, meeting: Meeting, before: dict) -> None:
    changes = diff(before, snapshot(meeting, before.keys()))
    if changes:
        audit_record(actor=actor, instance=meeting, action=AuditAction.UPDATE, changes=changes)


def meeting_url(meeting: Meeting) -> str:
    return reverse("consultation:meeting-detail", args=[meeting.pk])


def _when(meeting: Meeting) -> str:
    return date_format(timezone.localtime(meeting.starts_at), "Y-m-d H:i")


def _project_event(project, actor, message: Message, meeting: Meeting) -> None:

    project_event_add(project=project, actor=actor, kind=EventKind.OTHER, message=message, data={"meeting": meeting.pk})


def _check_times(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    with Refusals() as checked:
        if starts_at is None:
            checked.add(refuse(_("Give the start time."), code="required", field="starts_at"))
        if ends_at is None:
            checked.add(refuse(_("Give the end time."), code="required", field="ends_at"))
    if ends_at <= starts_at:
        raise refuse(_("The meeting must end after it starts."), code="ends_before_start", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise refuse(_("A meeting lasts at most 12 hours."), code="too_long", field="ends_at")


def _check_projects(actor, meeting_region: Region, estate: Estate | None, projects) -> list:

    projects = list(projects or [])
    visible = set(
        Project.objects.visible_to(actor).filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True)
    )
    if any(p.pk not in visible for p in projects):
        raise PermissionDenied
    for project in Project.objects.filter(pk__in=visible).select_related("community"):
        if project.status == Status.WITHDRAWN:
            raise refuse(
                _("Project %(code)s is withdrawn.") % {"code": project.code}, code="withdrawn", field="projects"
            )
        if estate is not None and project.estate_id != estate.pk:
            raise refuse(
                _("Project %(code)s is not in this estate.") % {"code": project.code},
                code="other_estate",
                field="projects",
            )
        if not project.community.path.startswith(meeting_region.path):
            raise refuse(
                _("Project %(code)s is outside the area of this meeting.") % {"code": project.code},
                code="outside_area",
                field="projects",
            )
    return projects


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    level: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    region: Region | None = None,
    estate: Estate | None = None,
    agenda: str = "",
    projects=(),
    company=None,
    party_branch: str = "",
) -> Meeting:
    """Schedule a meeting at one of the four levels, hosted in the actor's area."""
    require(permissions.can_organise_meetings(actor))
    with Refusals() as checked:  # every wrong field at once
        if level not in MeetingLevel.values:
            checked.add(refuse(_("Choose the level of the meeting."), code="invalid_choice", field="level"))
        title = checked(
            lambda: within_column(
                text_or_refuse(title, _("Give the meeting a title."), field="title"), model=Meeting, field="title"
            )
        )
        location = checked(text_or_refuse, location, _("Say where the meeting takes place."), field="location")
        checked(_check_times, starts_at, ends_at)
        if level == MeetingLevel.ESTATE:
            if estate is None:
                checked.add(refuse(_("An estate meeting needs its estate."), code="estate_required", field="estate"))
            elif not Estate.objects.visible_to(actor).filter(pk=estate.pk).exists():
                raise PermissionDenied
            else:
                region = estate.community
        elif level in MeetingLevel.values:
            estate = None
            if region is None:
                checked.add(refuse(_("Choose who hosts the meeting."), code="region_required", field="region"))
            elif not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
                raise PermissionDenied
            elif region.level != REGION_LEVEL_OF[level]:
                checked.add(
                    refuse(
                        _("A %(level)s meeting is hosted by a %(region_level)s, not by %(region)s.")
                        % {
                            "level": MeetingLevel(level).label,
                            "region_level": dict(Region._meta.get_field("level").choices)[REGION_LEVEL_OF[level]],
                            "region": region.name,
                        },
                        code="wrong_region_level",
                        field="region",
                    )
                )
    location = location[:255]
    projects = _check_projects(actor, region, estate, projects)
    meeting = Meeting.objects.create(
        level=level,
        title=title,
        region=region,
        estate=estate,
        property_office_id=estate.property_office_id if estate else None,
        party_branch=(party_branch or "").strip()[:120],
        company=company,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        agenda=(agenda or "").strip(),
        organiser=actor,
    )
    MeetingProject.objects.bulk_create(MeetingProject(meeting=meeting, project=p) for p in projects)
    audit_record(
        actor=actor,
        instance=meeting,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(meeting, MEETING_AUDIT_FIELDS)),
        message=f"projects: {sorted(p.pk for p in projects)}",
    )
    for project in projects:
        _project_event(
            project,
            actor,
            Message(
                gettext_noop("Consultation meeting scheduled: %(title)s, %(when)s"), title=title, when=meeting.starts_at
            ),
            meeting,
        )
    return meeting


def _locked_meeting(meeting: Meeting, actor) -> Meeting:
    """Lock a meeting the actor's area answers for (taking part in a meeting does not let one change it)."""
    return lock_rows(Meeting.objects.managed_by(actor), pks=meeting.pk)


def _participants_or_refuse(actor, meeting: Meeting, users, *, field: str, message, companies=()) -> None:

    pks = {u.pk for u in users}
    if not pks:
        return
    allowed = set(
        meeting_participant_users(actor=actor, meeting=meeting, also_companies=companies)
        .filter(pk__in=pks)
        .values_list("pk", flat=True)
    )
    if pks - allowed:
        raise refuse(message, code="not_in_area", field=field)


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    agenda: str = "",
    company=None,
    party_branch: str = "",
) -> Meeting:
    """Change a scheduled meeting; invited staff hear of a new time."""
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise refuse(_("Only a scheduled meeting can be changed."), code="wrong_status")
    title = within_column(
        text_or_refuse(title, _("Give the meeting a title."), field="title"), model=Meeting, field="title"
    )
    location = text_or_refuse(location, _("Say where the meeting takes place."), field="location")[:255]
    _check_times(starts_at, ends_at)
    before = snapshot(meeting, MEETING_FIELDS)
    moved = starts_at != meeting.starts_at or location != meeting.location
    meeting.title, meeting.starts_at, meeting.ends_at, meeting.location = title, starts_at, ends_at, location
    meeting.agenda, meeting.company, meeting.party_branch = (agenda or "").strip(), company, (party_branch or "")[:120]
    save_if_changed(actor=actor, instance=meeting, before=before)
    if moved:
        _tell_invitees(
            meeting,
            Message(
                gettext_noop("Meeting moved: %(title)s, now %(when)s at %(place)s"),
                title=meeting.title,
                when=meeting.starts_at,
                place=meeting.location,
            ),
        )
    return meeting


@transaction.atomic
def meeting_link_projects(*, actor, meeting: Meeting, projects) -> Meeting:
    """Add projects the meeting serves (or served).

    A project linked to a meeting that was already held is on record, but the meeting does not count as its
    one meeting per elevator (一梯一会, `selectors.counting_links`): it cannot be satisfied after the fact.
    """
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise refuse(_("The meeting was cancelled."), code="wrong_status")
    projects = _check_projects(actor, meeting.region, meeting.estate, projects)
    existing = set(meeting.project_links.values_list("project_id", flat=True))
    new = [p for p in projects if p.pk not in existing]
    if not new:
        raise refuse(_("These projects are already linked."), code="unchanged", field="projects")
    MeetingProject.objects.bulk_create(MeetingProject(meeting=meeting, project=p) for p in new)
    audit_record(
        actor=actor,
        instance=meeting,
        action=AuditAction.UPDATE,
        changes={"projects": [sorted(existing), sorted(existing | {p.pk for p in new})]},
    )
    for project in new:
        if meeting.status == MeetingStatus.HELD:
            msgid = gettext_noop(
                "Linked, for the record, to the consultation meeting already held: %(title)s, %(when)s "
                "(it does not count as this project's one meeting per elevator)"
            )
        else:
            msgid = gettext_noop("Consultation meeting scheduled: %(title)s, %(when)s")
        _project_event(project, actor, Message(msgid, title=meeting.title, when=meeting.starts_at), meeting)
    return meeting


@transaction.atomic
def meeting_unlink_project(*, actor, meeting: Meeting, project) -> Meeting:
    """Remove a project from a meeting that has not been held (a held meeting's record stays as it was)."""
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise refuse(_("Only a scheduled meeting's projects can be changed."), code="wrong_status")
    deleted, _rows = MeetingProject.objects.filter(meeting=meeting, project=project).delete()
    if not deleted:
        raise refuse(_("The project is not linked to this meeting."), code="not_linked", field="project")
    audit_record(actor=actor, instance=meeting, action=AuditAction.UPDATE, changes={"projects": [[project.pk], []]})
    return meeting


def _tell_invitees(meeting: Meeting, title: str, invitees=None) -> None:
    invitees = list(invitees if invitees is not None else meeting.invitees.select_related("user", "owner", "company"))
    users = [i.user for i in invitees if i.user_id]
    companies = [i.company_id for i in invitees if i.company_id]
    if companies:
        users += list(User.objects.filter(company_id__in=companies, is_active=True))
    notify(recipients=users, kind="meeting", title=title, body=meeting.location, url=meeting_url(meeting))
    for invitee in invitees:
        if invitee.owner_id and invitee.owner.phone:
            sms_after_commit(invitee.owner.phone, str(title))


@transaction.atomic
def meeting_invite(
    *,
    actor,
    meeting: Meeting,
    users=(),
    owners=(),
    companies=(),
    others: list[tuple[str, str]] = (),
    owners_of_projects: bool = False,
) -> list[MeetingInvitee]:
    """Invite staff, owners (or all owners of the served projects' stairwells), companies and others.

    Staff and companies hear in their inbox, owners by text message. Someone already invited is skipped.
    """
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise refuse(_("The meeting was cancelled."), code="wrong_status")
    users, owners, companies = list(users or []), list(owners or []), list(companies or [])
    if any(not u.is_active or (u.role not in STAFF_ROLES and u.role not in COMPANY_ROLES) for u in users):
        raise refuse(_("Only staff and company accounts can be invited as users."), code="not_staff", field="users")
    _participants_or_refuse(
        actor,
        meeting,
        users,
        field="users",
        companies=companies,
        message=_(
            "Invite staff of your area or of the units above this meeting, or staff of the companies on its projects."
        ),
    )
    if owners:
        visible = set(
            Owner.objects.visible_to(actor).filter(pk__in=[o.pk for o in owners]).values_list("pk", flat=True)
        )
        if any(o.pk not in visible for o in owners):
            raise PermissionDenied
    if owners_of_projects:
        stairwells = meeting.project_links.values("project__stairwell_id")
        owners += list(
            Owner.objects.filter(
                pk__in=Ownership.objects.filter(dwelling__stairwell_id__in=stairwells, is_primary=True).values(
                    "owner_id"
                )
            )
        )
    others = [(name.strip(), (affiliation or "").strip()) for name, affiliation in others or [] if name.strip()]
    existing = meeting.invitees.all()
    have_users = set(existing.filter(user__isnull=False).values_list("user_id", flat=True))
    have_owners = set(existing.filter(owner__isnull=False).values_list("owner_id", flat=True))
    have_companies = set(existing.filter(company__isnull=False).values_list("company_id", flat=True))
    rows = []
    for user in {u.pk: u for u in users}.values():
        if user.pk not in have_users:
            affiliation = (
                str(user.region or user.property_office or user.company or "")
                if (user.region_id or user.property_office_id or user.company_id)
                else ""
            )
            rows.append(
                MeetingInvitee(
                    meeting=meeting,
                    kind=InviteeKind.STAFF,
                    user=user,
                    name=user.display_name,
                    affiliation=affiliation[:160],
                    role=user.role,
                )
            )
    for owner in {o.pk: o for o in owners}.values():
        if owner.pk not in have_owners:
            rows.append(MeetingInvitee(meeting=meeting, kind=InviteeKind.OWNER, owner=owner, name=owner.name))
    for company in {c.pk: c for c in companies}.values():
        if company.pk not in have_companies:
            rows.append(MeetingInvitee(meeting=meeting, kind=InviteeKind.COMPANY, company=company, name=company.name))
    for name, affiliation in others:
        rows.append(
            MeetingInvitee(meeting=meeting, kind=InviteeKind.OTHER, name=name[:160], affiliation=affiliation[:160])
        )
    if not rows:
        raise refuse(_("Nobody new to invite."), code="nobody_new", field="users")
    created = MeetingInvitee.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        instance=meeting,
        action=AuditAction.UPDATE,
        changes={"invitees": [len(have_users) + len(have_owners) + len(have_companies), existing.count()]},
        message=_("%(n)s invited") % {"n": len(created)},
    )
    if meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > timezone.now():
        _tell_invitees(
            meeting,
            Message(
                gettext_noop("Invitation: %(title)s, %(when)s at %(place)s"),
                title=meeting.title,
                when=meeting.starts_at,
                place=meeting.location,
            ),
            invitees=created,
        )
    return created


@transaction.atomic
def meeting_record_attendance(*, actor, meeting: Meeting, present: set[int]) -> Meeting:
    """Who came (invitee ids in `present`) and who did not (the other invitees)."""
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise refuse(_("The meeting was cancelled."), code="wrong_status")
    if meeting.starts_at > timezone.now():
        raise refuse(_("Attendance can be recorded once the meeting has started."), code="too_early")
    invitees = list(meeting.invitees.all())
    unknown = set(present) - {i.pk for i in invitees}
    if unknown:
        raise refuse(_("Someone in the list was not invited."), code="not_invited", field="present")
    before = {i.pk: i.attended for i in invitees}
    for invitee in invitees:
        invitee.attended = invitee.pk in present
    MeetingInvitee.objects.bulk_update(invitees, ["attended"])
    audit_record(
        actor=actor,
        instance=meeting,
        action=AuditAction.UPDATE,
        changes={"attended": [sum(1 for v in before.values() if v), len(present)]},
    )
    return meeting


@transaction.atomic
def meeting_upload_sign_in(*, actor, meeting: Meeting, upload) -> Meeting:
    """Store the signed sign-in sheet (a scan or a photo)."""
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise refuse(_("The meeting was cancelled."), code="wrong_status")
    checked = check_upload(upload, field="sign_in_sheet", allowed=(".pdf", ".jpg", ".jpeg", ".png"))
    before = [meeting.sign_in_sheet.name or None, meeting.sign_in_sheet_sha256 or None]
    meeting.sign_in_sheet.save(checked.name, upload, save=False)
    meeting.sign_in_sheet_sha256 = checked.sha256
    meeting.save(update_fields=["sign_in_sheet", "sign_in_sheet_sha256", "updated_at"])
    audit_record(
        actor=actor,
        instance=meeting,
        action=AuditAction.UPDATE,
        changes={
            "sign_in_sheet": [before[0], meeting.sign_in_sheet.name],
            "sign_in_sheet_sha256": [before[1], checked.sha256],
        },
    )
    return meeting


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    """Record the minutes: the meeting counts as held (and as the projects' 一梯一会)."""
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise refuse(_("The meeting was cancelled."), code="wrong_status")
    if meeting.starts_at > timezone.now():
        raise refuse(_("Minutes can be recorded once the meeting has started."), code="too_early")
    minutes = text_or_refuse(minutes, _("Write the minutes."), field="minutes")
    first_time = meeting.status != MeetingStatus.HELD
    before = snapshot(meeting, ["status", "minutes", "held_at"])
    meeting.status, meeting.minutes = MeetingStatus.HELD, minutes
    meeting.held_at = meeting.held_at or timezone.now()
    meeting.save(update_fields=["status", "minutes", "held_at", "updated_at"])
    _audit_meeting(actor, meeting, before)
    if first_time:
        for link in meeting.project_links.select_related("project"):
            _project_event(
                link.project,
                actor,
                Message(
                    gettext_noop("Consultation meeting held: %(title)s, %(when)s"),
                    title=meeting.title,
                    when=meeting.starts_at,
                ),
                meeting,
            )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise refuse(_("Only a scheduled meeting can be cancelled."), code="wrong_status")
    reason = text_or_refuse(reason, _("Give a reason."), field="reason")
    before = snapshot(meeting, ["status", "cancel_reason"])
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason[:255]
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    _audit_meeting(actor, meeting, before)
    for link in meeting.project_links.select_related("project"):
        _project_event(
            link.project,
            actor,
            Message(gettext_noop("Consultation meeting cancelled: %(title)s"), title=meeting.title),
            meeting,
        )
    if meeting.starts_at > timezone.now():
        _tell_invitees(
            meeting,
            Message(
                gettext_noop("Cancelled: %(title)s, %(when)s (%(reason)s)"),
                title=meeting.title,
                when=meeting.starts_at,
                reason=reason,
            ),
        )
    return meeting


# --- resolutions as action items -----------------------------------------------------------


@transaction.atomic
def action_add(
    *, actor, meeting: Meeting, description: str, owner, due_date: dt.date | None, project=None
) -> MeetingAction:
    """A resolution of the meeting: what, who (a named owner) and by when."""
    require(permissions.can_organise_meetings(actor))
    meeting = _locked_meeting(meeting, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise refuse(_("The meeting was cancelled."), code="wrong_status")
    with Refusals() as checked:  # every wrong field at once: what, who, by when
        description = checked(text_or_refuse, description, _("Say what was resolved."), field="description")
        if owner is None:
            checked.add(refuse(_("Name who will carry out the resolution."), code="owner_required", field="owner"))
        elif not owner.is_active or (owner.role not in STAFF_ROLES and owner.role not in COMPANY_ROLES):
            checked.add(refuse(_("The owner must be a staff or company account."), code="not_staff", field="owner"))
        else:
            checked(
                _participants_or_refuse,
                actor,
                meeting,
                [owner],
                field="owner",
                message=_(
                    "The owner must be staff of your area or of the units above this meeting, or staff of a company "
                    "on its projects."
                ),
            )
        if due_date is None:
            checked.add(refuse(_("Give the due date."), code="required", field="due_date"))
        elif due_date < timezone.localdate():
            checked.add(refuse(_("The due date is in the past."), code="past_date", field="due_date"))
        if project is not None and not meeting.project_links.filter(project=project).exists():
            checked.add(refuse(_("The project is not linked to this meeting."), code="not_linked", field="project"))
    description = description[:500]
    action = MeetingAction.objects.create(
        meeting=meeting, project=project, description=description, owner=owner, due_date=due_date, created_by=actor
    )
    audit_created(actor=actor, instance=action)
    if project is not None:
        _project_event(project, actor, Message(gettext_noop("Meeting resolution: %(what)s"), what=description), meeting)
    notify(
        recipients=[owner],
        kind="meeting_action",
        title=Message(gettext_noop("Resolution for you, due %(date)s: %(what)s"), date=due_date, what=description),
        body=meeting.title,
        url=meeting_url(meeting),
    )
    return action


@transaction.atomic
def action_done(*, actor, action: MeetingAction, note: str) -> MeetingAction:
    """Mark a resolution done: its owner, or an organiser who can see the meeting."""
    action = lock_visible(MeetingAction.objects.select_related("meeting"), user=actor, pks=action.pk)
    require(
        action.owner_id == actor.pk
        or (
            permissions.can_organise_meetings(actor)
            and Meeting.objects.managed_by(actor).filter(pk=action.meeting_id).exists()
        )
    )
    if action.status == ActionStatus.DONE:
        raise refuse(_("This resolution is already done."), code="already_done")
    note = text_or_refuse(note, _("Say how it was done."), field="note")
    before = snapshot(action, ["status", "done_note"])
    action.status, action.done_at, action.done_note, action.done_by = ActionStatus.DONE, timezone.now(), note, actor
    action.save()
    audit_updated(actor=actor, instance=action, before=before)
    if action.project_id:
        _project_event(
            action.project,
            actor,
            Message(gettext_noop("Resolution done: %(what)s"), what=action.description),
            action.meeting,
        )
    if action.meeting.organiser_id != actor.pk:
        notify(
            recipients=[action.meeting.organiser],
            kind="meeting_action",
            title=Message(gettext_noop("Resolution done: %(what)s"), what=action.description),
            body=note,
            url=meeting_url(action.meeting),
        )
    return action


def actions_remind(*, today: dt.date | None = None) -> int:
    """Tell owners of resolutions due tomorrow, and once more when one becomes overdue."""
    today = today or timezone.localdate()
    sent = 0
    rows = (
        MeetingAction.objects.open()
        .filter(due_date__lte=today + dt.timedelta(days=1))
        .select_related("owner", "meeting")
    )
    for action in rows:
        overdue = action.due_date < today
        key = f"meeting-action-{action.pk}-{'overdue' if overdue else 'due'}-{action.due_date.isoformat()}"
        title = Message(
            gettext_noop("Overdue since %(date)s: %(what)s") if overdue else gettext_noop("Due on %(date)s: %(what)s"),
            date=action.due_date,
            what=action.description,
        )
        sent += len(
            notify(
                recipients=[action.owner],
                kind="meeting_action",
                title=title,
                body=action.meeting.title,
                url=meeting_url(action.meeting),
                dedupe_key=key,
            )
        )
    return sent
