"""Petitions (信访) and complaints about a retrofit: routed to the group answering for the estate,
answered within the deadlines of the national petition rules (by default 15 days to decide on
acceptance, 60 days to resolve, one extension of at most 30 days), escalated when overdue.

`PetitionEvent` is the handling history: rows are only ever added.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiati.accounts.models import Role
from jiati.accounts.scoping import Reach, ScopedQuerySet
from jiati.core.append_only import AppendOnlyModel, AppendOnlyQuerySet


class PetitionChannel(models.TextChoices):
    WINDOW = "window", _("Service window")
    PORTAL = "portal", _("Resident portal")
    PHONE = "phone", _("Phone line")
    LETTER = "letter", _("Letter")


class ReplyMethod(models.TextChoices):
    PHONE = "phone", _("By phone and text message")
    LETTER = "letter", _("By letter")
    PORTAL = "portal", _("On the resident portal")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Received, acceptance to decide")
    ACCEPTED = "accepted", _("Accepted, being handled")
    DECLINED = "declined", _("Not accepted")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", pgettext_lazy("petition", "Closed")


OPEN_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.ACCEPTED)


class PetitionLevel(models.TextChoices):
    """Who answers for the petition now; escalation moves it one level up."""

    COMMUNITY = "community", _("Community")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    DISTRICT = "district", _("District office")


LEVEL_ORDER = [PetitionLevel.COMMUNITY, PetitionLevel.SUBDISTRICT, PetitionLevel.DISTRICT]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class PetitionSettings(models.Model):
    """The deadlines petitions are handled by (the district office's setting).

    Defaults follow the national petition rules (信访工作条例, 2022): decide on acceptance within 15 days
    of receipt, resolve within 60 days of acceptance, extend once by at most 30 days (once in the petition's
    lifetime: reopening does not grant another). Calendar days unless `working_days` is set.

    Escalation: the next level up gets a fresh deadline from the day it receives the petition —
    `escalation_resolve_days` (default 30) to resolve an accepted petition, or `accept_days` to decide on
    acceptance if that was still open — recorded in the handling history with the deadline it replaces.
    """

    accept_days = models.PositiveSmallIntegerField(_("days to decide on acceptance"), default=15)
    resolve_days = models.PositiveSmallIntegerField(_("days to resolve after acceptance"), default=60)
    max_extension_days = models.PositiveSmallIntegerField(_("longest extension (days)"), default=30)
    working_days = models.BooleanField(_("count working days"), default=False)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("days an escalated petition has before it escalates again"), default=7
    )
    remind_days_before = models.PositiveSmallIntegerField(_("remind the handler this many days before"), default=3)
    escalation_resolve_days = models.PositiveSmallIntegerField(
        _("days the next level has to resolve an escalated petition"), default=30
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("petition deadlines")
        verbose_name_plural = _("petition deadlines")
        constraints = [
            models.CheckConstraint(
                name="petition_settings_positive",
                condition=Q(accept_days__gte=1, resolve_days__gte=1, escalation_resolve_days__gte=1),
            )
        ]

    def __str__(self) -> str:
        return f"{self.accept_days}/{self.resolve_days}/{self.max_extension_days}"

    @classmethod
    def current(cls) -> PetitionSettings:
        """The saved settings, or the defaults when nobody has changed them."""
        return cls.objects.order_by("id").first() or cls()


class PetitionQuerySet(ScopedQuerySet):
    # Staff: petitions about estates of their area (and those they handle). Residents: their own.
    reach = Reach(
        region="community__path",
        property_office="estate__property_office",
        resident="owner_id",
        also=lambda user: Q(handler=user) if user.role != Role.RESIDENT else Q(pk__in=[]),
    )

    def open(self) -> PetitionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None) -> PetitionQuerySet:
        """Open petitions past their current deadline (acceptance or resolution)."""
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Petition(models.Model):
    """A petition or complaint about a retrofit, from a window, the portal, the phone line or a letter."""

    reference = models.CharField(_("petition number"), max_length=20, unique=True)
    # The submitting form's one-time key: a double-clicked submission finds the petition it already made.
    idempotency_key = models.CharField(_("submission key"), max_length=64, blank=True)
    channel = models.CharField(_("received through"), max_length=10, choices=PetitionChannel.choices)
    petitioner_name = models.CharField(_("petitioner"), max_length=120)
    petitioner_phone = models.CharField(_("phone"), max_length=20, blank=True)
    petitioner_address = models.CharField(_("postal address"), max_length=255, blank=True)
    reply_method = models.CharField(_("reply"), max_length=10, choices=ReplyMethod.choices)
    owner = models.ForeignKey(
        "housing.Owner",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
    )
    estate = models.ForeignKey("housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
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
        related_name="petitions",
    )
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("what the petitioner asks"))
    status = models.CharField(
        _("status"), max_length=10, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED
    )
    level = models.CharField(
        _("handled at"), max_length=12, choices=PetitionLevel.choices, default=PetitionLevel.COMMUNITY
    )
    group = models.ForeignKey(
        "organisation.ServiceGroup",
        verbose_name=_("responsible group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions_handled",
    )
    received_on = models.DateField(pgettext_lazy("petition", "received"))
    accept_due = models.DateField(_("acceptance due"))
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)
    resolve_due = models.DateField(_("resolution due"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extended by (days)"), default=0)
    # The deadline that applies now (acceptance, then resolution); empty once answered. Lists filter on it.
    due_date = models.DateField(_("due"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for not accepting"), blank=True)
    reply = models.TextField(_("reply to the petitioner"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    satisfaction = models.CharField(
        _("petitioner's satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    closed_at = models.DateTimeField(pgettext_lazy("petition", "closed"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    reminded_for = models.DateField(_("reminder sent for deadline"), null=True, blank=True)
    # A petitioner reachable only by post is told by letter (receipt, then acceptance): a task for the staff
    # until they record the letter as posted.
    letter_due = models.BooleanField(_("letter to post"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="petition_unique_submission"
            ),
            models.CheckConstraint(
                name="petition_has_a_way_to_reply",
                condition=~Q(petitioner_phone="") | ~Q(petitioner_address="") | Q(owner__isnull=False),
            ),
            models.CheckConstraint(
                name="petition_open_has_deadline",
                condition=~Q(status__in=["received", "accepted"]) | Q(due_date__isnull=False),
            ),
            models.CheckConstraint(
                name="petition_accepted_has_dates",
                condition=~Q(status="accepted") | Q(accepted_on__isnull=False, resolve_due__isnull=False),
            ),
            models.CheckConstraint(
                name="petition_closed_has_time", condition=~Q(status="closed") | Q(closed_at__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["community", "-id"], name="petition_community"),
            models.Index(fields=["handler", "status", "due_date"], name="petition_handler_open"),
            models.Index(fields=["status", "due_date"], name="petition_status_due"),
            models.Index(fields=["community"], condition=Q(letter_due=True), name="petition_letter_due"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_overdue(self, today=None) -> int:
        today = today or timezone.localdate()
        if not self.is_open or self.due_date is None or self.due_date >= today:
            return 0
        return (today - self.due_date).days

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    @property
    def only_by_post(self) -> bool:
        """No phone for a text message and no portal account to read it on: notices go by letter."""
        return not self.petitioner_phone and self.reply_method != ReplyMethod.PORTAL


class PetitionEventKind(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("petition event", "Received")
    ROUTED = "routed", _("Routed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not accepted")
    NOTE = "note", _("Handling note")
    EXTENDED = "extended", _("Deadline extended")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", pgettext_lazy("petition", "Closed")
    REOPENED = "reopened", pgettext_lazy("petition", "Reopened")
    ESCALATED = "escalated", _("Escalated")
    REASSIGNED = "reassigned", _("Handler changed")
    REMINDED = "reminded", _("Reminder sent")
    LETTER_DUE = "letter_due", _("Letter to post")
    LETTER_SENT = "letter_sent", _("Letter posted")


class PetitionEvent(AppendOnlyModel, models.Model):
    """One step in a petition's handling: its history and audit trail, only ever added to."""

    append_only_refusal = "Petition history is append-only."

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=PetitionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    message = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition history entry")
        verbose_name_plural = _("petition history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["petition", "at"], name="petition_event_history")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind}"

    @property
    def text(self) -> str:
        """The entry's sentence in the reader's language (what the system wrote is stored as msgid + values,
        `core.stored_text`), or the note as a person typed it."""
        from jiati.core.stored_text import reading_of, render

        return render((self.data or {}).get("text"), reading_of(self)) or self.message
