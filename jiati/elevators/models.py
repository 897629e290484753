"""Every elevator's life in service (domain.md §6): its record, maintenance visits, periodic inspections,
fault reports from the car, and the stairwell's running costs shared among the dwellings.

An `Elevator` is created when its project enters service. Its public page is reached by a QR code in the car
through a random `public_token` (never the id). A `FaultReport` moves reported → acknowledged → arrived →
closed, each step an append-only `FaultEvent`; unacknowledged reports escalate to the community, then the
district. Running costs are shared per year by the owners' agreed scheme to the fen.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import area_q


def new_token() -> str:
    return secrets.token_urlsafe(16)


class ElevatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> ElevatorQuerySet:
        """Staff: elevators in their area. Maintainers: those they maintain (now). Construction companies: those
        they installed. Residents: the elevator of a stairwell where they own a dwelling."""
        from jiati.accounts.models import Role

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role == Role.MAINTAINER:
            return self.filter(maintainer_id=user.company_id) if user.company_id else self.none()
        if user.role == Role.CONTRACTOR:
            return self.filter(installer_id=user.company_id) if user.company_id else self.none()
        if user.role == Role.RESIDENT:
            if not user.owner_id:
                return self.none()
            from jiati.housing.models import Ownership

            return self.filter(
                stairwell_id__in=Ownership.objects.filter(owner_id=user.owner_id).values("dwelling__stairwell_id")
            )
        return self.filter(area_q(user, region_path="community__path", property_office="estate__property_office"))


class Payer(models.TextChoices):
    OWNERS = "owners", _("The stairwell's owners")
    MAKER = "maker", _("The maker (free maintenance)")
    OTHER = "other", _("Other")


class ElevatorStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")


class Elevator(models.Model):
    """One elevator in service: its registration, its makers and carers, its contract and inspection dates."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevator",
    )
    stairwell = models.ForeignKey(
        "housing.Stairwell", verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="elevators"
    )
    estate = models.ForeignKey("housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    equipment_code = models.CharField(_("equipment code"), max_length=20, blank=True)
    registration_number = models.CharField(_("registration certificate number"), max_length=60, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    maker = models.ForeignKey(
        "companies.Company",
        verbose_name=_("maker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevators_made",
    )
    model_name = models.CharField(_("model"), max_length=80, blank=True)
    rated_load_kg = models.PositiveIntegerField(_("rated load (kg)"), null=True, blank=True)
    speed = models.DecimalField(_("rated speed (m/s)"), max_digits=4, decimal_places=2, null=True, blank=True)
    stops = models.PositiveSmallIntegerField(_("stops"), null=True, blank=True)
    installer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("installer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevators_installed",
    )
    maintainer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("maintainer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevators_maintained",
    )
    contract_start = models.DateField(_("maintenance contract from"), null=True, blank=True)
    contract_end = models.DateField(_("maintenance contract until"), null=True, blank=True)
    contract_fee = models.DecimalField(
        _("maintenance fee per year (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_payer = models.CharField(_("who pays"), max_length=10, choices=Payer.choices, default=Payer.OWNERS)
    free_maintenance_until = models.DateField(_("free maintenance until"), null=True, blank=True)
    takeover_maintainer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("maintainer after the free period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevators_taken_over",
    )
    in_service_since = models.DateField(_("in service since"), default=timezone.localdate)
    last_visit_on = models.DateField(_("last maintenance visit"), null=True, blank=True)
    next_inspection_due = models.DateField(_("next periodic inspection due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ElevatorStatus.choices, default=ElevatorStatus.IN_SERVICE
    )
    public_token = models.CharField(_("QR code token"), max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ElevatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("elevator")
        verbose_name_plural = _("elevators")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment_code"], condition=~Q(equipment_code=""), name="elevator_unique_equipment_code"
            ),
            models.CheckConstraint(
                name="elevator_contract_dates",
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "-id"], name="elevator_community"),
            models.Index(fields=["maintainer", "-id"], name="elevator_maintainer"),
        ]

    def __str__(self) -> str:
        return self.equipment_code or f"#{self.pk}"

    @property
    def place(self) -> str:
        return f"{self.estate.name} {self.stairwell.building.number}{self.stairwell.number}"


class MaintenanceVisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> MaintenanceVisitQuerySet:
        return self.filter(elevator__in=Elevator.objects.visible_to(user).values("pk"))


class MaintenanceVisit(models.Model):
    """A maintenance visit (维保) recorded by the maintainer on site; `days_late` is measured against the
    interval in force when it was recorded (0: on time)."""

    elevator = models.ForeignKey(Elevator, verbose_name=_("elevator"), on_delete=models.CASCADE, related_name="visits")
    maintainer = models.ForeignKey(
        "companies.Company", verbose_name=_("maintainer"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("date of visit"))
    items = models.TextField(_("items done"))
    photo = models.ImageField(_("photo"), upload_to="elevators/visits/%Y/%m/", blank=True)
    days_late = models.PositiveSmallIntegerField(_("days late"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = MaintenanceVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance visit")
        verbose_name_plural = _("maintenance visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["elevator", "-visited_on"], name="visit_elevator_date")]

    def __str__(self) -> str:
        return f"{self.elevator} {self.visited_on}"


class InspectionResult(models.TextChoices):
    DUE = "due", _("Due")
    PASSED = "passed", _("Passed")
    PASSED_AFTER_RECTIFICATION = "rectified", _("Passed after rectification")
    FAILED = "failed", _("Failed")


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionQuerySet:
        return self.filter(elevator__in=Elevator.objects.visible_to(user).values("pk"))


class Inspection(models.Model):
    """The yearly periodic inspection (定期检验): when it is due, when it was done, its result and defects."""

    elevator = models.ForeignKey(
        Elevator, verbose_name=_("elevator"), on_delete=models.CASCADE, related_name="inspections"
    )
    due_on = models.DateField(_("due on"))
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=InspectionResult.choices, default="due")
    defects = models.TextField(_("defects"), blank=True)
    body = models.CharField(_("inspection body"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("periodic inspection")
        verbose_name_plural = _("periodic inspections")
        ordering = ["-due_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="inspection_done_has_date", condition=Q(result="due") | Q(inspected_on__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.elevator} {self.due_on}"


# --- fault reports -------------------------------------------------------------------------------------------


class FaultKind(models.TextChoices):
    TRAPPED = "trapped", _("Someone is trapped")
    STOPPED = "stopped", _("The elevator has stopped")
    NOISE = "noise", _("Strange noise or shaking")
    DOORS = "doors", _("Doors do not work properly")
    OTHER = "other", _("Something else")


class FaultStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the maintainer")
    ARRIVED = "arrived", _("Maintainer on site")
    CLOSED = "closed", _("Repaired and closed")


OPEN_FAULT_STATUSES = (FaultStatus.REPORTED, FaultStatus.ACKNOWLEDGED, FaultStatus.ARRIVED)


class FaultReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> FaultReportQuerySet:
        return self.filter(elevator__in=Elevator.objects.visible_to(user).values("pk"))


class FaultReport(models.Model):
    """A fault reported from the car (by QR code, no sign-in) or by staff. The reporter's phone was confirmed
    by a one-time code; the reporter follows the report through `follow_token`."""

    elevator = models.ForeignKey(Elevator, verbose_name=_("elevator"), on_delete=models.PROTECT, related_name="faults")
    maintainer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("maintainer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("what is wrong"), max_length=10, choices=FaultKind.choices)
    description = models.TextField(_("details"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    phone = models.CharField(_("reporter's phone"), max_length=20)
    status = models.CharField(_("status"), max_length=14, choices=FaultStatus.choices, default=FaultStatus.REPORTED)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    repair = models.TextField(_("repair done"), blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation level"), default=0, help_text=_("0: maintainer only, 1: community told, 2: district told")
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=255, blank=True)
    follow_token = models.CharField(_("follow-up token"), max_length=32, unique=True, default=new_token)

    objects = FaultReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="fault_rating_range", condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5)
            )
        ]
        indexes = [models.Index(fields=["status", "reported_at"], name="fault_open_time")]

    def __str__(self) -> str:
        return f"{self.elevator} {self.get_kind_display()}"

    def minutes_to(self, moment) -> int | None:
        return None if moment is None else int((moment - self.reported_at).total_seconds() // 60)


class FaultEvent(models.Model):
    """What happened to a fault report, appended by the services, never edited."""

    report = models.ForeignKey(
        FaultReport, verbose_name=_("fault report"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=14, choices=FaultStatus.choices, blank=True)
    message = models.CharField(_("message"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("fault event")
        verbose_name_plural = _("fault events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.status}"


# --- running costs -------------------------------------------------------------------------------------------


class ShareMethod(models.TextChoices):
    AREA = "area", _("By exclusive area")
    FLOOR_COEFFICIENT = "floor_coefficient", _("Floor coefficient × area")
    CUSTOM = "custom", _("Own table")


class RunningCostQuerySet(models.QuerySet):
    def visible_to(self, user) -> RunningCostQuerySet:
        return self.filter(elevator__in=Elevator.objects.visible_to(user).values("pk"))


class RunningCost(models.Model):
    """One year's running costs of an elevator, shared among the stairwell's dwellings by the agreed scheme."""

    elevator = models.ForeignKey(
        Elevator, verbose_name=_("elevator"), on_delete=models.PROTECT, related_name="running_costs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    maintenance = models.DecimalField(_("maintenance fee"), max_digits=10, decimal_places=2, default=0)
    electricity = models.DecimalField(_("electricity"), max_digits=10, decimal_places=2, default=0)
    inspection = models.DecimalField(_("inspection fee"), max_digits=10, decimal_places=2, default=0)
    repairs = models.DecimalField(_("repairs"), max_digits=10, decimal_places=2, default=0)
    insurance = models.DecimalField(_("insurance"), max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField(_("total (yuan)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("sharing method"), max_length=20, choices=ShareMethod.choices)
    parameters = models.JSONField(_("method parameters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = RunningCostQuerySet.as_manager()

    class Meta:
        verbose_name = _("running costs of a year")
        verbose_name_plural = _("running costs")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["elevator", "year"], name="runningcost_one_per_year"),
            models.CheckConstraint(name="runningcost_total_positive", condition=Q(total__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.elevator} {self.year}"


class RunningCostShare(models.Model):
    """What one dwelling owes for the year, and how much of it is paid."""

    cost = models.ForeignKey(
        RunningCost, verbose_name=_("running costs"), on_delete=models.CASCADE, related_name="shares"
    )
    dwelling = models.ForeignKey(
        "housing.Dwelling", verbose_name=_("dwelling"), on_delete=models.PROTECT, related_name="+"
    )
    weight_text = models.CharField(_("weight"), max_length=80, blank=True)
    amount = models.DecimalField(_("share (yuan)"), max_digits=10, decimal_places=2)
    paid = models.DecimalField(_("paid (yuan)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("running-cost share")
        verbose_name_plural = _("running-cost shares")
        ordering = ["-dwelling__floor", "dwelling__room"]
        constraints = [
            models.UniqueConstraint(fields=["cost", "dwelling"], name="runningshare_one_per_dwelling"),
            models.CheckConstraint(
                name="runningshare_paid_within_share", condition=Q(paid__gte=0, paid__lte=F("amount"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dwelling_id} {self.amount}"

    @property
    def outstanding(self):
        return self.amount - self.paid


class RunningCostPayment(models.Model):
    """A payment towards a share, recorded by the community or the lead owner. Append-only."""

    share = models.ForeignKey(
        RunningCostShare, verbose_name=_("share"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("running-cost payment")
        verbose_name_plural = _("running-cost payments")
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(name="runningpayment_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.share_id} {self.amount}"
