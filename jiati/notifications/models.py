"""Notifications: an in-app inbox always, plus the channels a deployment enables (email, SMS, WeCom)."""

from __future__ import annotations

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
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


OPEN_DELIVERY_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class DeliveryChannel(models.TextChoices):
    """The outside channels (`channels.CHANNELS`); a deployment enables some with JIATI_NOTIFICATION_CHANNELS."""

    CONSOLE = "console", _("Server log")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    WECOM = "wecom", _("WeCom")


class Delivery(models.Model):
    """Carrying a notification over one outside channel: pending → sent, or → retrying (a few times, waiting longer
    each time) → sent or failed. A recipient without an address on the channel fails at once."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=DeliveryChannel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
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
