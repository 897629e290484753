"""Writes on subsidies. Each service checks who may act, validates (naming the field, with a stable code),
locks the rows it decides on, appends the review / ledger / timeline rows, writes the audit trail and tells
the people who hold the file next.

Money: every amount passes `rules.money` (a number, not negative, to the fen). Approvals lock the budget
row, payments lock the application row; the database constraints are the backstop for both.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiati.accounts.scoping import sees_everything
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, snapshot
from jiati.core.errors import refuse
from jiati.core.personal_data import validate_phone
from jiati.core.services import lock_visible, require
from jiati.core.text import list_text
from jiati.core.uploads import check_upload
from jiati.notifications.services import notify
from jiati.subsidies import permissions, rules, selectors
from jiati.subsidies.models import (
    DEADLINE_STATUSES,
    NOT_APPLIED,
    PENDING,
    REVIEW_STEPS,
    ApplicantKind,
    ApplicationDocument,
    ApplicationExtra,
    Budget,
    Decision,
    EntryKind,
    LedgerEntry,
    PaymentBatch,
    PolicyExtra,
    Review,
    Source,
    Status,
    SubsidyApplication,
    SubsidyDocumentKind,
    SubsidyPolicy,
    _ancestor_paths,
)

APPLICATION_AUDIT_FIELDS = (
    "status",
    "policy",
    "applicant_kind",
    "applicant_owner",
    "applicant_name",
    "applicant_phone",
    "payee_name",
    "payee_bank_name",
    "payee_bank_account",
    "stops",
    "estimated_cost",
    "audited_cost",
    "amount_due",
    "approved_amount",
    "paid_amount",
    "budget",
    "deadline",
    "not_eligible_reason",
)
# What the lead owner may fill in himself on the portal (the rest is the window's: costs, extras, applicant).
LEAD_OWNER_FIELDS = frozenset({"applicant_phone", "payee_name", "payee_bank_name", "payee_bank_account"})
NEXT_STEP = {Status.COMMUNITY: Status.SUBDISTRICT, Status.SUBDISTRICT: Status.DISTRICT}
NOTIFY_KIND = "subsidy"


# --- shared helpers ---------------------------------------------------------------------


def application_url(application: SubsidyApplication) -> str:
    return reverse("subsidies:application-detail", args=[application.pk])


def _locked(application: SubsidyApplication, actor) -> SubsidyApplication:
    """Lock the row and re-check that the actor may see it (a stale or forged id answers like a missing one)."""
    applications = SubsidyApplication.objects.select_related(
        "project__community", "project__stairwell__building", "policy__region"
    )
    return lock_visible(applications, user=actor, pks=application.pk)


def _event(application: SubsidyApplication, actor, message: str, action: str, **data) -> None:
    from jiati.projects.models import EventKind
    from jiati.projects.services import project_event_add

    project_event_add(
        project=application.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=message,
        data={"subsidy_application": application.pk, "action": action, **data},
    )


def _tell(recipients, application: SubsidyApplication, title: str, body: str = "", dedupe_key: str = "") -> int:
    return len(
        notify(
            recipients=recipients,
            kind=NOTIFY_KIND,
            title=title,
            body=body or f"{application.project.code} {application.project.estate.name}",
            url=application_url(application),
            dedupe_key=dedupe_key,
        )
    )


def _tell_holders(application: SubsidyApplication, title: str, *, with_responsible: bool = False) -> None:
    recipients = selectors.holders_for(application.status, application.project.community)
    if with_responsible and application.project.responsible_id:
        recipients.append(application.project.responsible)
    _tell(recipients, application, title)


def _tell_lead_owner(application: SubsidyApplication, title: str, body: str = "") -> int:
    """The project's lead owner, if he has a resident account: his file is on the resident portal."""
    from jiati.accounts.models import Role, User

    lead_owner_id = application.project.lead_owner_id
    if not lead_owner_id:
        return 0
    users = list(User.objects.filter(owner_id=lead_owner_id, role=Role.RESIDENT, is_active=True))
    if not users:
        return 0
    return len(
        notify(
            recipients=users,
            kind=NOTIFY_KIND,
            title=title,
            body=body or f"{application.project.code} {application.project.estate.name}",
            url=reverse("subsidies:portal-file", args=[application.pk]),
        )
    )


def district_of(region):
    """The district a region lies in (itself if it is one), or None above district level."""
    from jiati.organisation.models import Region, RegionLevel

    return (
        Region.objects.filter(level=RegionLevel.DISTRICT, path__in=_ancestor_paths(region.path))
        .order_by("path")
        .first()
    )


def _text(value: str, *, field: str, label: str, required: bool = True, max_length: int = 120) -> str:
    value = (value or "").strip()
    if required and not value:
        raise refuse(_("Enter the %(label)s.") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise refuse(
            _("The %(label)s is longer than %(n)s characters.") % {"label": label, "n": max_length},
            code="too_long",
            field=field,
        )
    return value


def _audit(actor, instance, before: dict, message: str = ""):
    """Record what changed among the fields `before` was taken of (a snapshot of those fields)."""
    after = snapshot(instance, list(before))
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return None
    return audit_record(
        actor=actor, instance=instance, action=AuditAction.UPDATE, changes=changes, message=message[:255]
    )


def _in_own_area(actor, region) -> bool:
    """The region is the actor's own or below it (the units above are visible for context, not to change)."""
    return sees_everything(actor) or bool(actor.region_id and region.path.startswith(actor.region.path))


def _whole(value) -> int | None:
    """A whole number from input, or None (a bad value is refused by the caller, naming its field)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number


def _not_future(day: dt.date, *, field: str) -> dt.date:
    if day > timezone.localdate():
        raise refuse(_("The date cannot be in the future."), code="future_date", field=field)
    return day


# --- policies ---------------------------------------------------------------------------


def _overlapping(region, start: dt.date, end: dt.date | None, exclude_pk: int | None = None):
    overlap = SubsidyPolicy.objects.filter(region=region).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    )
    if end is not None:
        overlap = overlap.filter(effective_from__lte=end)
    if exclude_pk:
        overlap = overlap.exclude(pk=exclude_pk)
    return overlap.order_by("effective_from").first()


def _overlap_refusal(other: SubsidyPolicy):
    return refuse(
        _("The dates overlap “%(name)s” (in force %(start)s – %(end)s) for the same area; close it first.")
        % {
            "name": other.name,
            "start": other.effective_from.isoformat(),
            "end": other.effective_to.isoformat() if other.effective_to else _("until replaced"),
        },
        code="overlap",
        field="effective_from",
    )


@transaction.atomic
def policy_create(
    *,
    actor,
    region,
    name: str,
    source: str,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    fixed_amount=0,
    per_storey_amount=0,
    storeys_above: int = 0,
    per_stop_amount=0,
    stops_above: int = 0,
    cost_share_percent=0,
    cap=None,
    min_storeys: int = 4,
    application_deadline_days: int | None = None,
    required_documents: list[str] | None = None,
    extras: list[tuple[str, object]] | None = None,
    note: str = "",
) -> SubsidyPolicy:
    """Define a policy for a city or district. Policies of one area may not overlap in time.

    `required_documents`: None (not set) means the usual documents, an empty list that none are required.
    Files not yet submitted whose dates this policy now covers pick it up (see `applications_reevaluate`).
    """
    from jiati.organisation.models import Region, RegionLevel

    require(permissions.can_edit_policies(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    if region.level not in (RegionLevel.CITY, RegionLevel.DISTRICT):
        raise refuse(_("A policy covers a city or a district."), code="scope_level", field="region")
    if not _in_own_area(actor, region):
        raise refuse(_("You can define policies only for your own area."), code="scope_outside", field="region")
    name = _text(name, field="name", label=_("name"))
    if source not in Source.values:
        raise refuse(_("Choose where the money comes from."), code="invalid_source", field="source")
    if effective_to is not None and effective_to < effective_from:
        raise refuse(_("The end date is before the start date."), code="dates_reversed", field="effective_to")
    fixed = rules.money(fixed_amount, field="fixed_amount", label=_("The fixed amount"))
    per_storey = rules.money(per_storey_amount, field="per_storey_amount", label=_("The amount per storey"))
    per_stop = rules.money(per_stop_amount, field="per_stop_amount", label=_("The amount per stop"))
    share = rules.money(cost_share_percent, field="cost_share_percent", label=_("The share of the cost"), percent=True)
    if share > 100:
        raise refuse(_("The share of the cost cannot exceed 100%."), code="share_over_100", field="cost_share_percent")
    cap_amount = None if cap in (None, "") else rules.money(cap, field="cap", allow_zero=False, label=_("The cap"))
    if not (fixed or per_storey or per_stop or share):
        raise refuse(
            _(
                "Give at least one amount: a fixed amount, an amount per storey, an amount per stop "
                "or a share of the cost."
            ),
            code="no_amount_rule",
            field="fixed_amount",
        )
    for value, field in ((storeys_above, "storeys_above"), (min_storeys, "min_storeys"), (stops_above, "stops_above")):
        if _whole(value) is None or not (0 <= _whole(value) <= 200):
            message = (
                _("Enter a number of stops between 0 and 200.")
                if field == "stops_above"
                else _("Enter a number of storeys between 0 and 200.")
            )
            raise refuse(message, code="stops_range" if field == "stops_above" else "storeys_range", field=field)
    if application_deadline_days is not None and not (0 < int(application_deadline_days) <= 3650):
        raise refuse(
            _("The deadline is a number of days between 1 and 3650."),
            code="deadline_range",
            field="application_deadline_days",
        )
    documents = list(required_documents) if required_documents is not None else None
    if documents is not None and set(documents) - set(SubsidyDocumentKind.values):
        raise refuse(_("Choose documents from the list."), code="invalid_document", field="required_documents")
    extra_rows = []
    for extra_name, extra_max in extras or []:
        extra_name = _text(extra_name, field="extras", label=_("extra"), max_length=80)
        if any(extra_name == n for n, _m in extra_rows):
            raise refuse(_("Each extra needs its own name."), code="duplicate_extra", field="extras")
        extra_rows.append(
            (extra_name, rules.money(extra_max, field="extras", allow_zero=False, label=_("The extra's maximum")))
        )
    Region.objects.select_for_update().filter(pk=region.pk).first()  # one writer per area: no overlapping inserts
    other = _overlapping(region, effective_from, effective_to)
    if other is not None:
        raise _overlap_refusal(other)
    policy = SubsidyPolicy.objects.create(
        region=region,
        name=name,
        source=source,
        effective_from=effective_from,
        effective_to=effective_to,
        fixed_amount=fixed,
        per_storey_amount=per_storey,
        storeys_above=int(storeys_above),
        per_stop_amount=per_stop,
        stops_above=int(stops_above),
        cost_share_percent=share,
        cap=cap_amount,
        min_storeys=int(min_storeys),
        application_deadline_days=application_deadline_days,
        required_documents=[k for k in SubsidyDocumentKind.values if k in documents] if documents is not None else None,
        note=note,
        created_by=actor,
    )
    PolicyExtra.objects.bulk_create(PolicyExtra(policy=policy, name=n, max_amount=m) for n, m in extra_rows)
    audit_created(actor=actor, instance=policy, message=", ".join(f"{n} ≤ {m}" for n, m in extra_rows))
    applications_reevaluate(actor=actor, region=region, only_policy=policy)
    return policy


@transaction.atomic
def policy_close(*, actor, policy: SubsidyPolicy, effective_to: dt.date) -> SubsidyPolicy:
    """End a policy on a date (to replace it by a new version). Files it already decided keep it."""
    from jiati.organisation.models import Region

    require(permissions.can_edit_policies(actor))
    Region.objects.select_for_update().filter(pk=policy.region_id).first()
    try:
        policy = SubsidyPolicy.objects.visible_to(actor).select_for_update().get(pk=policy.pk)
    except SubsidyPolicy.DoesNotExist:
        raise PermissionDenied from None
    if not _in_own_area(actor, policy.region):
        raise PermissionDenied
    if effective_to < policy.effective_from:
        raise refuse(_("The end date is before the start date."), code="dates_reversed", field="effective_to")
    if policy.effective_to is not None and effective_to > policy.effective_to:
        other = _overlapping(policy.region, policy.effective_from, effective_to, exclude_pk=policy.pk)
        if other is not None:
            raise _overlap_refusal(other)
    used_after = [
        a.project.code
        for a in policy.applications.select_related("project")
        if a.policy_basis.get("date") and dt.date.fromisoformat(a.policy_basis["date"]) > effective_to
    ]
    if used_after:
        raise refuse(
            _("Projects dated after that day already use this policy: %(codes)s.") % {"codes": list_text(used_after)},
            code="in_use_after",
            field="effective_to",
        )
    before = snapshot(policy, ["effective_to"])
    policy.effective_to = effective_to
    policy.save(update_fields=["effective_to"])
    _audit(actor, policy, before)
    return policy


# --- budgets ----------------------------------------------------------------------------


@transaction.atomic
def budget_set(*, actor, region, year: int, source: str, amount) -> Budget:
    """Set the budget of one district for one year and source. It cannot drop below what is already approved."""
    from jiati.organisation.models import Region, RegionLevel

    require(permissions.can_set_budgets(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    if region.level != RegionLevel.DISTRICT:
        raise refuse(_("Budgets are kept per district."), code="scope_level", field="region")
    if not _in_own_area(actor, region):
        raise PermissionDenied
    if not (2000 <= int(year) <= 2100):
        raise refuse(_("Enter a year between 2000 and 2100."), code="year_range", field="year")
    if source not in Source.values:
        raise refuse(_("Choose where the money comes from."), code="invalid_source", field="source")
    amount = rules.money(amount, field="amount", label=_("The budget"))
    budget = Budget.objects.select_for_update().filter(region=region, year=year, source=source).first()
    if budget is None:
        try:
            with transaction.atomic():
                budget = Budget.objects.create(region=region, year=year, source=source, amount=amount)
        except IntegrityError:  # set at the same moment by someone else: change theirs instead
            budget = Budget.objects.select_for_update().get(region=region, year=year, source=source)
        else:
            audit_created(actor=actor, instance=budget)
            return budget
    if amount < budget.committed:
        raise refuse(
            _("%(amount)s is less than the %(committed)s already approved from this budget.")
            % {"amount": rules.yuan(amount), "committed": rules.yuan(budget.committed)},
            code="below_committed",
            field="amount",
        )
    before = snapshot(budget, ["amount"])
    budget.amount = amount
    budget.save(update_fields=["amount", "updated_at"])
    _audit(actor, budget, before)
    return budget


# --- applications: drafting and preparing -----------------------------------------------


def _estimated_cost(project) -> Decimal | None:
    if project.estimated_cost is not None:
        return project.estimated_cost
    review = project.contract_reviews.filter(contract_amount__isnull=False).order_by("-reviewed_on", "-id").first()
    return review.contract_amount if review else None


def _deadline(eligible_on: dt.date, policy) -> dt.date | None:
    if policy is None or not policy.application_deadline_days:
        return None
    return eligible_on + dt.timedelta(days=policy.application_deadline_days)


def _apply_calculation(application: SubsidyApplication, calculation: rules.Calculation) -> None:
    application.amount_due = calculation.total
    application.breakdown = calculation.lines
    application.unmet = calculation.unmet


def application_draft(*, project, actor=None) -> SubsidyApplication:
    """Draft the subsidy file of a project that became eligible (entered the subsidy stage).

    Run by the system — from the stage-entry listener inside the move's transaction, or by the daily run for
    projects that have none — so it checks no role. It works out the amount due under the applicable policy
    and tells the community's window which documents are still needed. Drafting twice returns the first.

    "Eligible since" is the day the project became eligible (it entered the subsidy stage: `rules.eligible_date`,
    the date that also decides the policy), not the day the file is drafted; the deadline runs from it.
    """
    existing = SubsidyApplication.objects.filter(project=project).first()
    if existing is not None:
        return existing
    choice = rules.choose_policy(project)
    policy = choice.policy
    eligible_on = rules.eligible_date(project) or timezone.localdate()
    storeys = rules.storeys_of(project)
    application = SubsidyApplication(
        project=project,
        policy=policy,
        policy_basis=choice.as_json(),
        eligible_on=eligible_on,
        deadline=_deadline(eligible_on, policy),
        applicant_kind=ApplicantKind.LEAD_OWNER,
        applicant_owner_id=project.lead_owner_id,
        applicant_phone=project.lead_owner.phone if project.lead_owner_id else "",
        storeys=storeys,
        stops=storeys,
        estimated_cost=_estimated_cost(project),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _apply_calculation(application, rules.calculate_application(application, extras={}))
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # drafted at the same moment by another path
        return SubsidyApplication.objects.get(project=project)
    missing = rules.missing_documents(application)
    message = _("Subsidy application drafted: %(amount)s due. %(why)s") % {
        "amount": rules.yuan(application.amount_due),
        "why": rules.basis_text(application.policy_basis, policy),
    }
    if missing:
        message += " " + _("Still needed: %(documents)s.") % {"documents": list_text(missing)}
    _event(application, actor, message, "drafted")
    audit_created(actor=actor if getattr(actor, "is_authenticated", False) else None, instance=application)
    _tell_holders(
        application,
        _("Subsidy application to prepare: %(code)s (%(amount)s)")
        % {"code": project.code, "amount": rules.yuan(application.amount_due)},
        with_responsible=True,
    )
    _tell_lead_owner(
        application,
        _("Your elevator's subsidy can be applied for: %(code)s") % {"code": project.code},
    )
    return application


def on_enter_subsidy(*, project, actor) -> None:
    """Stage-entry listener registered in apps.py: the project passed inspection and registration."""
    application_draft(project=project, actor=actor)


def applications_draft_missing(*, actor=None) -> int:
    """Draft the file of every project in the subsidy stage that has none (the daily run, or a button)."""
    from jiati.projects.models import Project, Stage
    from jiati.projects.models import Status as ProjectStatus

    projects = Project.objects.filter(stage=Stage.SUBSIDY, subsidy_application__isnull=True).exclude(
        status=ProjectStatus.WITHDRAWN
    )
    if actor is not None:
        require(permissions.can_prepare(actor) or permissions.can_oversee(actor))
        projects = projects.filter(pk__in=Project.objects.visible_to(actor).values("pk"))
    drafted = 0
    for project in projects.select_related("community", "stairwell__building", "lead_owner", "estate").iterator():
        with transaction.atomic():
            application_draft(project=project, actor=actor)
        drafted += 1
    return drafted


# --- re-evaluating the policy of files not yet submitted --------------------------------------


def _reevaluate(application: SubsidyApplication, actor, choice: rules.PolicyChoice, why: str) -> None:
    """Put a locked file under the policy its dates choose now; its deadline and amount follow. Extras claimed
    under another policy are dropped (they belong to that policy)."""
    fields = (*APPLICATION_AUDIT_FIELDS, "policy_basis")
    before = snapshot(application, fields)
    previous = application.policy
    dropped = [e.extra.name for e in application.extras.select_related("extra")] if previous is not None else []
    application.policy = choice.policy
    application.policy_basis = choice.as_json() | {
        "reevaluated": {"on": timezone.localdate().isoformat(), "previous": previous.name if previous else ""}
    }
    application.deadline = _deadline(application.eligible_on, choice.policy)
    if dropped:
        application.extras.all().delete()
    _apply_calculation(application, rules.calculate_application(application, extras={}))
    application.save()
    reason = rules.basis_text(application.policy_basis, application.policy)
    message = _("Subsidy policy re-evaluated (%(why)s): %(reason)s Amount due: %(amount)s.") % {
        "why": why,
        "reason": reason,
        "amount": rules.yuan(application.amount_due),
    }
    if dropped:
        message += " " + _("Extras claimed under the previous policy were dropped: %(names)s.") % {
            "names": list_text(dropped)
        }
    _audit(actor if getattr(actor, "is_authenticated", False) else None, application, before, message)
    _event(application, actor if getattr(actor, "is_authenticated", False) else None, message, "reevaluated")
    _tell_holders(
        application,
        _("A subsidy policy now applies: %(code)s (%(amount)s)")
        % {"code": application.project.code, "amount": rules.yuan(application.amount_due)},
        with_responsible=True,
    )


REEVALUATED_WHY = {
    "opened": _lazy("re-evaluated on the file"),
    "policy": _lazy("a policy was defined"),
    "daily": _lazy("the daily run"),
}


@transaction.atomic
def application_reevaluate(*, application: SubsidyApplication, actor) -> bool:
    """Re-evaluate, from the file, which policy applies: a draft (or a returned file without a policy) picks up
    the policy its dates choose now. Returns whether anything changed."""
    require(permissions.can_prepare(actor) or permissions.can_oversee(actor))
    application = _locked(application, actor)
    if not selectors.reevaluable(application):
        raise refuse(
            _("The file is “%(status)s”: its policy was fixed when it was submitted.")
            % {"status": application.get_status_display()},
            code="not_reevaluable",
        )
    choice = selectors.policy_change(application)
    if choice is None:
        return False
    _reevaluate(application, actor, choice, str(REEVALUATED_WHY["opened"]))
    return True


def applications_reevaluate(*, actor=None, region=None, only_policy: SubsidyPolicy | None = None) -> int:
    """The system's re-evaluation (on a new policy, and in the daily run): every file not yet submitted (in the
    region, if given) whose dates now choose another policy picks it up (`only_policy`: only that one). Audited,
    with the reason on the file's timeline. Returns how many files changed."""
    files = SubsidyApplication.objects.filter(selectors.REEVALUABLE_Q)
    if region is not None:
        files = files.filter(project__community__path__startswith=region.path)
    why = str(REEVALUATED_WHY["policy" if only_policy is not None else "daily"])
    changed = 0
    for pk in files.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            application = (
                SubsidyApplication.objects.select_for_update(of=("self",))
                .select_related("project__community", "project__estate", "policy__region")
                .filter(selectors.REEVALUABLE_Q)
                .filter(pk=pk)
                .first()
            )
            if application is None:
                continue
            choice = selectors.policy_change(application)
            if choice is None or (only_policy is not None and choice.policy.pk != only_policy.pk):
                continue
            _reevaluate(application, actor, choice, why)
            changed += 1
    return changed


def _editable(application: SubsidyApplication) -> None:
    if application.status not in NOT_APPLIED:
        raise refuse(
            _("The file is “%(status)s”: it can be changed only before it is submitted or after it is returned.")
            % {"status": application.get_status_display()},
            code="not_editable",
        )


def _bank_account(value: str) -> str:
    account = "".join((value or "").split())
    if account and not (account.isdigit() and 8 <= len(account) <= 34):
        raise refuse(
            _("A bank account number has 8 to 34 digits."), code="invalid_bank_account", field="payee_bank_account"
        )
    return account


@transaction.atomic
def application_update(*, application: SubsidyApplication, actor, **fields) -> SubsidyApplication:
    """Applicant, payee, costs and claimed extras, as entered at the window; the amount due is worked out again.

    `extras` is {PolicyExtra id: amount}; an amount of 0 drops the claim. The project's lead owner may fill in
    the payee and the applicant's phone himself (`LEAD_OWNER_FIELDS`); the rest is the window's.
    """
    from jiati.housing.models import Ownership

    allowed = {
        "applicant_kind",
        "applicant_owner",
        "applicant_name",
        "applicant_phone",
        "payee_name",
        "payee_bank_name",
        "payee_bank_account",
        "stops",
        "estimated_cost",
        "audited_cost",
        "extras",
    }
    if set(fields) - allowed:
        raise TypeError(f"unexpected fields {set(fields) - allowed}")
    application = _locked(application, actor)
    if not permissions.can_prepare(actor):
        require(permissions.is_lead_owner(actor, application) and set(fields) <= LEAD_OWNER_FIELDS)
    _editable(application)
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    if "applicant_kind" in fields:
        if fields["applicant_kind"] not in ApplicantKind.values:
            raise refuse(_("Choose who applies."), code="invalid_applicant", field="applicant_kind")
        application.applicant_kind = fields["applicant_kind"]
    if "applicant_owner" in fields:
        owner = fields["applicant_owner"]
        if (
            owner is not None
            and not Ownership.objects.filter(
                owner=owner, dwelling__stairwell_id=application.project.stairwell_id
            ).exists()
        ):
            raise refuse(
                _("The lead owner must own a dwelling in this stairwell."),
                code="not_an_owner_here",
                field="applicant_owner",
            )
        application.applicant_owner = owner
    for name, label, limit in (
        ("applicant_name", _("implementing body"), 120),
        ("payee_name", _("payee"), 120),
        ("payee_bank_name", _("bank"), 120),
    ):
        if name in fields:
            setattr(application, name, _text(fields[name], field=name, label=label, required=False, max_length=limit))
    if fields.get("applicant_phone"):
        try:
            application.applicant_phone = validate_phone(fields["applicant_phone"])
        except ValidationError as exc:
            raise ValidationError({"applicant_phone": [exc]}) from None
    elif "applicant_phone" in fields:
        application.applicant_phone = ""
    if "payee_bank_account" in fields:
        application.payee_bank_account = _bank_account(fields["payee_bank_account"])
    if "stops" in fields:
        stops = _whole(fields["stops"])
        if stops is None or not (1 <= stops <= 200):
            raise refuse(_("Enter the number of stops, between 1 and 200."), code="stops_range", field="stops")
        application.stops = stops
    for name, label in (("estimated_cost", _("The estimated cost")), ("audited_cost", _("The audited cost"))):
        if name in fields:
            value = fields[name]
            setattr(
                application,
                name,
                None if value in (None, "") else rules.money(value, field=name, allow_zero=False, label=label),
            )
    extras = None
    if "extras" in fields:
        offered = {e.pk: e for e in (application.policy.extras.all() if application.policy else [])}
        claimed = fields["extras"] or {}
        if not isinstance(claimed, dict):
            raise refuse(_("Give the extras as {extra id: amount}."), code="invalid_extras", field="extras")
        extras = {}
        for extra_id, value in claimed.items():
            extra = offered.get(_whole(extra_id))
            if extra is None:
                raise refuse(
                    _("This policy has no extra “%(id)s”.") % {"id": str(extra_id)[:40]},
                    code="invalid_extra",
                    field="extras",
                )
            amount = rules.money(value, field="extras", label=extra.name)
            if amount > extra.max_amount:
                raise refuse(
                    _("%(name)s: at most %(max)s.") % {"name": extra.name, "max": rules.yuan(extra.max_amount)},
                    code="over_extra_max",
                    field="extras",
                )
            if amount:
                extras[extra] = amount
        application.extras.all().delete()
        ApplicationExtra.objects.bulk_create(
            ApplicationExtra(application=application, extra=e, amount=a) for e, a in extras.items()
        )
    _apply_calculation(application, rules.calculate_application(application, extras=extras))
    application.save()
    entry = _audit(actor, application, before)
    if entry is not None:
        _event(
            application,
            actor,
            _("Subsidy file updated: %(fields)s") % {"fields": ", ".join(sorted(entry.changes))},
            "updated",
        )
    return application


@transaction.atomic
def application_document_add(*, application: SubsidyApplication, actor, kind: str, upload) -> ApplicationDocument:
    """Attach a document the file needs, as the next version of its kind."""
    if kind not in SubsidyDocumentKind.values:
        raise refuse(_("Choose what the document is."), code="invalid_kind", field="kind")
    application = _locked(application, actor)
    require(permissions.can_prepare_file(actor, application))
    _editable(application)
    checked = check_upload(upload, field="file")
    version = (application.documents.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
    document = ApplicationDocument(
        application=application,
        kind=kind,
        version=version,
        original_name=checked.name,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    document.file.save(checked.name, upload, save=False)
    document.save()
    _event(
        application,
        actor,
        _("Subsidy document: %(kind)s v%(version)s (%(name)s)")
        % {"kind": document.get_kind_display(), "version": version, "name": checked.name},
        "document",
        document=document.pk,
        sha256=checked.sha256,
    )
    audit_record(
        actor=actor,
        instance=document,
        action=AuditAction.CREATE,
        changes={"kind": [None, kind], "version": [None, version], "sha256": [None, checked.sha256]},
    )
    return document


@transaction.atomic
def application_submit(*, application: SubsidyApplication, actor, note: str = "") -> SubsidyApplication:
    """Hand the file in for review (the community's step first). Refused, with every reason, if incomplete.

    The window submits for the lead owner or the implementing body; the lead owner may submit himself (on the
    portal), as the applicant, unless the implementing body applies for this file. The application deadline
    binds the first submission only: a file returned for correction may always be submitted again.
    """
    application = _locked(application, actor)
    require(permissions.can_prepare_file(actor, application))
    _editable(application)
    by_lead_owner = not permissions.can_prepare(actor)
    problems = selectors.submission_problems(application, actor=actor if by_lead_owner else None)
    if problems:
        raise ValidationError([ValidationError(message, code=code) for code, message in problems])
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    if by_lead_owner:  # he applies himself, for the owners
        application.applicant_kind, application.applicant_owner_id = ApplicantKind.LEAD_OWNER, actor.owner_id
    _apply_calculation(application, rules.calculate_application(application))
    now = timezone.now()
    application.status, application.status_since, application.submitted_at = Status.COMMUNITY, now, now
    application.save()
    _audit(actor, application, before, note)
    _event(
        application,
        actor,
        _("Subsidy application submitted for %(amount)s.") % {"amount": rules.yuan(application.amount_due)}
        + (f" {note}" if note else ""),
        "submitted",
    )
    _tell_holders(application, _("Subsidy application to review: %(code)s") % {"code": application.project.code})
    return application


# --- review -----------------------------------------------------------------------------


def _comment(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise refuse(_("Write a comment for the record."), code="comment_required", field="comment")
    return comment


@transaction.atomic
def application_review(*, application: SubsidyApplication, actor, decision: str, comment: str) -> Review:
    """Pass the file on to the next step, or return it for correction, with a comment."""
    application = _locked(application, actor)
    step = application.status
    if step not in REVIEW_STEPS:
        raise refuse(
            _("The file is “%(status)s”, not waiting for a review.") % {"status": application.get_status_display()},
            code="not_in_review",
        )
    require(permissions.can_review(actor, step))
    if decision not in (Decision.FORWARD, Decision.RETURN):
        raise refuse(_("Choose pass on or return."), code="invalid_decision", field="decision")
    if decision == Decision.FORWARD and step == Status.DISTRICT:
        raise refuse(_("At the district step, approve the amount instead."), code="approve_instead", field="decision")
    comment = _comment(comment)
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    review = Review.objects.create(
        application=application, step=step, decision=decision, comment=comment, reviewer=actor
    )
    application.status = NEXT_STEP[step] if decision == Decision.FORWARD else Status.RETURNED
    application.status_since = timezone.now()
    application.save(update_fields=["status", "status_since", "updated_at"])
    _audit(actor, application, before, comment[:255])
    _event(
        application,
        actor,
        _("Subsidy review (%(step)s): %(decision)s — %(comment)s")
        % {"step": review.get_step_display(), "decision": review.get_decision_display(), "comment": comment},
        "review",
        review=review.pk,
    )
    if decision == Decision.FORWARD:
        title = _("Subsidy application to review: %(code)s") % {"code": application.project.code}
    else:
        title = _("Subsidy application returned for correction: %(code)s") % {"code": application.project.code}
        _tell_lead_owner(application, title, body=comment)
    _tell_holders(application, title, with_responsible=decision == Decision.RETURN)
    return review


def budget_for(application: SubsidyApplication, *, year: int | None = None) -> tuple:
    """(district, year, source) of the budget an approval of this file is charged to."""
    year = year or timezone.localdate().year
    return district_of(application.project.community), year, application.policy.source


@transaction.atomic
def application_approve(*, application: SubsidyApplication, actor, comment: str, amount=None) -> SubsidyApplication:
    """District finance fixes the amount (at most the amount due) and charges it to this year's budget.

    The budget row is locked, so two approvals at the same moment cannot together exceed it.
    """
    application = _locked(application, actor)
    if application.status != Status.DISTRICT:
        raise refuse(
            _("The file is “%(status)s”, not waiting for district finance.")
            % {"status": application.get_status_display()},
            code="not_in_review",
        )
    require(permissions.can_review(actor, Status.DISTRICT))
    comment = _comment(comment)
    calculation = rules.calculate_application(application)
    due = calculation.total
    amount = (
        due if amount in (None, "") else rules.money(amount, field="amount", allow_zero=False, label=_("The amount"))
    )
    if due <= 0:
        raise refuse(_("The policy pays nothing for this project."), code="no_amount", field="amount")
    if amount > due:
        raise refuse(
            _("%(amount)s is more than the %(due)s due under the policy.")
            % {"amount": rules.yuan(amount), "due": rules.yuan(due)},
            code="over_due",
            field="amount",
        )
    district, year, source = budget_for(application)
    budget = Budget.objects.select_for_update().filter(region=district, year=year, source=source).first()
    if budget is None:
        raise refuse(
            _("No %(source)s budget is set for %(year)s.") % {"source": Source(source).label, "year": year},
            code="no_budget",
            field="amount",
        )
    if budget.committed + amount > budget.amount:
        raise refuse(
            _("Approving %(amount)s would exceed the %(year)s %(source)s budget: %(remaining)s remains.")
            % {
                "amount": rules.yuan(amount),
                "year": year,
                "source": budget.get_source_display(),
                "remaining": rules.yuan(budget.remaining),
            },
            code="over_budget",
            field="amount",
        )
    budget_before = snapshot(budget, ["committed"])
    # Computed by the database (not read-add-write), so its constraint is a true backstop for the lock above.
    Budget.objects.filter(pk=budget.pk).update(committed=F("committed") + amount, updated_at=timezone.now())
    budget.refresh_from_db(fields=["committed", "updated_at"])
    _audit(actor, budget, budget_before, application.project.code)
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    now = timezone.now()
    _apply_calculation(application, calculation)
    application.status, application.status_since = Status.APPROVED, now
    application.approved_amount, application.approved_at, application.budget = amount, now, budget
    application.save()
    Review.objects.create(
        application=application,
        step=Status.DISTRICT,
        decision=Decision.APPROVE,
        comment=comment,
        amount=amount,
        reviewer=actor,
    )
    _audit(actor, application, before, comment[:255])
    _event(
        application,
        actor,
        _("Subsidy approved: %(amount)s (%(budget)s). %(comment)s")
        % {"amount": rules.yuan(amount), "budget": str(budget), "comment": comment},
        "approved",
        amount=str(amount),
    )
    _tell_holders(application, _("Subsidy approved, to pay: %(code)s") % {"code": application.project.code})
    _tell(
        selectors.holders_for(Status.COMMUNITY, application.project.community),
        application,
        _("Subsidy approved: %(code)s, %(amount)s") % {"code": application.project.code, "amount": rules.yuan(amount)},
    )
    return application


@transaction.atomic
def application_mark_not_eligible(*, application: SubsidyApplication, actor, reason: str) -> SubsidyApplication:
    """Record that the project gets no subsidy, and why (it may then leave the subsidy stage)."""
    require(permissions.can_judge_eligibility(actor))
    application = _locked(application, actor)
    if application.status not in PENDING:
        raise refuse(
            _("The file is already “%(status)s”.") % {"status": application.get_status_display()},
            code="already_decided",
        )
    reason = _text(reason, field="reason", label=_("reason"), max_length=255)
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    application.status, application.status_since, application.not_eligible_reason = (
        Status.NOT_ELIGIBLE,
        timezone.now(),
        reason,
    )
    application.save(update_fields=["status", "status_since", "not_eligible_reason", "updated_at"])
    _audit(actor, application, before, reason)
    _event(application, actor, _("Not eligible for a subsidy: %(reason)s") % {"reason": reason}, "not_eligible")
    _tell(
        selectors.holders_for(Status.COMMUNITY, application.project.community)
        + ([application.project.responsible] if application.project.responsible_id else []),
        application,
        _("Not eligible for a subsidy: %(code)s") % {"code": application.project.code},
        body=reason,
    )
    return application


# --- payments ---------------------------------------------------------------------------


@transaction.atomic
def payment_batch_create(*, actor, number: str, paid_on: dt.date, note: str = "", region=None) -> PaymentBatch:
    """Open a batch of payments made together (one transfer list, printed as the payment list)."""
    require(permissions.can_pay(actor))
    region = region or (district_of(actor.region) if actor.region_id else None)
    if region is None:
        raise refuse(_("Choose the district that pays."), code="region_required", field="region")
    from jiati.organisation.models import Region

    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    number = _text(number, field="number", label=_("batch number"), max_length=40)
    _not_future(paid_on, field="paid_on")
    if PaymentBatch.objects.filter(number=number).exists():
        raise refuse(
            _("Batch number %(number)s is already used.") % {"number": number}, code="batch_used", field="number"
        )
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(
                number=number, region=region, paid_on=paid_on, note=note.strip()[:255], created_by=actor
            )
    except IntegrityError:
        raise refuse(
            _("Batch number %(number)s is already used.") % {"number": number}, code="batch_used", field="number"
        ) from None
    audit_created(actor=actor, instance=batch)
    return batch


def _same(entry: LedgerEntry, *, application, kind, amount, voucher_no, paid_on, reverses=None) -> bool:
    return (
        entry.application_id == application.pk
        and entry.kind == kind
        and entry.amount == amount
        and entry.voucher_no == voucher_no
        and entry.paid_on == paid_on
        and entry.reverses_id == (reverses.pk if reverses else None)
    )


def _replay(*, idempotency_key: str, voucher_no: str, **expected) -> LedgerEntry | None:
    """The row an identical earlier request created, or None; a conflicting reuse is refused."""
    if idempotency_key:
        entry = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if entry is not None:
            if _same(entry, voucher_no=voucher_no, **expected):
                return entry
            raise refuse(
                _("This request was already used to record voucher %(voucher)s; reload the page and start again.")
                % {"voucher": entry.voucher_no},
                code="request_reused",
            )
    entry = LedgerEntry.objects.select_related("application__project").filter(voucher_no=voucher_no).first()
    if entry is not None:
        if _same(entry, voucher_no=voucher_no, **expected):
            return entry
        raise refuse(
            _("Voucher number %(voucher)s is already used (%(code)s, %(amount)s on %(date)s).")
            % {
                "voucher": voucher_no,
                "code": entry.application.project.code,
                "amount": rules.yuan(entry.amount),
                "date": entry.paid_on.isoformat(),
            },
            code="voucher_used",
            field="voucher_no",
        )
    return None


def _insert(entry: LedgerEntry, replay_kwargs: dict) -> tuple[LedgerEntry, bool]:
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        # Another request wrote the same voucher or key between our check and our insert.
        existing = _replay(**replay_kwargs)
        if existing is not None:
            return existing, False
        raise
    return entry, True


def _clean_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if len(key) > 64:
        raise refuse(_("The request key is too long."), code="request_key_too_long")
    return key


def payment_record(
    *,
    actor,
    application: SubsidyApplication,
    amount,
    voucher_no: str,
    paid_on: dt.date | None = None,
    batch: PaymentBatch | None = None,
    idempotency_key: str = "",
    note: str = "",
) -> tuple[LedgerEntry, bool]:
    """Record money paid on an approved file (all of what is unpaid, or part of it).

    The same voucher with the same details, or a retried request with the same key, returns the first row
    (created=False) instead of paying twice; the same voucher for anything else is refused.
    """
    require(permissions.can_pay(actor))
    amount = rules.money(amount, field="amount", allow_zero=False, label=_("The amount"))
    voucher_no = _text(voucher_no, field="voucher_no", label=_("voucher number"), max_length=40)
    key = _clean_key(idempotency_key)
    with transaction.atomic():
        application = _locked(application, actor)
        if batch is not None:
            batch = PaymentBatch.objects.visible_to(actor).filter(pk=batch.pk).first()
            if batch is None:
                raise PermissionDenied
            if paid_on is not None and paid_on != batch.paid_on:
                raise refuse(
                    _("Batch %(number)s was paid on %(date)s; leave the date empty or choose another batch.")
                    % {"number": batch.number, "date": batch.paid_on.isoformat()},
                    code="batch_date",
                    field="paid_on",
                )
            paid_on = batch.paid_on
        if paid_on is None:
            raise refuse(_("Enter the payment date."), code="required", field="paid_on")
        replay_kwargs = {
            "idempotency_key": key,
            "voucher_no": voucher_no,
            "application": application,
            "kind": EntryKind.PAYMENT,
            "amount": amount,
            "paid_on": paid_on,
        }
        existing = _replay(**replay_kwargs)
        if existing is not None:
            return existing, False
        if application.status == Status.PAID:
            raise refuse(_("This subsidy is already paid in full."), code="already_paid", field="amount")
        if application.status != Status.APPROVED:
            raise refuse(
                _("Only an approved subsidy can be paid; this file is “%(status)s”.")
                % {"status": application.get_status_display()},
                code="not_approved",
            )
        if amount > application.unpaid_amount:
            raise refuse(
                _("%(amount)s is more than the %(unpaid)s approved and not yet paid.")
                % {"amount": rules.yuan(amount), "unpaid": rules.yuan(application.unpaid_amount)},
                code="over_unpaid",
                field="amount",
            )
        _not_future(paid_on, field="paid_on")
        if batch is not None and batch.region_id != application.budget.region_id:
            raise refuse(_("This batch belongs to another district."), code="other_district", field="batch")
        entry, created = _insert(
            LedgerEntry(
                application=application,
                batch=batch,
                kind=EntryKind.PAYMENT,
                amount=amount,
                voucher_no=voucher_no,
                paid_on=paid_on,
                idempotency_key=key,
                note=note.strip()[:255],
                recorded_by=actor,
            ),
            replay_kwargs,
        )
        if not created:
            return entry, False
        _move_money(application, actor, amount, entry)
        _tell(
            selectors.holders_for(Status.COMMUNITY, application.project.community)
            + ([application.project.responsible] if application.project.responsible_id else []),
            application,
            _("Subsidy paid: %(code)s, %(amount)s") % {"code": application.project.code, "amount": rules.yuan(amount)},
        )
        return entry, True


def _move_money(application: SubsidyApplication, actor, amount: Decimal, entry: LedgerEntry) -> None:
    """Keep the application's and the budget's paid counters in step with a new ledger row."""
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    application.paid_amount += amount
    status = Status.PAID if application.paid_amount == application.approved_amount else Status.APPROVED
    if status != application.status:
        application.status, application.status_since = status, timezone.now()
    application.save(update_fields=["paid_amount", "status", "status_since", "updated_at"])
    Budget.objects.filter(pk=application.budget_id).update(paid=F("paid") + amount)
    audit_record(
        actor=actor,
        instance=entry,
        action=AuditAction.CREATE,
        changes={
            "kind": [None, entry.kind],
            "amount": [None, str(entry.amount)],
            "voucher_no": [None, entry.voucher_no],
            "paid_on": [None, entry.paid_on.isoformat()],
        },
    )
    _audit(actor, application, before, entry.voucher_no)
    if entry.kind == EntryKind.PAYMENT:
        message = _("Subsidy paid: %(amount)s, voucher %(voucher)s on %(date)s; %(unpaid)s still to pay.")
    else:
        message = _("Subsidy payment reversed: %(amount)s, voucher %(voucher)s on %(date)s; %(unpaid)s still to pay.")
    _event(
        application,
        actor,
        message
        % {
            "amount": rules.yuan(abs(entry.amount)),
            "voucher": entry.voucher_no,
            "date": entry.paid_on.isoformat(),
            "unpaid": rules.yuan(application.unpaid_amount),
        },
        entry.kind,
        entry=entry.pk,
    )


def payment_reverse(
    *,
    actor,
    payment: LedgerEntry,
    voucher_no: str,
    reversed_on: dt.date,
    reason: str,
    idempotency_key: str = "",
) -> tuple[LedgerEntry, bool]:
    """Undo a payment (returned by the bank, paid to a wrong account…) with a new, negative row."""
    require(permissions.can_pay(actor))
    voucher_no = _text(voucher_no, field="voucher_no", label=_("voucher number"), max_length=40)
    reason = _text(reason, field="reason", label=_("reason"), max_length=255)
    key = _clean_key(idempotency_key)
    with transaction.atomic():
        application = _locked(payment.application, actor)
        payment = LedgerEntry.objects.get(pk=payment.pk)
        if payment.kind != EntryKind.PAYMENT:
            raise refuse(_("Only a payment can be reversed."), code="not_a_payment")
        replay_kwargs = {
            "idempotency_key": key,
            "voucher_no": voucher_no,
            "application": application,
            "kind": EntryKind.REVERSAL,
            "amount": -payment.amount,
            "paid_on": reversed_on,
            "reverses": payment,
        }
        existing = _replay(**replay_kwargs)
        if existing is not None:
            return existing, False
        if LedgerEntry.objects.filter(reverses=payment).exists():
            raise refuse(_("This payment is already reversed."), code="already_reversed")
        _not_future(reversed_on, field="reversed_on")
        if reversed_on < payment.paid_on:
            raise refuse(
                _("A reversal cannot be dated before the payment."), code="before_payment", field="reversed_on"
            )
        entry, created = _insert(
            LedgerEntry(
                application=application,
                batch=None,
                kind=EntryKind.REVERSAL,
                amount=-payment.amount,
                voucher_no=voucher_no,
                paid_on=reversed_on,
                reverses=payment,
                idempotency_key=key,
                note=reason,
                recorded_by=actor,
            ),
            replay_kwargs,
        )
        if created:
            _move_money(application, actor, -payment.amount, entry)
            _tell_holders(
                application,
                _("Subsidy payment reversed, to pay again: %(code)s") % {"code": application.project.code},
            )
        return entry, created


# --- reminders --------------------------------------------------------------------------

# After how many days in a status the holder is reminded (then once a week).
REMIND_AFTER_DAYS = {
    Status.DRAFT: 7,
    Status.RETURNED: 5,
    Status.COMMUNITY: 5,
    Status.SUBDISTRICT: 5,
    Status.DISTRICT: 10,
    Status.APPROVED: 10,
}
DEADLINE_WARNING_DAYS = 14


def reminders_send(*, actor=None, today: dt.date | None = None) -> int:
    """Remind whoever holds each waiting file (at most once a week per file and status). Returns how many
    notifications went out. With an actor: only files in the actor's area, if their role may remind.

    The same rule as the tracker: a withdrawn project's file is not due and nobody is reminded of it; a
    suspended project's file is still due, and its holders are reminded."""
    today = today or timezone.localdate()
    applications = SubsidyApplication.objects.filter(selectors.DUE_Q)
    if actor is not None:
        require(permissions.can_remind(actor))
        applications = applications.visible_to(actor)
    now = (
        timezone.now()
        if today == timezone.localdate()
        else timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    )
    due = Q()
    for status, days in REMIND_AFTER_DAYS.items():
        due |= Q(status=status, status_since__lte=now - dt.timedelta(days=days))
    soon = Q(
        status__in=DEADLINE_STATUSES,
        submitted_at__isnull=True,
        deadline__isnull=False,
        deadline__lte=today + dt.timedelta(days=DEADLINE_WARNING_DAYS),
    )
    applications = applications.filter(due | soon).select_related(
        "project__community__parent", "project__responsible", "project__estate"
    )
    holders: dict[tuple[str, int], list] = {}
    week = today.isocalendar()
    sent = 0
    for application in applications.order_by("pk").iterator(chunk_size=500):
        key = (application.status, application.project.community_id)
        if key not in holders:
            holders[key] = selectors.holders_for(application.status, application.project.community)
        recipients = list(holders[key])
        if application.status in NOT_APPLIED and application.project.responsible_id:
            recipients.append(application.project.responsible)
        days = selectors.days_waiting(application, today)
        title = _("Subsidy %(code)s: “%(status)s” for %(days)s days") % {
            "code": application.project.code,
            "status": application.get_status_display(),
            "days": days,
        }
        amount = application.unpaid_amount if application.status == Status.APPROVED else application.amount_due
        body = f"{application.project.estate.name} · {rules.yuan(amount)}"
        if application.deadline_applies:
            body += " · " + _("apply by %(date)s") % {"date": application.deadline.isoformat()}
        sent += _tell(
            recipients,
            application,
            title,
            body=body,
            dedupe_key=f"subsidy:{application.pk}:{application.status}:{week[0]}w{week[1]}",
        )
    return sent
