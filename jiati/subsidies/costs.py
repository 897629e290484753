"""The subsidy a project can count on, for the consent app's cost sharing (owners pay the cost minus this).

Called through this module only (the consent app does not import the subsidies app's models):
`subsidy_for_project(project=...)` → [{"amount": Decimal, "status": "estimated" | "approved"}].
"""

from __future__ import annotations

from decimal import Decimal

from jiati.subsidies import rules
from jiati.subsidies.models import Status, SubsidyApplication


def subsidy_for_project(*, project) -> list[dict]:
    """The approved amount once approved; before that an estimate under the applicable policy (the one its
    file was drafted under, else the one its dates choose), from the audited or the estimated cost and the
    stairwell's storeys. Empty when no policy applies, the project is not eligible or the estimate is nothing."""
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
            return []
        calculation = rules.calculate_application(
            application, extras={e.extra: e.amount for e in application.extras.all()}
        )
        return _estimate(calculation)
    policy = rules.choose_policy(project).policy
    if policy is None:
        return []
    cost = project.estimated_cost
    if cost is None:
        review = project.contract_reviews.filter(contract_amount__isnull=False).order_by("-reviewed_on", "-id").first()
        cost = review.contract_amount if review else None
    calculation = rules.calculate(policy, storeys=rules.storeys_of(project), cost=cost)
    return _estimate(calculation)


def _estimate(calculation: rules.Calculation) -> list[dict]:
    if calculation.total <= Decimal("0"):
        return []
    return [{"amount": calculation.total, "status": "estimated"}]
