"""What becomes of a background task whose worker died under it (killed, out of memory, machine lost).

A task says so where it is defined:

    @rerun_if_interrupted(times=3)
    @task()
    def run_import_job(job_id): ...

A task that declares nothing is never run again by itself: it is marked failed (FAILED in the database queue, RQ's
failed-job registry) with the reason in the log, for staff to look at. That is the safe default for anything that
must not happen twice (a payment, a message to an outside system without its own guard). Only a task that checks
its own state before it acts (the housing import, the notification delivery) may declare a re-run.

The task backends read this: `jiati.ops.tasks_backend.RQBackend` gives RQ jobs a `Retry`, and the database worker's
sweep (`jiati.ops.worker_leases`) hands abandoned rows back to the queue or fails them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rerun:
    times: int  # runs after the first one, at most
    after_seconds: int = 0  # the wait before each re-run


_POLICIES: dict[str, Rerun] = {}


def rerun_if_interrupted(*, times: int, after_seconds: int = 0):
    """Declare that the task below may be run again (up to `times` more times) when its worker dies under it."""
    if times < 1:
        raise ValueError("times must be at least 1: a task that is not re-run declares nothing")

    def register(task):
        _POLICIES[task.module_path] = Rerun(times=times, after_seconds=after_seconds)
        return task

    return register


def rerun_policy(module_path: str) -> Rerun | None:
    """The task's declared re-run, or None: not run again, marked failed."""
    return _POLICIES.get(module_path)
