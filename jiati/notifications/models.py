"""Notifications: an in-app inbox always, plus the channels a deployment enables (email, SMS, WeCom)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import Reach, ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    # A notification is its recipient's alone.
    reach = Reach(also=lambda user: Q(recipient=user))

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # What the system wrote, as msgid + values ({"title": …, "body": …}; core.stored_text), shown in the reader's
    # language; `title` and `body` keep the text as first written, for search and for rows written before.
    texts = models.JSONField(_("stored texts"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Stops the same reminder going out twice (e.g. "project 12 overdue in stage vote").
    dedupe_key = models.CharField(_("deduplication key"), max_length=120, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_dedupe"
            )
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        from jiati.core.stored_text import reading_of, render

        return render(self.texts.get("title"), reading_of(self)) or self.title

    @property
    def shown_body(self) -> str:
        from jiati.core.stored_text import reading_of, render

        return render(self.texts.get("body"), reading_of(self)) or self.body


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Claimed by a worker that is calling the channel now (committed before the call, with the time of the claim).
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    # The worker died between calling the channel and recording the answer, on a channel that cannot deduplicate:
    # the message may have gone out, so it is not sent again by itself (a platform administrator may resend it).
    UNCONFIRMED = "unconfirmed", _("May have been sent")
    FAILED = "failed", _("Failed")


OPEN_DELIVERY_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# Ended without a confirmed send: listed for the platform administrator, who may send them again on purpose.
UNDELIVERED_STATUSES = (DeliveryStatus.UNCONFIRMED, DeliveryStatus.FAILED)


class DeliveryChannel(models.TextChoices):
    """The outside channels (`channels.CHANNELS`); a deployment enables some with JIATI_NOTIFICATION_CHANNELS."""

    CONSOLE = "console", _("Server log")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    WECOM = "wecom", _("WeCom")


class Delivery(models.Model):
    """Carrying a notification over one outside channel: pending → sending (claimed) → sent, or → retrying (a few
    times, waiting longer each time) → sending → sent or failed. A recipient without an address on the channel fails
    at once. A delivery left in sending by a dead worker is sent again with the same key on a channel that
    deduplicates, else it becomes unconfirmed (at most once; `services.delivery_attempt`)."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=DeliveryChannel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # The idempotency key handed to the channel with every attempt (the SMS gateway's Idempotency-Key, the e-mail's
    # Message-ID): a gateway that deduplicates on it sends a re-tried message once. New only for a deliberate resend.
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    # When the current attempt was claimed (status sending): a young claim belongs to a live worker.
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.notification_id} via {self.channel}"
