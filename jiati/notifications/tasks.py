"""Background delivery of notifications over outside channels."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("jiati.notifications")


@task()
def deliver(delivery_id: int) -> None:
    from jiati.notifications.channels import CHANNELS, ChannelUnavailable
    from jiati.notifications.models import Delivery, DeliveryStatus

    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    if delivery.status == DeliveryStatus.SENT:
        return
    note = delivery.notification
    delivery.attempts += 1
    try:
        CHANNELS[delivery.channel].send(recipient=note.recipient, title=note.title, body=note.body, url=note.url)
    except ChannelUnavailable as exc:
        delivery.status, delivery.error = DeliveryStatus.FAILED, str(exc)[:300]
    except Exception as exc:  # a gateway outage must not lose the inbox copy
        logger.warning("delivery %s over %s failed: %s", delivery.pk, delivery.channel, exc)
        delivery.status, delivery.error = DeliveryStatus.FAILED, str(exc)[:300]
    else:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
    delivery.save()
