"""Reviewing a file: community → subdistrict → district, approval against the budget, not eligible."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.services import snapshot
from jiati.core.errors import Refusals, refuse
from jiati.core.services import require
from jiati.core.stored_text import Choice, Message
from jiati.subsidies import permissions, rules, selectors
from jiati.subsidies.models import (
    PENDING,
    REVIEW_STEPS,
    Budget,
    Decision,
    Review,
    Source,
    Status,
    SubsidyApplication,
)
from jiati.subsidies.services.applications import _apply_calculation
from jiati.subsidies.services.common import (
    APPLICATION_AUDIT_FIELDS,
    NEXT_STEP,
    _audit,
    _event,
    _locked,
    _tell,
    _tell_holders,
    _tell_lead_owner,
    _text,
    district_of,
)


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
        Message(
            gettext_noop("Subsidy review (%(step)s): %(decision)s — %(comment)s"),
            step=Choice.of(review, "step"),
            decision=Choice.of(review, "decision"),
            comment=comment,
        ),
        "review",
        review=review.pk,
    )
    if decision == Decision.FORWARD:
        title = Message(gettext_noop("Subsidy application to review: %(code)s"), code=application.project.code)
    else:
        title = Message(
            gettext_noop("Subsidy application returned for correction: %(code)s"), code=application.project.code
        )
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
    calculation = rules.calculate_application(application)
    due = calculation.total
    with Refusals() as checked:  # every wrong field at once
        comment = checked(_comment, comment)
        if amount in (None, ""):
            amount = due
        else:
            amount = checked(rules.money, amount, field="amount", allow_zero=False, label=_("The amount"))
        if due <= 0:
            checked.add(refuse(_("The policy pays nothing for this project."), code="no_amount", field="amount"))
        elif amount is not None and amount > due:
            checked.add(
                refuse(
                    _("%(amount)s is more than the %(due)s due under the policy.")
                    % {"amount": rules.yuan(amount), "due": rules.yuan(due)},
                    code="over_due",
                    field="amount",
                )
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
        Message(
            gettext_noop("Subsidy approved: %(amount)s (%(budget)s). %(comment)s"),
            amount=rules.yuan(amount),
            budget=str(budget),
            comment=comment,
        ),
        "approved",
        amount=str(amount),
    )
    _tell_holders(
        application, Message(gettext_noop("Subsidy approved, to pay: %(code)s"), code=application.project.code)
    )
    _tell(
        selectors.holders_for(Status.COMMUNITY, application.project.community),
        application,
        Message(
            gettext_noop("Subsidy approved: %(code)s, %(amount)s"),
            code=application.project.code,
            amount=rules.yuan(amount),
        ),
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
    _event(
        application,
        actor,
        Message(gettext_noop("Not eligible for a subsidy: %(reason)s"), reason=reason),
        "not_eligible",
    )
    _tell(
        selectors.holders_for(Status.COMMUNITY, application.project.community)
        + ([application.project.responsible] if application.project.responsible_id else []),
        application,
        Message(gettext_noop("Not eligible for a subsidy: %(code)s"), code=application.project.code),
        body=reason,
    )
    return application
