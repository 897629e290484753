"""The daily sweep (`manage.py run_daily` calls every app's `run_daily`): 应发尽发 — nothing due is forgotten."""

from __future__ import annotations

from jiati.subsidies import services


def run_daily() -> dict[str, int]:
    """Draft the file of any eligible project that has none; let files not yet submitted pick up the policy their
    dates now choose (one defined since they were drafted); then remind whoever holds each waiting file (at most
    once a week per file and status; deadlines within two weeks are flagged)."""
    drafted = services.applications_draft_missing()
    reevaluated = services.applications_reevaluate()
    reminded = services.reminders_send()
    return {
        "subsidy_applications_drafted": drafted,
        "subsidy_policies_reevaluated": reevaluated,
        "subsidy_reminders_sent": reminded,
    }
