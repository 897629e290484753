"""The daily sweep: alerts on overdue visits, due inspections and expired contracts; faults to escalate."""

from __future__ import annotations


def run_daily() -> dict[str, int]:
    from jiati.elevators.services import alerts_notify, faults_escalate

    return {"alerts_sent": alerts_notify(), "faults_escalated": faults_escalate()}
