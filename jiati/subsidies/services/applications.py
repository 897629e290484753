"""Subsidy files before review: drafting, re-evaluating the policy, the window's and the lead owner's edits,
documents, submitting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, save_if_changed, snapshot
from jiati.core.errors import Refusals, refuse
from jiati.core.personal_data import validate_phone
from jiati.core.services import require
from jiati.core.stored_text import Choice, Fields, Message, joined
from jiati.core.text import list_text
from jiati.core.uploads import check_upload
from jiati.housing.models import Ownership
from jiati.projects.models import Project, Stage
from jiati.projects.models import Status as ProjectStatus
from jiati.subsidies import permissions, rules, selectors
from jiati.subsidies.models import (
    NOT_APPLIED,
    ApplicantKind,
    ApplicationDocument,
    ApplicationExtra,
    Status,
    SubsidyApplication,
    SubsidyDocumentKind,
    SubsidyPolicy,
)
from jiati.subsidies.services.common import (
    APPLICATION_AUDIT_FIELDS,
    LEAD_OWNER_FIELDS,
    _audit,
    _event,
    _locked,
    _tell_holders,
    _tell_lead_owner,
    _text,
    _whole,
)


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
    missing = [
        Choice(field="subsidies.ApplicationDocument.kind", value=kind)
        for kind in rules.missing_document_kinds(application)
    ]
    message = Message(
        gettext_noop("Subsidy application drafted: %(amount)s due. %(why)s"),
        amount=rules.yuan(application.amount_due),
        why=rules.basis_message(application.policy_basis, policy),
    )
    if missing:
        message = joined(message, Message(gettext_noop("Still needed: %(documents)s."), documents=missing))
    _event(application, actor, message, "drafted")
    audit_created(actor=actor if getattr(actor, "is_authenticated", False) else None, instance=application)
    _tell_holders(
        application,
        Message(
            gettext_noop("Subsidy application to prepare: %(code)s (%(amount)s)"),
            code=project.code,
            amount=rules.yuan(application.amount_due),
        ),
        with_responsible=True,
    )
    _tell_lead_owner(
        application,
        Message(gettext_noop("Your elevator's subsidy can be applied for: %(code)s"), code=project.code),
    )
    return application


def on_enter_subsidy(*, project, actor) -> None:
    """Stage-entry listener registered in apps.py: the project passed inspection and registration."""
    application_draft(project=project, actor=actor)


def applications_draft_missing(*, actor=None) -> int:
    """Draft the file of every project in the subsidy stage that has none (the daily run, or a button)."""

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


def _reevaluate(application: SubsidyApplication, actor, choice: rules.PolicyChoice, why: Message) -> None:
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
    message = Message(
        gettext_noop("Subsidy policy re-evaluated (%(why)s): %(reason)s Amount due: %(amount)s."),
        why=why,
        reason=rules.basis_message(application.policy_basis, application.policy),
        amount=rules.yuan(application.amount_due),
    )
    if dropped:
        message = joined(
            message,
            Message(
                gettext_noop("Extras claimed under the previous policy were dropped: %(names)s."),
                names=list_text(dropped),
            ),
        )
    _audit(actor if getattr(actor, "is_authenticated", False) else None, application, before, str(message))
    _event(application, actor if getattr(actor, "is_authenticated", False) else None, message, "reevaluated")
    _tell_holders(
        application,
        Message(
            gettext_noop("A subsidy policy now applies: %(code)s (%(amount)s)"),
            code=application.project.code,
            amount=rules.yuan(application.amount_due),
        ),
        with_responsible=True,
    )


REEVALUATED_WHY = {  # stored on the timeline as msgid, read in the reader's language
    "opened": gettext_noop("re-evaluated on the file"),
    "policy": gettext_noop("a policy was defined"),
    "daily": gettext_noop("the daily run"),
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
    _reevaluate(application, actor, choice, Message(REEVALUATED_WHY["opened"]))
    return True


def applications_reevaluate(*, actor=None, region=None, only_policy: SubsidyPolicy | None = None) -> int:
    """The system's re-evaluation (on a new policy, and in the daily run): every file not yet submitted (in the
    region, if given) whose dates now choose another policy picks it up (`only_policy`: only that one). Audited,
    with the reason on the file's timeline. Returns how many files changed."""
    files = SubsidyApplication.objects.filter(selectors.REEVALUABLE_Q)
    if region is not None:
        files = files.filter(project__community__path__startswith=region.path)
    why = Message(REEVALUATED_WHY["policy" if only_policy is not None else "daily"])
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


def _claimed_extras(application: SubsidyApplication, claimed) -> dict:
    """{PolicyExtra: amount} from {extra id: amount}; each claim makes sense only once its extra is known."""
    offered = {e.pk: e for e in (application.policy.extras.all() if application.policy else [])}
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
    return extras


@transaction.atomic
def application_update(*, application: SubsidyApplication, actor, **fields) -> SubsidyApplication:
    """Applicant, payee, costs and claimed extras, as entered at the window; the amount due is worked out again.

    `extras` is {PolicyExtra id: amount}; an amount of 0 drops the claim. The project's lead owner may fill in
    the payee and the applicant's phone himself (`LEAD_OWNER_FIELDS`); the rest is the window's.
    """

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
    extras = None
    with Refusals() as checked:  # every wrong field at once (issue 13)
        if "applicant_kind" in fields:
            if fields["applicant_kind"] not in ApplicantKind.values:
                checked.add(refuse(_("Choose who applies."), code="invalid_applicant", field="applicant_kind"))
            application.applicant_kind = fields["applicant_kind"]
        if "applicant_owner" in fields:
            owner = fields["applicant_owner"]
            if (
                owner is not None
                and not Ownership.objects.filter(
                    owner=owner, dwelling__stairwell_id=application.project.stairwell_id
                ).exists()
            ):
                checked.add(
                    refuse(
                        _("The lead owner must own a dwelling in this stairwell."),
                        code="not_an_owner_here",
                        field="applicant_owner",
                    )
                )
            application.applicant_owner = owner
        for name, label, limit in (
            ("applicant_name", _("implementing body"), 120),
            ("payee_name", _("payee"), 120),
            ("payee_bank_name", _("bank"), 120),
        ):
            if name in fields:
                setattr(
                    application,
                    name,
                    checked(_text, fields[name], field=name, label=label, required=False, max_length=limit),
                )
        if fields.get("applicant_phone"):
            try:
                application.applicant_phone = validate_phone(fields["applicant_phone"])
            except ValidationError as exc:
                checked.add(ValidationError({"applicant_phone": [exc]}))
        elif "applicant_phone" in fields:
            application.applicant_phone = ""
        if "payee_bank_account" in fields:
            application.payee_bank_account = checked(_bank_account, fields["payee_bank_account"])
        if "stops" in fields:
            stops = _whole(fields["stops"])
            if stops is None or not (1 <= stops <= 200):
                checked.add(
                    refuse(_("Enter the number of stops, between 1 and 200."), code="stops_range", field="stops")
                )
            application.stops = stops
        for name, label in (("estimated_cost", _("The estimated cost")), ("audited_cost", _("The audited cost"))):
            if name in fields:
                value = fields[name]
                setattr(
                    application,
                    name,
                    None
                    if value in (None, "")
                    else checked(rules.money, value, field=name, allow_zero=False, label=label),
                )
        if "extras" in fields:
            extras = checked(_claimed_extras, application, fields["extras"] or {})
    if extras is not None:
        application.extras.all().delete()
        ApplicationExtra.objects.bulk_create(
            ApplicationExtra(application=application, extra=e, amount=a) for e, a in extras.items()
        )
    _apply_calculation(application, rules.calculate_application(application, extras=extras))
    entry = save_if_changed(actor=actor, instance=application, before=before)  # an empty edit changes nothing
    if entry is not None:
        _event(
            application,
            actor,
            Message(
                gettext_noop("Subsidy file updated: %(fields)s"),
                fields=Fields.of(SubsidyApplication, sorted(entry.changes)),
            ),
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
        Message(
            gettext_noop("Subsidy document: %(kind)s v%(version)s (%(name)s)"),
            kind=Choice.of(document, "kind"),
            version=version,
            name=checked.name,
        ),
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
        joined(
            Message(
                gettext_noop("Subsidy application submitted for %(amount)s."), amount=rules.yuan(application.amount_due)
            ),
            note,
        ),
        "submitted",
    )
    _tell_holders(
        application, Message(gettext_noop("Subsidy application to review: %(code)s"), code=application.project.code)
    )
    return application
