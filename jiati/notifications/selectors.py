"""Reads of notifications beyond one inbox."""

from __future__ import annotations

from jiati.accounts.scoping import sees_everything
from jiati.core import stored_text
from jiati.notifications.models import UNDELIVERED_STATUSES, Delivery


def undelivered_deliveries(*, user, limit: int = 200) -> list[Delivery]:
    """For the platform administrator: the latest deliveries that failed or may have been sent (their worker died
    in the send on a channel that cannot deduplicate), newest first; nobody else sees other people's deliveries."""
    if not sees_everything(user):
        return []
    deliveries = list(
        Delivery.objects.filter(status__in=UNDELIVERED_STATUSES)
        .select_related("notification__recipient")
        .order_by("-id")[:limit]
    )
    # The notifications' titles: what their values name read once for the list (core.stored_text.prepare).
    stored_text.prepare([d.notification for d in deliveries], lambda note: note.texts.get("title"))
    return deliveries
