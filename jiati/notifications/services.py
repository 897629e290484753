"""Telling people: `notify` writes the inbox rows and queues the outside channels after the commit;
`delivery_attempt` carries one delivery, retrying a failed one a few times with a growing wait."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiati.core.stored_text import Message, as_stored
from jiati.notifications.channels import CHANNELS, ChannelUnavailable
from jiati.notifications.models import OPEN_DELIVERY_STATUSES, Delivery, DeliveryStatus, Notification
from jiati.notifications.tasks import deliver

logger = logging.getLogger("jiati.notifications")

# Attempts per delivery, and the wait before each retry: 1, 4, 16, 64 minutes.
MAX_ATTEMPTS = 5
FIRST_RETRY_AFTER = timedelta(minutes=1)
RETRY_BACKOFF_FACTOR = 4


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str | Message,
    body: str | Message = "",
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each recipient once (a repeated `dedupe_key` for the same recipient is skipped).

    A `title`/`body` written by the system is a `core.stored_text.Message`: stored as msgid + values, each reader
    reads it in his own language (a string is stored and shown as it is).
    """
    title_text, title_stored = as_stored(title)
    body_text, body_stored = as_stored(body)
    texts = {key: value for key, value in (("title", title_stored), ("body", body_stored)) if value}
    created = []
    for recipient in {r.pk: r for r in recipients if r is not None}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    title=title_text[:200],
                    body=body_text,
                    texts=texts,
                    url=url,
                    dedupe_key=dedupe_key[:120],
                )
        except IntegrityError:
            continue  # already told
        created.append(notification)
        for channel in settings.JIATI_NOTIFICATION_CHANNELS:
            delivery = Delivery.objects.create(notification=notification, channel=channel)
            transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return created


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:

    task = deliver.using(run_after=run_after) if run_after is not None else deliver
    task.enqueue(delivery_id)


def retry_wait(*, attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return FIRST_RETRY_AFTER * RETRY_BACKOFF_FACTOR ** max(attempts - 1, 0)


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one open delivery that is due; returns it as it ends up, or None if there was nothing to do.

    The attempt is claimed by bumping the counter where it still has the value read, so two workers (a deferred
    retry and the sweep) never send the same delivery twice. The channel is called outside any transaction.
    """

    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("notification__recipient")
        .filter(pk=delivery_id, status__in=OPEN_DELIVERY_STATUSES)
        .first()
    )
    if delivery is None or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now):
        return None
    claimed = Delivery.objects.filter(
        pk=delivery.pk, status__in=OPEN_DELIVERY_STATUSES, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=None)
    if not claimed:
        return None
    delivery.attempts, delivery.next_attempt_at = delivery.attempts + 1, None
    note = delivery.notification
    retry_at = None
    try:
        CHANNELS[delivery.channel].send(
            recipient=note.recipient, title=note.shown_title, body=note.shown_body, url=note.url
        )
    except ChannelUnavailable as exc:  # no address on this channel: retrying will not help
        delivery.status, delivery.error = DeliveryStatus.FAILED, str(exc)[:300]
    except Exception as exc:  # a gateway outage must not lose the inbox copy
        delivery.error = f"{exc.__class__.__name__}: {exc}"[:300]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            logger.warning(
                "delivery %s over %s failed for good after %s attempts: %s",
                delivery.pk,
                delivery.channel,
                delivery.attempts,
                exc,
            )
        else:
            retry_at = now + retry_wait(attempts=delivery.attempts)
            delivery.status, delivery.next_attempt_at = DeliveryStatus.RETRYING, retry_at
            logger.info(
                "delivery %s over %s failed (attempt %s), retrying at %s: %s",
                delivery.pk,
                delivery.channel,
                delivery.attempts,
                retry_at.isoformat(),
                exc,
            )
    else:
        delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, timezone.now(), ""
    delivery.save(update_fields=["status", "error", "sent_at", "next_attempt_at"])
    if retry_at is not None:
        _schedule_retry(delivery.pk, retry_at)
    return delivery


def _schedule_retry(delivery_id: int, when: datetime) -> None:
    """Queue the retry for its time where the task backend can defer (the database and RQ workers do); otherwise
    `deliveries_retry_due` (run from `run_daily`, or more often from cron) picks it up."""

    if deliver.get_backend().supports_defer:
        transaction.on_commit(lambda: _enqueue(delivery_id, run_after=when))


def deliveries_retry_due(*, now: datetime | None = None) -> int:
    """Queue every open delivery that is due (a safety net for retries the task backend could not defer)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now).values_list("pk", flat=True)
    )
    for pk in due:
        _enqueue(pk)
    return len(due)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
