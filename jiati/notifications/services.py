"""Telling people: `notify` writes the inbox rows and queues the outside channels after the commit;
`delivery_attempt` carries one delivery, retrying a failed one a few times with a growing wait."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.scoping import sees_everything
from jiati.audit.services import audit_updated, snapshot
from jiati.core.errors import refuse
from jiati.core.services import lock_rows, require
from jiati.core.stored_text import Message, as_stored
from jiati.notifications.channels import CHANNELS, ChannelUnavailable, channel_is_idempotent
from jiati.notifications.models import (
    OPEN_DELIVERY_STATUSES,
    UNDELIVERED_STATUSES,
    Delivery,
    DeliveryStatus,
    Notification,
)
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


def claim_stale_after() -> timedelta:
    """How old a claim (status sending) must be before it is taken for a dead worker's: far longer than any channel
    call takes (the HTTP channels time out after 10 s), so a live worker's send is never taken over."""
    return timedelta(seconds=settings.JIATI_DELIVERY_CLAIM_STALE_SECONDS)


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one delivery that is due; returns it as it ends up, or None if there was nothing to do.

    The attempt is claimed before the channel is called: status sending, the time of the claim and the counter
    bumped where status and counter still have the values read (so two workers — a deferred retry and the sweep —
    never both send), committed at once: the claim is on the row before any message leaves. The channel is called
    outside any transaction, with the delivery's idempotency key.

    A delivery found in sending was claimed by a worker that may be alive (a young claim: left alone, looked at
    again when it is stale) or that died between calling the channel and recording the answer (a stale claim): the
    message may have left. A channel that deduplicates on the key is called again with the same key; any other
    channel's delivery becomes unconfirmed, logged, and is never sent again by itself (at most once; a platform
    administrator may resend it, `delivery_resend`).
    """

    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("notification__recipient")
        .filter(pk=delivery_id, status__in=(*OPEN_DELIVERY_STATUSES, DeliveryStatus.SENDING))
        .first()
    )
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.SENDING:
        stale_at = (delivery.claimed_at or now) + claim_stale_after()
        if stale_at > now:  # a live worker's, or one that died a moment ago: look again once it is stale
            _schedule_retry(delivery.pk, stale_at)
            return None
        if not channel_is_idempotent(delivery.channel) or delivery.attempts >= MAX_ATTEMPTS:
            return _unconfirmed(delivery)
        logger.info(
            "delivery %s over %s was claimed at %s by a worker that died; sending again with the same key",
            delivery.pk,
            delivery.channel,
            delivery.claimed_at.isoformat() if delivery.claimed_at else "?",
        )
    elif delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return None
    claimed = Delivery.objects.filter(pk=delivery.pk, status=delivery.status, attempts=delivery.attempts).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, next_attempt_at=None
    )
    if not claimed:
        return None
    delivery.status, delivery.claimed_at = DeliveryStatus.SENDING, now
    delivery.attempts, delivery.next_attempt_at = delivery.attempts + 1, None
    note = delivery.notification
    retry_at = None
    try:
        CHANNELS[delivery.channel].send(
            recipient=note.recipient, title=note.shown_title, body=note.shown_body, url=note.url, key=str(delivery.key)
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
    # Only over this worker's own claim: a claim taken over meanwhile (sent again with the same key) is the other
    # worker's to record. A claim taken for dead and marked unconfirmed while this worker was still sending gets
    # the answer this worker knows. The key is matched too: a resend on purpose starts the counter over with a new
    # key, so a new claim may have this one's counter.
    Delivery.objects.filter(
        pk=delivery.pk,
        status__in=(DeliveryStatus.SENDING, DeliveryStatus.UNCONFIRMED),
        attempts=delivery.attempts,
        key=delivery.key,
    ).update(
        status=delivery.status, error=delivery.error, sent_at=delivery.sent_at, next_attempt_at=delivery.next_attempt_at
    )
    if retry_at is not None:
        _schedule_retry(delivery.pk, retry_at)
    return delivery


def _unconfirmed(delivery: Delivery) -> Delivery | None:
    """A stale claim on a channel that cannot deduplicate (or out of attempts): may have been sent, never resent."""
    changed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts).update(
        status=DeliveryStatus.UNCONFIRMED,
        error="",  # the list words why, in the reader's language
    )
    if not changed:
        return None
    logger.warning(
        "delivery %s over %s (key %s) may have been sent: its worker died after claiming it at %s; not sent again",
        delivery.pk,
        delivery.channel,
        delivery.key,
        delivery.claimed_at.isoformat() if delivery.claimed_at else "?",
    )
    delivery.status, delivery.error = DeliveryStatus.UNCONFIRMED, ""
    return delivery


def _schedule_retry(delivery_id: int, when: datetime) -> None:
    """Queue the retry for its time where the task backend can defer (the database and RQ workers do); otherwise
    `deliveries_retry_due` (run from `run_daily`, or more often from cron) picks it up."""

    if deliver.get_backend().supports_defer:
        transaction.on_commit(lambda: _enqueue(delivery_id, run_after=when))


def deliveries_retry_due(*, now: datetime | None = None) -> int:
    """Queue every open delivery that is due (a safety net for retries the task backend could not defer), and every
    delivery whose claim is stale (its worker died in the send; the attempt decides: the same key again, or
    unconfirmed). A young claim belongs to a live worker and is left alone."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lte=now - claim_stale_after())
        ).values_list("pk", flat=True)
    )
    for pk in due:
        _enqueue(pk)
    return len(due)


def delivery_resend(*, actor, delivery_id: int) -> Delivery:
    """A platform administrator sends an unconfirmed or failed delivery again, on purpose (audited): it is open
    again with a new idempotency key — a deliberate second message, which a deduplicating gateway must not drop —
    and its attempts start over. The inbox copy was never touched."""
    require(sees_everything(actor))
    with transaction.atomic():
        delivery = lock_rows(Delivery.objects.all(), pks=delivery_id)
        if delivery.status not in UNDELIVERED_STATUSES:
            raise refuse(
                _("Only a delivery that failed or may have been sent can be sent again."), code="not_undelivered"
            )
        before = snapshot(delivery)
        delivery.status, delivery.attempts, delivery.error = DeliveryStatus.PENDING, 0, ""
        delivery.next_attempt_at = delivery.claimed_at = None
        delivery.key = uuid.uuid4()
        delivery.save(update_fields=["status", "attempts", "error", "next_attempt_at", "claimed_at", "key"])
        audit_updated(actor=actor, instance=delivery, before=before, message="delivery sent again on purpose")
        transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
