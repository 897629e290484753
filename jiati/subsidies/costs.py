"""The subsidy a project can count on, for the consent app's cost sharing (owners pay the cost minus this).

Called through this module only, by the "costs" hook (the consent app does not import the subsidies app):

`subsidy_estimate(project=..., total_cost=...)` → one offer, a dict:

- `{"amount": Decimal, "status": "approved"}` once the file is approved (the real amount, whatever the cost);
- `{"amount": Decimal, "status": "estimated", "reason": str}` before that, worked out under the applicable
  policy from `total_cost` when given (the total of the cost-sharing scheme being computed), else from the
  file's audited or estimated cost, else the project's;
- `{"amount": None, "status": "unavailable", "reason": str}` when no estimate can be made (no policy applies,
  the project is recorded as not eligible, it does not meet the policy's conditions, or the policy pays a
  share of a cost nobody has given), with the reason in plain words.

`subsidy_for_project(project=..., total_cost=...)` → the same offers as before this distinction: the offer
without its reason, or `[]` when no estimate can be made (ask `subsidy_estimate` why).

`approved_subsidy_for_project(project=...)` → the approved offer alone, or `[]` (no estimate worked out).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from jiati.core.money import FEN
from jiati.core.prepared import PreparedQuery
from jiati.subsidies import rules
from jiati.subsidies.models import Status, SubsidyApplication

UNAVAILABLE = "unavailable"


def _unavailable(reason: str) -> list[dict]:
    return [{"amount": None, "status": UNAVAILABLE, "reason": reason}]


def _scheme_cost(total_cost) -> Decimal | None:
    if total_cost in (None, ""):
        return None
    try:
        cost = Decimal(str(total_cost)).quantize(FEN)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return cost if cost > 0 else None


def subsidy_for_project(*, project, total_cost=None) -> list[dict]:
    """[{"amount", "status"}] — the approved amount or the estimate (see `subsidy_estimate`) — or [] when no
    estimate can be made."""
    return [
        {"amount": offer["amount"], "status": offer["status"]}
        for offer in subsidy_estimate(project=project, total_cost=total_cost)
        if offer["amount"] is not None
    ]


def approved_subsidy_for_project(*, project) -> list[dict]:
    """The approved amount alone, as `subsidy_for_project` gives it (`[{"amount", "status": "approved"}]`), or []
    before approval: one query, for a reader that only compares with what was approved (the consent panel asked
    for the whole estimate, policy choice included, and dropped it: six queries on every project page)."""
    found = _APPROVED.fetch(project.pk)
    return [{"amount": found[0].approved_amount, "status": "approved"}] if found else []


# Compiled once per process (`core.prepared`): the project page's consent panel asks on every view (issue 18).
_APPROVED = PreparedQuery(
    SubsidyApplication,
    lambda project_pk: (
        SubsidyApplication.objects.filter(project_id=project_pk, status__in=(Status.APPROVED, Status.PAID))
        .only("approved_amount")
        .order_by(*SubsidyApplication._meta.ordering)[:1]
    ),
    kinds=(int,),
    server_prepared=True,
)


def subsidy_estimate(*, project, total_cost=None) -> list[dict]:
    """The approved amount once approved; before that an estimate under the applicable policy (the one its file
    was drafted under, else the one its dates choose) for the scheme's `total_cost` (else the known cost) and
    the stairwell's storeys and stops; or, when none can be made, why not."""
    scheme_cost = _scheme_cost(total_cost)
    application = (
        SubsidyApplication.objects.filter(project=project)
        .select_related("policy")
        .prefetch_related("extras__extra")
        .first()
    )
    if application is not None:
        if application.status in (Status.APPROVED, Status.PAID):
            return [{"amount": application.approved_amount, "status": "approved"}]
        if application.status == Status.NOT_ELIGIBLE:
            return _unavailable(
                _("The project is recorded as not eligible for a subsidy: %(reason)s")
                % {"reason": application.not_eligible_reason}
            )
        if application.policy is None:
            return _unavailable(rules.basis_text(application.policy_basis, None) or _("No subsidy policy applies."))
        cost, audited = rules.cost_for(application)
        if scheme_cost is not None:
            cost, audited = scheme_cost, False
        calculation = rules.calculate(
            application.policy,
            storeys=application.storeys,
            stops=application.stops,
            cost=cost,
            cost_is_audited=audited,
            extras={e.extra: e.amount for e in application.extras.all()},
        )
        return _estimate(calculation, application.policy, scheme_cost is not None)
    choice = rules.choose_policy(project)
    if choice.policy is None:
        return _unavailable(rules.basis_text(choice.as_json(), None))
    cost = scheme_cost
    if cost is None:
        cost = project.estimated_cost
    if cost is None:
        review = project.contract_reviews.filter(contract_amount__isnull=False).order_by("-reviewed_on", "-id").first()
        cost = review.contract_amount if review else None
    calculation = rules.calculate(choice.policy, storeys=rules.storeys_of(project), cost=cost)
    return _estimate(calculation, choice.policy, scheme_cost is not None)


def _estimate(calculation: rules.Calculation, policy, from_scheme: bool) -> list[dict]:
    if calculation.unmet:
        return _unavailable(" ".join(rules.unmet_text(item) for item in calculation.unmet))
    if calculation.cost_missing:
        return _unavailable(
            _("“%(policy)s” pays a share of the cost, and no cost is known yet: enter the total cost.")
            % {"policy": policy.name}
        )
    if calculation.total <= Decimal("0"):
        return _unavailable(_("“%(policy)s” pays nothing for this project.") % {"policy": policy.name})
    reason = (
        _("Estimated under “%(policy)s” for this scheme's total cost.")
        if from_scheme
        else _("Estimated under “%(policy)s” from the project's cost estimate.")
    ) % {"policy": policy.name}
    return [{"amount": calculation.total, "status": "estimated", "reason": reason}]
