"""Tasks for the killed-worker tests only (a worker process imports them by their path)."""

from __future__ import annotations

import os
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


class SmsGatewayThatHangs:
    """An SMS sender (JIATI_SMS_SENDER) for the killed-worker test of notification delivery: it accepts each message
    — one line, its idempotency key, in the file at JIATI_TEST_SMS_LEDGER — and hangs after the first until the test
    kills its worker, so the worker dies after the gateway took the message and before the delivery was recorded.
    Like most gateways it cannot deduplicate."""

    idempotent = False

    def send(self, *, phone: str, text: str, key: str = "") -> None:
        ledger = Path(os.environ["JIATI_TEST_SMS_LEDGER"])
        first = not ledger.exists()
        with ledger.open("a") as out:
            out.write(f"{key}\n")
        if first:
            time.sleep(120)
