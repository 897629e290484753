"""Service windows (加梯办事窗口): bookable time slots, residents' bookings, and the consultation log.

The windows themselves are `organisation.ServiceWindow`; this app adds what happens at them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiati.accounts.scoping import Reach, ScopedQuerySet, area_q


class Topic(models.TextChoices):
    POLICY = "policy", _("Policy")
    COST = "cost", _("Cost sharing")
    SUBSIDY = "subsidy", _("Subsidy")
    DISPUTE = "dispute", _("Dispute between owners")
    PROGRESS = "progress", _("Progress of a project")
    CONSTRUCTION = "construction", _("Construction and safety")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")


class VisitorKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    VISITOR = "visitor", _("Other visitor")


def window_scope(user, prefix: str = "") -> Q:
    return area_q(user, region_path=f"{prefix}community__path", property_office=f"{prefix}property_office")


class WindowSlotQuerySet(ScopedQuerySet):
    reach = Reach(region="window__community__path", property_office="window__property_office")

    def bookable(self) -> WindowSlotQuerySet:
        """Open slots still to come at open windows, with a free place."""
        return self.filter(
            is_cancelled=False, starts_at__gt=timezone.now(), booked__lt=F("capacity"), window__is_active=True
        )


class WindowSlot(models.Model):
    """A time at a window that residents can book, with a number of places."""

    window = models.ForeignKey(
        "organisation.ServiceWindow", verbose_name=_("service window"), on_delete=models.PROTECT, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    # Live bookings, kept by the booking services with a conditional UPDATE (never read-decide-write).
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("slot", "opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WindowSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking slot")
        verbose_name_plural = _("booking slots")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(name="slot_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name="slot_capacity_positive", condition=Q(capacity__gte=1)),
            # The backstop for capacity: no interleaving of requests can overbook a slot.
            models.CheckConstraint(name="slot_not_overbooked", condition=Q(booked__lte=F("capacity"))),
        ]
        indexes = [models.Index(fields=["window", "starts_at"], name="slot_window_start")]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{self.window} {start:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Came")
    NO_SHOW = "no_show", _("Did not come")


class BookingQuerySet(ScopedQuerySet):
    reach = Reach(region="window__community__path", property_office="window__property_office", resident="owner_id")

    def live(self) -> BookingQuerySet:
        return self.filter(status=BookingStatus.BOOKED)


class Booking(models.Model):
    """A resident's booked place in a slot: confirmed and reminded by text message."""

    slot = models.ForeignKey(WindowSlot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="bookings")
    window = models.ForeignKey(
        "organisation.ServiceWindow", verbose_name=_("service window"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "housing.Owner",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="window_bookings",
    )
    reference = models.CharField(_("booking number"), max_length=16, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, default=Topic.POLICY)
    note = models.CharField(_("what you would like to ask"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-id"]
        constraints = [
            # A double click or a second tab books one place, not two.
            models.UniqueConstraint(
                fields=["slot", "owner"],
                condition=Q(status="booked", owner__isnull=False),
                name="booking_one_live_per_owner_and_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="booking_owner_status"),
            models.Index(fields=["window", "-id"], name="booking_window"),
        ]

    def __str__(self) -> str:
        return self.reference


class ConsultationRecordQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="property_office")

    def follow_up_open(self) -> ConsultationRecordQuerySet:
        return self.filter(follow_up_needed=True, follow_up_done_at__isnull=True)

    def follow_up_overdue(self) -> ConsultationRecordQuerySet:
        return self.follow_up_open().filter(follow_up_due__lt=timezone.localdate())


class ConsultationRecord(models.Model):
    """One consultation at a window, by phone or online: who asked what, and what they were told."""

    window = models.ForeignKey(
        "organisation.ServiceWindow",
        verbose_name=_("service window"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    property_office = models.ForeignKey(
        "organisation.PropertyOffice",
        verbose_name=_("property office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    estate = models.ForeignKey(
        "housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stairwell = models.ForeignKey(
        "housing.Stairwell",
        verbose_name=_("stairwell"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    visitor_kind = models.CharField(
        _("who asked"), max_length=10, choices=VisitorKind.choices, default=VisitorKind.OWNER
    )
    owner = models.ForeignKey(
        "housing.Owner", verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visitor_name = models.CharField(pgettext_lazy("person", "name"), max_length=120, blank=True)
    visitor_phone = models.CharField(_("phone"), max_length=20, blank=True)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WALK_IN)
    question = models.TextField(_("question"), blank=True)
    answer = models.TextField(_("answer given"))
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_follow_ups",
    )
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)
    follow_up_result = models.TextField(_("follow-up result"), blank=True)
    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    consulted_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = ConsultationRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                name="consultation_follow_up_has_owner_and_due",
                condition=Q(follow_up_needed=False) | Q(follow_up_by__isnull=False, follow_up_due__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "-id"], name="consultation_community"),
            models.Index(fields=["follow_up_by", "follow_up_done_at"], name="consultation_follow_up"),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {timezone.localtime(self.consulted_at):%Y-%m-%d %H:%M}"

    @property
    def follow_up_overdue(self) -> bool:
        return bool(
            self.follow_up_needed
            and self.follow_up_done_at is None
            and self.follow_up_due
            and self.follow_up_due < timezone.localdate()
        )
