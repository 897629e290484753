"""Writes on subsidies. Each service checks who may act, validates (naming the field, with a stable code),
locks the rows it decides on, appends the review / ledger / timeline rows, writes the audit trail and tells
the people who hold the file next.

Money: every amount passes `rules.money` (a number, not negative, to the fen). Approvals lock the budget
row, payments lock the application row; the database constraints are the backstop for both.

The services, one module per part of the work: `policies` (and budgets), `applications` (drafting to
submitting), `review`, `payments`, `reminders`; `common` holds what they share.
"""

from jiati.subsidies.services.applications import (
    REEVALUATED_WHY,
    application_document_add,
    application_draft,
    application_reevaluate,
    application_submit,
    application_update,
    applications_draft_missing,
    applications_reevaluate,
    on_enter_subsidy,
)
from jiati.subsidies.services.common import (
    APPLICATION_AUDIT_FIELDS,
    LEAD_OWNER_FIELDS,
    NEXT_STEP,
    NOTIFY_KIND,
    application_url,
    district_of,
)
from jiati.subsidies.services.payments import (
    payment_batch_create,
    payment_record,
    payment_reverse,
)
from jiati.subsidies.services.policies import (
    budget_set,
    policy_close,
    policy_create,
)
from jiati.subsidies.services.reminders import (
    DEADLINE_WARNING_DAYS,
    REMIND_AFTER_DAYS,
    reminders_send,
)
from jiati.subsidies.services.review import (
    application_approve,
    application_mark_not_eligible,
    application_review,
    budget_for,
)

__all__ = [
    "APPLICATION_AUDIT_FIELDS",
    "DEADLINE_WARNING_DAYS",
    "LEAD_OWNER_FIELDS",
    "NEXT_STEP",
    "NOTIFY_KIND",
    "REEVALUATED_WHY",
    "REMIND_AFTER_DAYS",
    "application_approve",
    "application_document_add",
    "application_draft",
    "application_mark_not_eligible",
    "application_reevaluate",
    "application_review",
    "application_submit",
    "application_update",
    "application_url",
    "applications_draft_missing",
    "applications_reevaluate",
    "budget_for",
    "budget_set",
    "district_of",
    "on_enter_subsidy",
    "payment_batch_create",
    "payment_record",
    "payment_reverse",
    "policy_close",
    "policy_create",
    "reminders_send",
]
