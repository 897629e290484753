"""Tasks for the killed-worker tests only (a worker process imports them by their path)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def pays_once(ledger: str) -> None:
    """Stands for a task that moves money: it declares no re-run. Writes one line (the payment) to `ledger`, then
    works on until the test kills its worker."""
    with Path(ledger).open("a") as out:
        out.write("paid\n")
    time.sleep(120)
