"""The projects app's daily sweep: tell responsible people about projects that went overdue."""

from jiati.projects.schedule import overdue_sweep


def run_daily() -> dict[str, int]:
    return {"overdue_notified": overdue_sweep()}
