"""Who may do what with subsidies (what they may see is each model's `visible_to`)."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import has_role, sees_personal_data
from jiati.subsidies.models import Status

# The district office defines the policies; district finance sets the budgets and pays.
POLICY_EDITORS = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
BUDGET_EDITORS = frozenset({Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN})
PAYERS = frozenset({Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN})
# Staff at the service window prepare and submit the file for the lead owner or the implementing body.
APPLICATION_EDITORS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
# Who decides at each review step. The district office oversees (sees everything, reminds, records
# "not eligible") but the money is approved by district finance.
STEP_REVIEWERS: dict[str, frozenset[str]] = {
    Status.COMMUNITY: frozenset({Role.COMMUNITY, Role.PLATFORM_ADMIN}),
    Status.SUBDISTRICT: frozenset({Role.SUBDISTRICT, Role.PLATFORM_ADMIN}),
    Status.DISTRICT: frozenset({Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN}),
}
ELIGIBILITY_JUDGES = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN})
REMINDERS = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.SUBDISTRICT, Role.PLATFORM_ADMIN})
OVERSEERS = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN})


def can_edit_policies(user) -> bool:
    return has_role(user, POLICY_EDITORS)


def can_set_budgets(user) -> bool:
    return has_role(user, BUDGET_EDITORS)


def can_pay(user) -> bool:
    return has_role(user, PAYERS)


def can_prepare(user) -> bool:
    return has_role(user, APPLICATION_EDITORS)


def is_lead_owner(user, application) -> bool:
    """The resident whose owner record is the project's lead owner: he applies for the owners on the portal
    (fills the payee, uploads the documents, submits). Nobody else's file."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.RESIDENT
        and user.owner_id
        and application.project.lead_owner_id == user.owner_id
    )


def can_prepare_file(user, application) -> bool:
    """Window staff for any file they see; the lead owner for his project's file."""
    return can_prepare(user) or is_lead_owner(user, application)


def can_review(user, step: str) -> bool:
    return step in STEP_REVIEWERS and has_role(user, STEP_REVIEWERS[step])


def can_judge_eligibility(user) -> bool:
    return has_role(user, ELIGIBILITY_JUDGES)


def can_remind(user) -> bool:
    return has_role(user, REMINDERS)


def can_oversee(user) -> bool:
    return has_role(user, OVERSEERS)


def sees_bank_details(user) -> bool:
    return sees_personal_data(user, "bank_account")
