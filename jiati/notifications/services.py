"""Telling people: `notify` writes the inbox rows and queues the outside channels after the commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiati.notifications.models import Delivery, Notification


def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> list[Notification]:
    """Notify each recipient once (a repeated `dedupe_key` for the same recipient is skipped)."""
    created = []
    for recipient in {r.pk: r for r in recipients if r is not None}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient, kind=kind, title=title[:200], body=body, url=url, dedupe_key=dedupe_key[:120]
                )
        except IntegrityError:
            continue  # already told
        created.append(notification)
        for channel in settings.JIATI_NOTIFICATION_CHANNELS:
            delivery = Delivery.objects.create(notification=notification, channel=channel)
            transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return created


def _enqueue(delivery_id: int) -> None:
    from jiati.notifications.tasks import deliver

    deliver.enqueue(delivery_id)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
