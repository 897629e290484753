"""Writes on projects. Every change locks the project row, checks who may do it and what is missing,
appends an event to the timeline, writes the audit trail and tells the people concerned.

Other apps put their own happenings on a project's timeline with `project_event_add`.
"""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record, snapshot
from jiati.core.errors import Refusals, refuse
from jiati.core.hooks import collect
from jiati.core.services import lock_visible, require
from jiati.core.stored_text import Choice, Fields, Message
from jiati.core.text import list_text
from jiati.core.text_policy import within_column
from jiati.core.uploads import check_upload
from jiati.housing.models import Owner, Ownership, Stairwell
from jiati.notifications.services import notify
from jiati.projects import permissions, schedule, stages
from jiati.projects.common import project_event_add, project_url
from jiati.projects.models import (
    CONSTRUCTION_STAGES,
    SEVEN_ONES,
    Blocker,
    BlockerStatus,
    Cluster,
    ContractReview,
    DocumentKind,
    EventKind,
    Project,
    ProjectDocument,
    ProjectEvent,
    ReviewResult,
    ServiceTeamMember,
    Stage,
    Status,
    WorkingGroupMember,
    next_stage,
)
from jiati.projects.stages import missing_to_leave, move_refusal

PROJECT_AUDIT_FIELDS = (
    "stage",
    "status",
    "status_reason",
    "responsible",
    "target_date",
    "lead_owner",
    "chat_group_name",
    "chat_group_link",
    "brand",
    "contractor",
    "maintainer",
    "cluster",
    "estimated_cost",
)


# --- shared helpers ---------------------------------------------------------------


def _audit(project: Project, actor, before: dict, message: str = "") -> None:
    after = snapshot(project, PROJECT_AUDIT_FIELDS)
    changes = {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
    if changes:
        audit_record(actor=actor, instance=project, action=AuditAction.UPDATE, changes=changes, message=message)


def _recount(project: Project) -> None:
    """Keep the list counters (seven ones done, open blockers) true after a change."""
    project.seven_ones_done = sum(1 for _key, _label in SEVEN_ONES if seven_ones_status(project)[_key])
    project.open_blockers = project.blockers.filter(status=BlockerStatus.OPEN).count()
    Project.objects.filter(pk=project.pk).update(
        seven_ones_done=project.seven_ones_done, open_blockers=project.open_blockers
    )


def seven_ones_status(project: Project) -> dict[str, bool]:
    """Which of the seven ones (七个一) are in place."""
    # The model's order is newest first; `.all()` lets the project page's prefetch answer without a query.
    latest_review = next(iter(project.contract_reviews.all()[:1]), None)
    return {
        "lead_owner": bool(project.lead_owner_id),
        "working_group": project.working_group.exists(),
        "service_team": project.service_team.exists(),
        "chat_group": bool(project.chat_group_name),
        "brand": bool(project.brand_id),
        "contractor": bool(project.contractor_id),
        "contract_review": bool(latest_review and latest_review.result == ReviewResult.APPROVED),
    }


# --- opening, moving, suspending ------------------------------------------------------


@transaction.atomic
def project_open(
    *, actor, stairwell: Stairwell, responsible=None, target_date: dt.date | None = None, note: str = ""
) -> Project:
    """Open a project for a stairwell whose owners show intention. At most one live project per stairwell."""
    require(permissions.can_open(actor))
    if not Stairwell.objects.visible_to(actor).filter(pk=stairwell.pk).exists():
        raise PermissionDenied
    if stairwell.has_elevator:
        raise refuse(_("This stairwell already has an elevator."), code="has_elevator", field="stairwell")
    if Project.objects.filter(stairwell=stairwell).exclude(status=Status.WITHDRAWN).exists():
        raise refuse(_("This stairwell already has a project under way."), code="duplicate_project", field="stairwell")
    try:
        with transaction.atomic():
            project = Project.objects.create(
                code=uuid4().hex[:16],
                stairwell=stairwell,
                estate_id=stairwell.estate_id,
                community_id=stairwell.community_id,
                responsible=responsible or actor,
                created_by=actor,
            )
    except IntegrityError:  # another request opened one at the same moment
        raise refuse(
            _("This stairwell already has a project under way."), code="duplicate_project", field="stairwell"
        ) from None
    project.code = f"JT{timezone.localdate():%Y}{project.pk:06d}"
    project.save(update_fields=["code"])
    project_event_add(project=project, actor=actor, kind=EventKind.CREATED, message=note, to_stage=project.stage)
    audit_record(
        actor=actor,
        instance=project,
        action=AuditAction.CREATE,
        changes={"stairwell": [None, stairwell.pk], "stage": [None, project.stage]},
    )
    if target_date:
        schedule.plan_make(project=project, actor=actor, target_date=target_date, reason=_("First plan"))
    if project.responsible_id != actor.pk:
        _tell_responsible(project, Message(gettext_noop("A new project needs you: %(code)s"), code=project.code))
    return project


def project_move_check(*, project: Project, actor) -> list[str]:
    """All reasons the actor cannot move the project on now; empty when the move is allowed."""
    refusal = move_refusal(actor, project)
    if refusal:
        return [refusal]
    if actor.role == "contractor" and project.contractor_id != actor.company_id:
        return [_("Only the assigned construction team may report progress.")]
    return missing_to_leave(project)


@transaction.atomic
def project_advance(*, project: Project, actor, note: str = "", expected_stage: str | None = None) -> Project:
    """Move the project to its next stage, if the actor may and nothing is missing.

    `expected_stage` is the stage the user saw: if someone moved the project meanwhile, the move is refused
    instead of skipping a stage (two staff pressing the button at once move it once).
    """
    project = lock_visible(Project, user=actor, pks=project.pk)
    if expected_stage and project.stage != expected_stage:
        raise refuse(
            _("The project has already moved to “%(stage)s”; reload the page.")
            % {"stage": project.get_stage_display()},
            code="stage_changed",
        )
    reasons = project_move_check(project=project, actor=actor)
    if reasons:
        raise refuse(reasons, code="stage_guard")
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    from_stage, to_stage = project.stage, next_stage(project.stage)
    project.stage, project.stage_entered_at = to_stage, timezone.now()
    project.save(update_fields=["stage", "stage_entered_at", "updated_at"])
    schedule.refresh_stage_dates(project)
    project_event_add(
        project=project, actor=actor, kind=EventKind.STAGE, message=note, from_stage=from_stage, to_stage=to_stage
    )
    _audit(project, actor, before, note)
    stages.entered(project, actor)
    collect("stage_hooks", "project_entered_stage", project=project, stage=to_stage, actor=actor)
    _tell_responsible(
        project,
        Message(gettext_noop("%(code)s moved to “%(stage)s”"), code=project.code, stage=Choice.of(project, "stage")),
    )
    return project


def _set_status(project: Project, actor, status: str, reason: str, kind: str) -> Project:
    if not reason.strip():
        raise refuse(_("Give a reason."), code="reason_required", field="reason")
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    project.status = status
    project.status_reason = within_column(reason.strip(), model=Project, field="status_reason")
    try:
        with transaction.atomic():
            project.save(update_fields=["status", "status_reason", "updated_at"])
    except IntegrityError:
        raise refuse(
            _("Another project is under way on this stairwell; it cannot be reopened."), code="duplicate_project"
        ) from None
    project_event_add(project=project, actor=actor, kind=kind, message=reason)
    _audit(project, actor, before, reason)
    _tell_responsible(
        project, Message(gettext_noop("%(code)s: %(status)s"), code=project.code, status=Choice.of(project, "status"))
    )
    return project


@transaction.atomic
def project_suspend(*, project: Project, actor, reason: str) -> Project:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.status != Status.ACTIVE:
        raise refuse(_("Only an active project can be suspended."), code="not_active")
    return _set_status(project, actor, Status.SUSPENDED, reason, EventKind.SUSPENDED)


@transaction.atomic
def project_withdraw(*, project: Project, actor, reason: str) -> Project:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.status == Status.WITHDRAWN:
        raise refuse(_("The project is already withdrawn."), code="already_withdrawn")
    if project.stage == Stage.IN_SERVICE:
        raise refuse(_("An elevator in service cannot be withdrawn."), code="in_service")
    return _set_status(project, actor, Status.WITHDRAWN, reason, EventKind.WITHDRAWN)


@transaction.atomic
def project_reopen(*, project: Project, actor, reason: str) -> Project:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.status == Status.ACTIVE:
        raise refuse(_("The project is already active."), code="already_active")
    return _set_status(project, actor, Status.ACTIVE, reason, EventKind.REOPENED)


@transaction.atomic
def project_assign(*, project: Project, actor, responsible) -> Project:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)

    if responsible is not None and not staff_visible_to(user=actor).filter(pk=responsible.pk).exists():
        raise refuse(_("Choose a staff member of your area."), code="not_in_area", field="responsible")
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    project.responsible = responsible
    project.save(update_fields=["responsible", "updated_at"])
    project_event_add(
        project=project, actor=actor, kind=EventKind.ASSIGNED, message=str(responsible) if responsible else ""
    )
    _audit(project, actor, before)
    _tell_responsible(project, Message(gettext_noop("You are now responsible for %(code)s"), code=project.code))
    return project


def _tell_responsible(project: Project, title: str | Message) -> None:
    if project.responsible_id:
        notify(
            recipients=[project.responsible],
            kind="project",
            title=title,
            body=f"{project.estate.name} {project.stairwell}",
            url=project_url(project),
        )


# --- the seven ones ------------------------------------------------------------


def _checklist_change(project: Project, actor, message: str | Message, data: dict | None = None) -> None:
    _recount(project)
    project_event_add(project=project, actor=actor, kind=EventKind.CHECKLIST, message=message, data=data)


def lead_owner_refusal():
    """The refusal for a lead owner who owns no dwelling in the project's stairwell (or does not exist)."""
    return refuse(
        _("The lead owner must own a dwelling in this stairwell."), code="not_an_owner_here", field="lead_owner"
    )


def _check_lead_owner(project: Project, owner: Owner | None) -> None:
    if owner is not None and not (
        owner.pk and Ownership.objects.filter(owner=owner, dwelling__stairwell_id=project.stairwell_id).exists()
    ):
        raise lead_owner_refusal()


@transaction.atomic
def project_set_lead_owner(*, project: Project, actor, owner: Owner | None) -> Project:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    _check_lead_owner(project, owner)
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    project.lead_owner = owner
    project.save(update_fields=["lead_owner", "updated_at"])
    _checklist_change(project, actor, Message(gettext_noop("Lead owner: %(name)s"), name=owner.name if owner else "—"))
    _audit(project, actor, before)
    return project


@transaction.atomic
def working_group_set(*, project: Project, actor, owners: list[Owner]) -> Project:
    """Replace the working group with these owners (all owners in the stairwell)."""
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    allowed = set(
        Ownership.objects.filter(dwelling__stairwell_id=project.stairwell_id).values_list("owner_id", flat=True)
    )
    strangers = [o.name for o in owners if o.pk not in allowed]
    if strangers:
        raise refuse(
            _("Not owners in this stairwell: %(names)s.") % {"names": list_text(strangers)},
            code="not_an_owner_here",
            field="owners",
        )
    before = sorted(project.working_group.values_list("owner_id", flat=True))
    project.working_group.all().delete()
    WorkingGroupMember.objects.bulk_create(WorkingGroupMember(project=project, owner=o) for o in owners)
    _checklist_change(
        project,
        actor,
        Message(gettext_noop("Working group: %(names)s"), names=list_text(o.name for o in owners)),
        {"owners": [before, sorted(o.pk for o in owners)]},
    )
    audit_record(
        actor=actor,
        instance=project,
        action=AuditAction.UPDATE,
        changes={"working_group": [before, sorted(o.pk for o in owners)]},
    )
    return project


@transaction.atomic
def service_team_set(*, project: Project, actor, users: list) -> Project:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)

    visible = set(staff_visible_to(user=actor).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True))
    if any(u.pk not in visible for u in users):
        raise refuse(_("Choose staff members of your area."), code="not_in_area", field="users")
    before = sorted(project.service_team.values_list("user_id", flat=True))
    project.service_team.all().delete()
    ServiceTeamMember.objects.bulk_create(ServiceTeamMember(project=project, user=u) for u in users)
    _checklist_change(
        project, actor, Message(gettext_noop("Service team: %(names)s"), names=list_text(str(u) for u in users))
    )
    audit_record(
        actor=actor,
        instance=project,
        action=AuditAction.UPDATE,
        changes={"service_team": [before, sorted(u.pk for u in users)]},
    )
    return project


def _refuse_flagged_companies(project: Project, fields: dict) -> None:
    """A newly chosen brand, construction team or maintainer that is black-listed or whose required licence has
    expired is refused, saying why and until when (the companies app answers through the `flags` hook)."""
    chosen = {
        name: fields[name]
        for name in ("brand", "contractor", "maintainer")
        if fields.get(name) is not None and getattr(project, f"{name}_id") != fields[name].pk
    }
    if not chosen:
        return
    flags = collect("flags", "company_flags", company_ids=sorted({c.pk for c in chosen.values()}))
    errors = {}
    for name, company in chosen.items():
        for flag in (f for f in flags if f["company_id"] == company.pk and f["flag"] != "flagged"):
            message = (
                _("“%(company)s” cannot be chosen: %(reason)s, until %(until)s.")
                if flag.get("until")
                else _("“%(company)s” cannot be chosen: %(reason)s.")
            ) % {"company": company.name, "reason": flag["reason"], "until": flag.get("until") or ""}
            errors.setdefault(name, []).append(ValidationError(message, code=f"company_{flag['flag']}"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_set_checklist(*, project: Project, actor, **fields) -> Project:
    """Lead owner, chat group (name, link, QR image), brand, contractor, maintainer, estimated cost — all or
    nothing: every value is checked before anything is written, in one transaction."""
    allowed = {
        "lead_owner",
        "chat_group_name",
        "chat_group_link",
        "chat_group_qr",
        "brand",
        "contractor",
        "maintainer",
        "estimated_cost",
    }
    if set(fields) - allowed:
        raise TypeError(f"unexpected fields {set(fields) - allowed}")
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    qr = fields.pop("chat_group_qr", None)
    with Refusals() as checked:  # every wrong field at once
        if fields.get("brand") is not None and not fields["brand"].is_manufacturer:
            checked.add(refuse(_("This company does not make elevators."), code="not_a_brand", field="brand"))
        if fields.get("contractor") is not None and not fields["contractor"].is_contractor:
            checked.add(
                refuse(_("This company is not a construction team."), code="not_a_contractor", field="contractor")
            )
        if fields.get("maintainer") is not None and not fields["maintainer"].is_maintainer:
            checked.add(
                refuse(_("This company does not maintain elevators."), code="not_a_maintainer", field="maintainer")
            )
        checked(_refuse_flagged_companies, project, fields)
        if fields.get("estimated_cost") is not None and fields["estimated_cost"] <= 0:
            checked.add(refuse(_("The cost must be greater than zero."), code="not_positive", field="estimated_cost"))
        if "lead_owner" in fields:
            checked(_check_lead_owner, project, fields["lead_owner"])
        if qr:
            checked(
                check_upload, qr, field="chat_group_qr", allowed=(".png", ".jpg", ".jpeg"), max_bytes=2 * 1024 * 1024
            )
    if qr:
        project.chat_group_qr.save(qr.name, qr, save=False)
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    after = snapshot(project, PROJECT_AUDIT_FIELDS)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed or qr:
        # the fields by key, named in the reader's language when read (issue 13)
        _checklist_change(
            project,
            actor,
            Message("%(fields)s", fields=Fields.of(Project, sorted(changed)))
            if changed
            else Message(gettext_noop("Chat group QR code")),
            {"fields": sorted(changed)},
        )
        _audit(project, actor, before)
    return project


@transaction.atomic
def contract_review_add(
    *, project: Project, actor, reviewed_on: dt.date, result: str, findings: str = "", contract_amount=None
) -> ContractReview:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    with Refusals() as checked:  # every wrong field at once
        if reviewed_on > timezone.localdate():
            checked.add(refuse(_("A review cannot be dated in the future."), code="future_date", field="reviewed_on"))
        if result != ReviewResult.APPROVED and not findings.strip():
            checked.add(refuse(_("Write down what must change."), code="findings_required", field="findings"))
    review = ContractReview.objects.create(
        project=project,
        reviewer=actor,
        reviewed_on=reviewed_on,
        result=result,
        findings=findings,
        contract_amount=contract_amount,
    )
    _checklist_change(
        project,
        actor,
        Message(gettext_noop("Contract review: %(result)s"), result=Choice.of(review, "result")),
        {"review": review.pk},
    )
    audit_record(
        actor=actor,
        instance=review,
        action=AuditAction.CREATE,
        changes={"result": [None, result], "reviewed_on": [None, reviewed_on.isoformat()]},
    )
    return review


# --- documents, blockers, comments, clusters -----------------------------------------


@transaction.atomic
def document_add(*, project: Project, actor, kind: str, upload, note: str = "") -> ProjectDocument:
    """Store a document against the requirement it satisfies, as the next version of that kind.

    The assigned construction team adds only site photos, and only while the elevator is being built. Design
    drawings of a project in a cluster are the cluster's shared design: they count for every member project.
    """
    if kind not in DocumentKind.values:
        raise refuse(_("Choose what the document is."), code="invalid_kind", field="kind")
    project = lock_visible(Project, user=actor, pks=project.pk)
    require(permissions.can_add_document(actor, kind, project=project))
    if not permissions.is_contributor(actor) and project.stage not in CONSTRUCTION_STAGES:
        raise refuse(
            _("Site photos can be added only while the elevator is being built."),
            code="not_under_construction",
            field="kind",
        )
    checked = check_upload(upload, field="file")
    version = (project.documents.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
    shared = project.cluster_id if kind == DocumentKind.DESIGN_DRAWINGS else None
    document = ProjectDocument(
        project=project,
        cluster_id=shared,
        kind=kind,
        version=version,
        stage=project.stage,
        original_name=checked.name,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        note=note[:255],
        uploaded_by=actor,
    )
    document.file.save(checked.name, upload, save=False)
    document.save()
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.DOCUMENT,
        message=Message(
            gettext_noop("%(document)s v%(version)s: %(name)s"),
            document=Choice.of(document, "kind"),
            version=version,
            name=checked.name,
        ),
        data={"document": document.pk, "sha256": checked.sha256},
    )
    if shared:
        for member in Project.objects.filter(cluster_id=shared).exclude(pk=project.pk).only("pk"):
            project_event_add(
                project=member,
                actor=actor,
                kind=EventKind.DOCUMENT,
                message=Message(
                    gettext_noop("%(document)s shared by the cluster (from %(code)s): %(name)s"),
                    document=Choice.of(document, "kind"),
                    code=project.code,
                    name=checked.name,
                ),
                data={"document": document.pk, "sha256": checked.sha256, "cluster": shared},
            )
    audit_record(
        actor=actor,
        instance=document,
        action=AuditAction.CREATE,
        changes={
            "kind": [None, kind],
            "version": [None, version],
            "sha256": [None, checked.sha256],
            "cluster": [None, shared],
        },
    )
    return document


def may_follow_up(user, project: Project) -> bool:
    """Who may be asked to clear a blocker: an active staff member who can see the project, or a member of the
    construction team assigned to it (`selectors.blocker_assignees` lists the same people)."""
    if user is None or not user.is_active:
        return False
    if user.is_staff_member:
        return Project.objects.visible_to(user).filter(pk=project.pk).exists()
    return permissions.is_assigned_contractor(user, project)


@transaction.atomic
def blocker_open(*, project: Project, actor, description: str, party: str, due_date: dt.date, assignee=None) -> Blocker:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    with Refusals() as checked:  # every wrong field at once
        if not description.strip():
            checked.add(refuse(_("Say what the blocker is."), code="required", field="description"))
        if due_date < timezone.localdate():
            checked.add(refuse(_("The due date is in the past."), code="past_date", field="due_date"))
        if assignee is not None and not may_follow_up(assignee, project):
            checked.add(
                refuse(
                    _("Choose a staff member who works on this project, or its construction team."),
                    code="not_in_area",
                    field="assignee",
                )
            )
    blocker = Blocker.objects.create(
        project=project,
        description=description.strip(),
        party=party.strip(),
        due_date=due_date,
        assignee=assignee,
        created_by=actor,
    )
    _recount(project)
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.BLOCKER_OPENED,
        message=blocker.description,
        data={"blocker": blocker.pk, "party": blocker.party, "due": due_date.isoformat()},
    )
    audit_record(actor=actor, instance=blocker, action=AuditAction.CREATE, changes={"description": [None, description]})
    if assignee is not None:
        notify(
            recipients=[assignee],
            kind="blocker",
            title=Message(gettext_noop("Blocker to clear: %(what)s"), what=description),
            body=project.code,
            url=project_url(project),
        )
    return blocker


@transaction.atomic
def blocker_resolve(*, blocker: Blocker, actor, resolution: str) -> Blocker:
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=blocker.project.pk)
    blocker = Blocker.objects.select_for_update().get(pk=blocker.pk)
    if blocker.status == BlockerStatus.RESOLVED:
        raise refuse(_("This blocker is already resolved."), code="already_resolved")
    if not resolution.strip():
        raise refuse(_("Say how it was resolved."), code="required", field="resolution")
    blocker.status, blocker.resolution, blocker.resolved_at = BlockerStatus.RESOLVED, resolution, timezone.now()
    blocker.save()
    _recount(project)
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.BLOCKER_RESOLVED,
        message=f"{blocker.description} → {resolution}",
        data={"blocker": blocker.pk},
    )
    audit_record(
        actor=actor,
        instance=blocker,
        action=AuditAction.UPDATE,
        changes={"status": ["open", "resolved"], "resolution": ["", resolution]},
    )
    return blocker


@transaction.atomic
def comment_add(*, project: Project, actor, text: str) -> ProjectEvent:
    require(permissions.can_comment(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if not text.strip():
        raise refuse(_("Write a comment."), code="required", field="text")
    return project_event_add(project=project, actor=actor, kind=EventKind.COMMENT, message=text.strip())


@transaction.atomic
def cluster_create(*, actor, estate, name: str, design: str = "", projects: list[Project]) -> Cluster:
    """Group projects of one estate under one design (连片)."""
    require(permissions.can_manage(actor))
    locked = lock_visible(Project, user=actor, pks=[p.pk for p in projects])
    with Refusals() as checked:  # the name and the projects at once (issue 13)
        if not name.strip():
            checked.add(refuse(_("Name the cluster."), code="required", field="name"))
        if any(p.estate_id != estate.pk for p in locked):
            checked.add(
                refuse(
                    _("All projects of a cluster must be in the same estate."), code="other_estate", field="projects"
                )
            )
    cluster = Cluster.objects.create(estate=estate, community_id=estate.community_id, name=name.strip(), design=design)
    for project in locked:
        before = snapshot(project, PROJECT_AUDIT_FIELDS)
        project.cluster = cluster
        project.save(update_fields=["cluster", "updated_at"])
        project_event_add(project=project, actor=actor, kind=EventKind.CLUSTER, message=cluster.name)
        _audit(project, actor, before)
    audit_record(actor=actor, instance=cluster, action=AuditAction.CREATE, changes={"name": [None, cluster.name]})
    return cluster


def cluster_membership_refusal(*, cluster: Cluster, project: Project) -> str | None:
    """Why this project may not join or leave this cluster now, or None.

    A project that has passed its owners' vote is past the vote stage: the design the owners agreed to is fixed,
    so it no longer joins or leaves an estate-wide design."""
    from jiati.projects.models import stage_index

    if project.estate_id != cluster.estate_id:
        return _("Project %(code)s is in another estate; a cluster's projects are all in one estate.") % {
            "code": project.code
        }
    if stage_index(project.stage) > stage_index(Stage.VOTE):
        return _("Project %(code)s has passed its owners' vote; its membership of a cluster can no longer change.") % {
            "code": project.code
        }
    return None


@transaction.atomic
def cluster_add_project(*, cluster: Cluster, project: Project, actor) -> Project:
    """Add a project of the cluster's estate to the cluster (audited, on the project's timeline)."""
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.cluster_id == cluster.pk:
        raise refuse(
            _("Project %(code)s is already in this cluster.") % {"code": project.code}, code="already", field="project"
        )
    if project.cluster_id is not None:
        raise refuse(
            _("Project %(code)s is already in another cluster; remove it there first.") % {"code": project.code},
            code="other_cluster",
            field="project",
        )
    refusal = cluster_membership_refusal(cluster=cluster, project=project)
    if refusal:
        raise refuse(refusal, code="membership_fixed", field="project")
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    project.cluster = cluster
    project.save(update_fields=["cluster", "updated_at"])
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.CLUSTER,
        message=Message(gettext_noop("Joined the cluster %(name)s"), name=cluster.name),
    )
    _audit(project, actor, before)
    return project


@transaction.atomic
def cluster_remove_project(*, cluster: Cluster, project: Project, actor) -> Project:
    """Take a project out of its cluster (audited, on the project's timeline)."""
    require(permissions.can_manage(actor))
    project = lock_visible(Project, user=actor, pks=project.pk)
    if project.cluster_id != cluster.pk:
        raise refuse(
            _("Project %(code)s is not in this cluster.") % {"code": project.code}, code="not_member", field="project"
        )
    refusal = cluster_membership_refusal(cluster=cluster, project=project)
    if refusal:
        raise refuse(refusal, code="membership_fixed", field="project")
    before = snapshot(project, PROJECT_AUDIT_FIELDS)
    project.cluster = None
    project.save(update_fields=["cluster", "updated_at"])
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.CLUSTER,
        message=Message(gettext_noop("Left the cluster %(name)s"), name=cluster.name),
    )
    _audit(project, actor, before)
    return project
