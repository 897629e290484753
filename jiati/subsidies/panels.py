"""The subsidy card on a project's page: its file (status, amounts, what is missing) or, before eligibility,
the estimate under the policy its dates choose."""

from __future__ import annotations

from jiati.accounts.scoping import is_staff
from jiati.subsidies import rules, selectors
from jiati.subsidies.models import NOT_APPLIED


def project_panels(*, request, project) -> list[dict]:
    user = request.user
    if not is_staff(user):
        return []
    application = selectors.project_application(user=user, project=project)
    if application is not None:
        application.project = project  # the page's, with its community and subdistrict: not joined again
    panel = {"order": 30, "template": "subsidies/_project_panel.html", "application": application}
    if application is not None:
        panel["basis"] = rules.basis_text(application.policy_basis, application.policy)
        panel["holder"] = selectors.holder_label(application)
        panel["days"] = selectors.days_waiting(application)
        panel["missing"] = rules.missing_documents(application) if application.status in NOT_APPLIED else []
        return [panel]
    choice = rules.choose_policy(project, extras=False)  # the estimate claims no extras: not read (issue 18)
    if choice.policy is None:
        panel["basis"] = rules.basis_text(choice.as_json(), None)
        return [panel]
    cost, _audited = rules.cost_for(project)
    panel["estimate"] = rules.calculate(choice.policy, storeys=rules.storeys_of(project), cost=cost)
    panel["basis"] = rules.basis_text(choice.as_json(), choice.policy)
    return [panel]
