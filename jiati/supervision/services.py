"""Writes for supervision: site checks, rectifications, weekly reviews and monthly dispatches.

Each service checks permission (PermissionDenied), validates (a ValidationError naming the field, with a
stable code: `core.errors.refuse`), changes the data in one transaction with the rows it depends on locked,
writes the audit trail, and tells the people concerned.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.models import STAFF_ROLES, Role, User
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, audit_updated, snapshot
from jiati.core.errors import Refusals, refuse
from jiati.core.stored_text import Message
from jiati.notifications.services import notify
from jiati.organisation.models import Region
from jiati.projects.common import project_event_add
from jiati.projects.models import CONSTRUCTION_STAGES, EventKind, Project, Status
from jiati.supervision import checklist, permissions, selectors
from jiati.supervision.models import (
    CheckItem,
    CheckKind,
    DecisionStatus,
    DispatchInstruction,
    ItemResult,
    MonthlyDispatch,
    Photo,
    Rectification,
    RectificationEvent,
    RectificationEventKind,
    RectificationStatus,
    ReviewDecision,
    SiteCheck,
    WeeklyReview,
)
from jiati.supervision.photos import photos_prepare


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _text(value: str | None, message, *, field: str, code: str = "required", limit: int = 1000) -> str:
    text = (value or "").strip()
    if not text:
        raise refuse(message, code=code, field=field)
    return text[:limit]


def _due_or_refuse(due_date: dt.date | None, *, field: str = "due_date") -> dt.date:
    if due_date is None:
        raise refuse(_("Give the due date."), code="required", field=field)
    if due_date < timezone.localdate():
        raise refuse(_("The due date is in the past."), code="past_date", field=field)
    return due_date


def _store_photos(prepared, *, actor, site_check=None, event=None) -> list[Photo]:
    photos = []
    for p in prepared:
        photo = Photo(
            site_check=site_check,
            event=event,
            original_name=p.original_name,
            width=p.width,
            height=p.height,
            size=p.size,
            sha256=p.sha256,
            uploaded_by=actor,
        )
        photo.file.save(p.content.name, p.content, save=False)
        photo.save()
        photos.append(photo)
    return photos


def company_staff(company_id: int | None):
    if not company_id:
        return User.objects.none()
    return User.objects.filter(company_id=company_id, role=Role.CONTRACTOR, is_active=True)


def rectification_url(rectification: Rectification) -> str:
    return reverse("supervision:rectification-detail", args=[rectification.pk])


# --- the daily site check --------------------------------------------------------------


def site_check_refusal(project: Project) -> str | None:
    """Why a site cannot be checked now (None: it can)."""
    if project.status != Status.ACTIVE or project.stage not in CONSTRUCTION_STAGES:
        return _(
            "%(code)s is not under construction (it is at “%(stage)s”, %(status)s): only sites under "
            "construction are checked."
        ) % {
            "code": project.code,
            "stage": project.get_stage_display(),
            "status": project.get_status_display(),
        }
    return None


@transaction.atomic
def site_check_record(
    *,
    actor,
    project: Project,
    results: dict[str, tuple[str, str]],
    note: str = "",
    photos=(),
    due_date: dt.date | None = None,
) -> SiteCheck:
    """Record a check of a site under construction: every point of its step's checklist marked OK, a finding
    (with what was found) or not applicable. Each finding becomes a rectification sent to the construction
    company, due on `due_date` (by default in `RECTIFY_DAYS` days)."""
    _require(permissions.can_check(actor))
    try:
        project = Project.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=project.pk)
    except Project.DoesNotExist:
        raise PermissionDenied from None
    refusal = site_check_refusal(project)
    if refusal:
        raise refuse(refusal, code="not_under_construction")
    items = checklist.items_for(project.stage)
    rows = []
    today = timezone.localdate()
    with Refusals() as checked:  # every unmarked point, every finding without a note, the date, the photos at once
        for item in items:
            result, item_note = results.get(item.code, ("", ""))
            item_note = (item_note or "").strip()[:500]
            if result not in ItemResult.values:
                checked.add(
                    refuse(
                        _("Mark “%(point)s”."),
                        code="item_required",
                        params={"point": item.label},
                        field=f"item_{item.code}",
                    )
                )
            elif result == ItemResult.ISSUE and not item_note:
                checked.add(
                    refuse(
                        _("Say what is wrong with “%(point)s”."),
                        code="finding_note",
                        params={"point": item.label},
                        field=f"note_{item.code}",
                    )
                )
            rows.append((item, result, item_note))
        unknown = set(results) - {item.code for item in items}
        if unknown:
            checked.add(
                refuse(
                    _("These points are not on the checklist of this step: %(codes)s."),
                    code="unknown_item",
                    params={"codes": ", ".join(sorted(unknown))},
                    field="items",
                )
            )
        findings = [row for row in rows if row[1] == ItemResult.ISSUE]
        if findings:
            due_date = due_date or today + dt.timedelta(days=selectors.RECTIFY_DAYS)
            if due_date < today:
                checked.add(refuse(_("The due date is in the past."), code="past_date", field="due_date"))
        prepared = checked(photos_prepare, photos)
    check = SiteCheck.objects.create(
        project=project,
        kind=CheckKind.ROUTINE,
        stage=project.stage,
        inspector=actor,
        checked_on=today,
        note=(note or "").strip(),
        findings=len(findings),
    )
    CheckItem.objects.bulk_create(
        [CheckItem(site_check=check, code=item.code, result=result, note=text) for item, result, text in rows]
    )
    _store_photos(prepared, actor=actor, site_check=check)
    audit_created(actor=actor, instance=check)
    opened = []
    for item, _result, text in findings:
        rectification = Rectification.objects.create(
            project=project,
            site_check=check,
            code=item.code,
            area=item.area,
            description=f"{item.label}: {text}"[:500],
            company_id=project.contractor_id,
            due_date=due_date,
        )
        RectificationEvent.objects.create(
            rectification=rectification, kind=RectificationEventKind.OPENED, actor=actor, note=text, due_date=due_date
        )
        audit_created(actor=actor, instance=rectification)
        opened.append(rectification)
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(gettext_noop("Site check: %(n)s findings"), n=len(findings)),
        data={"site_check": check.pk},
    )
    if opened:
        notify(
            recipients=company_staff(project.contractor_id),
            kind="rectification",
            title=Message(
                gettext_noop("%(n)s rectifications at %(code)s, due %(date)s"),
                n=len(opened),
                code=project.code,
                date=due_date,
            ),
            body="\n".join(r.description for r in opened),
            url=reverse("supervision:rectification-list"),
        )
    return check


# --- rectifications ---------------------------------------------------------------------


def _locked_rectification(rectification: Rectification, actor) -> Rectification:
    try:
        return (
            Rectification.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("project")
            .get(pk=rectification.pk)
        )
    except Rectification.DoesNotExist:
        raise PermissionDenied from None


@transaction.atomic
def rectification_answer(*, actor, rectification: Rectification, note: str, photos) -> Rectification:
    """The construction company says it has fixed the finding, with photos; a staff re-check still has to
    verify it before it closes."""
    rectification = _locked_rectification(rectification, actor)
    _require(permissions.can_answer(actor, rectification))
    if not rectification.is_open:
        raise refuse(_("This rectification is already closed."), code="already_closed")
    with Refusals() as checked:  # the note and every bad photo at once
        checked(_text, note, _("Say what was done."), field="note")
        prepared = checked(photos_prepare, photos, required=True)
    before = snapshot(rectification, ["status", "answered_at"])
    rectification.status, rectification.answered_at = RectificationStatus.ANSWERED, timezone.now()
    rectification.save(update_fields=["status", "answered_at"])
    event = RectificationEvent.objects.create(
        rectification=rectification, kind=RectificationEventKind.ANSWERED, actor=actor, note=note.strip()
    )
    _store_photos(prepared, actor=actor, event=event)
    audit_updated(actor=actor, instance=rectification, before=before)
    inspector = rectification.site_check.inspector
    notify(
        recipients=[inspector, rectification.project.responsible],
        kind="rectification",
        title=Message(gettext_noop("Answered, to re-check: %(what)s"), what=rectification.description),
        body=note.strip(),
        url=rectification_url(rectification),
    )
    return rectification


@transaction.atomic
def rectification_recheck(
    *,
    actor,
    rectification: Rectification,
    fixed: bool,
    note: str,
    photos=(),
    due_date: dt.date | None = None,
) -> Rectification:
    """Staff go back to the site. Fixed: the rectification closes, with this re-check on record (a photo of
    the fixed site is required). Not fixed: it stays open with a new due date and the company is told."""
    _require(permissions.can_check(actor))
    rectification = _locked_rectification(rectification, actor)
    if not rectification.is_open:
        raise refuse(_("This rectification is already closed."), code="already_closed")
    with Refusals() as checked:  # the note, the photos and the new due date at once
        checked(_text, note, _("Say what the re-check found."), field="note")
        prepared = checked(photos_prepare, photos, required=fixed)
        if not fixed:
            if due_date is None:
                checked.add(refuse(_("Give the new due date."), code="required", field="due_date"))
            elif due_date < timezone.localdate():
                checked.add(refuse(_("The due date is in the past."), code="past_date", field="due_date"))
    project = rectification.project
    recheck = SiteCheck.objects.create(
        project=project,
        kind=CheckKind.RECHECK,
        stage=project.stage,
        inspector=actor,
        checked_on=timezone.localdate(),
        note=note.strip(),
        findings=0 if fixed else 1,
    )
    _store_photos(prepared, actor=actor, site_check=recheck)
    before = snapshot(rectification, ["status", "due_date", "closed_at", "verified_by", "recheck"])
    now = timezone.now()
    if fixed:
        rectification.status, rectification.closed_at = RectificationStatus.CLOSED, now
        rectification.verified_by, rectification.recheck = actor, recheck
        kind = RectificationEventKind.RECHECK_PASSED
        title = gettext_noop("Closed after re-check: %(what)s")
    else:
        rectification.status, rectification.due_date = RectificationStatus.OPEN, due_date
        rectification.answered_at = None
        kind = RectificationEventKind.RECHECK_FAILED
        title = gettext_noop("Not fixed at re-check, due again %(date)s: %(what)s")
    rectification.save()
    RectificationEvent.objects.create(
        rectification=rectification,
        kind=kind,
        actor=actor,
        note=note.strip(),
        due_date=None if fixed else due_date,
    )
    audit_updated(actor=actor, instance=rectification, before=before)
    notify(
        recipients=company_staff(rectification.company_id),
        kind="rectification",
        title=Message(title, what=rectification.description, date=due_date),
        body=note.strip(),
        url=rectification_url(rectification),
    )
    return rectification


def rectifications_remind(*, today: dt.date | None = None) -> int:
    """Once a rectification is overdue, tell the company and the project's responsible person (once per due date)."""
    today = today or timezone.localdate()
    sent = 0
    for rectification in Rectification.objects.overdue(today).select_related("project__responsible"):
        if rectification.reminded_for == rectification.due_date:
            continue
        recipients = [*company_staff(rectification.company_id), rectification.project.responsible]
        sent += len(
            notify(
                recipients=recipients,
                kind="rectification",
                title=Message(
                    gettext_noop("Rectification overdue since %(date)s: %(what)s"),
                    date=rectification.due_date,
                    what=rectification.description,
                ),
                url=rectification_url(rectification),
                dedupe_key=f"rectification-{rectification.pk}-overdue-{rectification.due_date.isoformat()}",
            )
        )
        Rectification.objects.filter(pk=rectification.pk).update(reminded_for=rectification.due_date)
    return sent


# --- the weekly review ------------------------------------------------------------------


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def weekly_review_generate(
    *, actor, region: Region, week_start: dt.date | None = None, stalled_days: int = selectors.STALLED_DAYS
) -> WeeklyReview:
    """Generate and save this week's review of a subdistrict, as it stands now; it is never recomputed."""
    _require(permissions.can_review(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk, level="subdistrict").exists():
        raise PermissionDenied
    today = timezone.localdate()
    week_start = week_of(week_start or today)
    with Refusals() as checked:  # every wrong field at once
        if not 1 <= stalled_days <= 365:
            checked.add(
                refuse(_("Give a number of days between 1 and 365."), code="out_of_range", field="stalled_days")
            )
        if week_start > today:
            checked.add(refuse(_("That week has not begun."), code="future_week", field="week_start"))
    content = selectors.weekly_review_content(user=actor, region=region, today=today, stalled_days=stalled_days)
    try:
        with transaction.atomic():
            review = WeeklyReview.objects.create(
                region=region, week_start=week_start, stalled_days=stalled_days, content=content, generated_by=actor
            )
    except IntegrityError:
        raise refuse(
            _("The review of %(region)s for the week of %(date)s is already saved.")
            % {"region": region.name, "date": week_start.isoformat()},
            code="already_generated",
            field="week_start",
        ) from None
    audit_record(
        actor=actor,
        instance=review,
        action=AuditAction.CREATE,
        changes={"region": [None, region.pk], "week": [None, week_start.isoformat()]},
    )
    return review


def _owner_or_refuse(owner, *, field: str = "owner") -> None:
    if owner is None:
        raise refuse(_("Name who will carry out the decision."), code="owner_required", field=field)
    if not owner.is_active or owner.role not in STAFF_ROLES:
        raise refuse(_("The owner must be an active staff account."), code="not_staff", field=field)


@transaction.atomic
def decision_add(
    *, actor, review: WeeklyReview, description: str, owner, due_date: dt.date | None, project=None
) -> ReviewDecision:
    """A decision of the weekly review: what, who (required) and by when."""
    _require(permissions.can_review(actor))
    try:
        review = WeeklyReview.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=review.pk)
    except WeeklyReview.DoesNotExist:
        raise PermissionDenied from None
    with Refusals() as checked:  # every wrong field at once
        checked(_text, description, _("Say what was decided."), field="description", limit=500)
        checked(_owner_or_refuse, owner)
        checked(_due_or_refuse, due_date)
        if (
            project is not None
            and not Project.objects.visible_to(actor)
            .filter(pk=project.pk, community__path__startswith=review.region.path)
            .exists()
        ):
            checked.add(refuse(_("The project is not in this subdistrict."), code="wrong_region", field="project"))
    decision = ReviewDecision.objects.create(
        review=review,
        project=project,
        description=description.strip()[:500],
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    audit_created(actor=actor, instance=decision)
    if project is not None:
        project_event_add(
            project=project,
            actor=actor,
            kind=EventKind.OTHER,
            message=Message(gettext_noop("Weekly review decision: %(what)s"), what=decision.description),
        )
    notify(
        recipients=[owner],
        kind="review_decision",
        title=Message(
            gettext_noop("Decision for you, due %(date)s: %(what)s"), date=due_date, what=decision.description
        ),
        url=reverse("supervision:review-detail", args=[review.pk]),
    )
    return decision


@transaction.atomic
def decision_done(*, actor, decision: ReviewDecision, note: str) -> ReviewDecision:
    """Mark a decision done: its owner, or a reviewer of the subdistrict."""
    try:
        decision = (
            ReviewDecision.objects.filter(review__in=WeeklyReview.objects.visible_to(actor).values("pk"))
            .select_for_update(of=("self",))
            .get(pk=decision.pk)
        )
    except ReviewDecision.DoesNotExist:
        raise PermissionDenied from None
    _require(decision.owner_id == actor.pk or permissions.can_review(actor))
    if decision.status == DecisionStatus.DONE:
        raise refuse(_("This decision is already done."), code="already_done")
    note = _text(note, _("Say how it was done."), field="note")
    before = snapshot(decision, ["status", "done_note"])
    decision.status, decision.done_at, decision.done_note = DecisionStatus.DONE, timezone.now(), note
    decision.save()
    audit_updated(actor=actor, instance=decision, before=before)
    return decision


# --- the monthly dispatch ---------------------------------------------------------------


@transaction.atomic
def dispatch_generate(*, actor, region: Region, month: dt.date) -> MonthlyDispatch:
    """Generate and save the district's report for a month (the current month: up to today)."""
    _require(permissions.can_dispatch(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk, level="district").exists():
        raise PermissionDenied
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise refuse(_("That month has not begun."), code="future_month", field="month")
    content = selectors.monthly_dispatch_content(user=actor, region=region, month=month)
    try:
        with transaction.atomic():
            dispatch = MonthlyDispatch.objects.create(region=region, month=month, content=content, generated_by=actor)
    except IntegrityError:
        raise refuse(
            _("The dispatch of %(region)s for %(month)s is already saved.")
            % {"region": region.name, "month": month.strftime("%Y-%m")},
            code="already_generated",
            field="month",
        ) from None
    audit_record(
        actor=actor,
        instance=dispatch,
        action=AuditAction.CREATE,
        changes={"region": [None, region.pk], "month": [None, month.isoformat()]},
    )
    return dispatch


@transaction.atomic
def instruction_add(
    *, actor, dispatch: MonthlyDispatch, subdistrict: Region | None, text: str, due_date: dt.date | None
) -> DispatchInstruction:
    """The district office's instruction to one of its subdistricts; the subdistrict's staff are told."""
    _require(permissions.can_dispatch(actor))
    try:
        dispatch = MonthlyDispatch.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=dispatch.pk)
    except MonthlyDispatch.DoesNotExist:
        raise PermissionDenied from None
    with Refusals() as checked:  # every wrong field at once
        if subdistrict is None or subdistrict.parent_id != dispatch.region_id:
            checked.add(
                refuse(_("Choose one of the district's subdistricts."), code="wrong_region", field="subdistrict")
            )
        checked(_text, text, _("Write the instruction."), field="text")
        checked(_due_or_refuse, due_date)
    instruction = DispatchInstruction.objects.create(
        dispatch=dispatch, subdistrict=subdistrict, text=text.strip()[:1000], due_date=due_date, created_by=actor
    )
    audit_created(actor=actor, instance=instruction)
    notify(
        recipients=User.objects.filter(region=subdistrict, role=Role.SUBDISTRICT, is_active=True),
        kind="dispatch_instruction",
        title=Message(gettext_noop("Instruction of the monthly dispatch, due %(date)s"), date=due_date),
        body=instruction.text,
        url=reverse("supervision:dispatch-detail", args=[dispatch.pk]),
    )
    return instruction


def instruction_visible(user):
    """Instructions a user may see: all of a district they see; a subdistrict only its own."""
    from jiati.accounts.scoping import sees_everything

    rows = DispatchInstruction.objects.filter(dispatch__in=MonthlyDispatch.objects.visible_to(user).values("pk"))
    if sees_everything(user):
        return rows
    if not user.region_id:
        return rows.none()
    return rows.filter(subdistrict__path__startswith=user.region.path) | rows.filter(
        dispatch__region__path__startswith=user.region.path
    )


@transaction.atomic
def instruction_done(*, actor, instruction: DispatchInstruction, note: str) -> DispatchInstruction:
    """The subdistrict reports an instruction carried out (or the district office records it)."""
    try:
        instruction = instruction_visible(actor).select_for_update(of=("self",)).get(pk=instruction.pk)
    except DispatchInstruction.DoesNotExist:
        raise PermissionDenied from None
    _require(permissions.can_review(actor))
    if instruction.status == DecisionStatus.DONE:
        raise refuse(_("This instruction is already done."), code="already_done")
    note = _text(note, _("Say how it was done."), field="note")
    before = snapshot(instruction, ["status", "done_note"])
    instruction.status, instruction.done_at = DecisionStatus.DONE, timezone.now()
    instruction.done_note, instruction.done_by = note, actor
    instruction.save()
    audit_updated(actor=actor, instance=instruction, before=before)
    return instruction
