"""The housing stock: estate → building → stairwell → dwelling ← owner.

Below the estate every row also carries its estate and community (kept by the
services), so that scoping and filtering a list of millions of dwellings is one
indexed column, not a chain of joins.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import Reach, ScopedQuerySet, area_q


def housing_scope(user, prefix: str = ""):
    return area_q(user, region_path=f"{prefix}community__path", property_office=f"{prefix}estate__property_office")


class EstateQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="property_office")


class Estate(models.Model):
    """A residential compound (小区)."""

    code = models.CharField(_("estate code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="estates"
    )
    property_office = models.ForeignKey(
        "organisation.PropertyOffice",
        verbose_name=_("property office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estates",
    )
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    # 分片包干: the staff member who answers for this estate.
    responsible_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estates_responsible",
    )

    objects = EstateQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="estate_year_plausible",
                condition=models.Q(year_built__isnull=True) | models.Q(year_built__gte=1900, year_built__lte=2100),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Structure(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", _("Brick and concrete")
    FRAME = "frame", _("Reinforced-concrete frame")
    SHEAR_WALL = "shear_wall", _("Shear wall")
    STEEL = "steel", _("Steel")
    OTHER = "other", _("Other")


class BuildingQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="estate__property_office")


class Building(models.Model):
    """A building (楼栋) of an estate."""

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="buildings")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("building number"), max_length=40)
    storeys = models.PositiveSmallIntegerField(_("storeys"))
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    structure = models.CharField(
        _("structure"), max_length=20, choices=Structure.choices, default=Structure.BRICK_CONCRETE
    )
    # 专人包栋: one named person answers for each building.
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings_responsible",
    )

    objects = BuildingQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="building_unique_number"),
            models.CheckConstraint(name="building_storeys_range", condition=models.Q(storeys__gte=1, storeys__lte=200)),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.number}"


class StairwellQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="estate__property_office")


class Stairwell(models.Model):
    """A stairwell unit (单元): one elevator serves one stairwell."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="stairwells"
    )
    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="stairwells")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("stairwell number"), max_length=40)
    storeys = models.PositiveSmallIntegerField(_("storeys"))
    has_elevator = models.BooleanField(_("has an elevator"), default=False)

    objects = StairwellQuerySet.as_manager()

    class Meta:
        verbose_name = _("stairwell")
        verbose_name_plural = _("stairwells")
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="stairwell_unique_number"),
            models.CheckConstraint(
                name="stairwell_storeys_range", condition=models.Q(storeys__gte=1, storeys__lte=200)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.number}"


class AreaSource(models.TextChoices):
    """Where the exclusive area comes from, in the order the law prefers (SPC interpretation, Art. 8)."""

    REGISTER = "register", _("Real-estate register")
    SURVEY = "survey", _("Survey")
    CONTRACT = "contract", _("Sale contract")


class DwellingQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="estate__property_office")


class Dwelling(models.Model):
    """A dwelling (户 / 专有部分) with its exclusive area.

    The three recorded areas are kept; `exclusive_area` is the one the law counts
    (register, else survey, else contract) and `area_source` says which it is.
    """

    # No separate indexes where a composite one leads with the column: (stairwell, room) and (community, id).
    stairwell = models.ForeignKey(
        Stairwell, verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="dwellings", db_index=False
    )
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room number"), max_length=20)
    area_register = models.DecimalField(
        _("registered area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    area_survey = models.DecimalField(_("surveyed area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    area_contract = models.DecimalField(_("contract area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    exclusive_area = models.DecimalField(_("exclusive area (m²)"), max_digits=9, decimal_places=2)
    area_source = models.CharField(_("area source"), max_length=10, choices=AreaSource.choices)

    objects = DwellingQuerySet.as_manager()

    class Meta:
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")
        ordering = ["stairwell_id", "floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["stairwell", "room"], name="dwelling_unique_room"),
            models.CheckConstraint(name="dwelling_area_positive", condition=models.Q(exclusive_area__gt=0)),
            models.CheckConstraint(name="dwelling_floor_range", condition=models.Q(floor__gte=1, floor__lte=200)),
        ]
        indexes = [models.Index(fields=["community", "id"], name="dwelling_community_id")]

    def __str__(self) -> str:
        return f"{self.stairwell} {self.room}"

    @staticmethod
    def effective_area(
        register: Decimal | None, survey: Decimal | None, contract: Decimal | None
    ) -> tuple[Decimal | None, str | None]:
        for value, source in (
            (register, AreaSource.REGISTER),
            (survey, AreaSource.SURVEY),
            (contract, AreaSource.CONTRACT),
        ):
            if value is not None:
                return value, source.value
        return None, None


class OwnerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    DEVELOPER = "developer", _("Developer")


class OwnerQuerySet(ScopedQuerySet):
    # An owner is visible where one of their dwellings is.
    reach = Reach(staff=lambda user: Q(pk__in=Ownership.objects.visible_to(user).values("owner_id")))


class Owner(models.Model):
    """An owner (业主): a person, an organisation, or the developer (its unsold stock counts as one owner)."""

    kind = models.CharField(_("kind"), max_length=16, choices=OwnerKind.choices, default=OwnerKind.PERSON)
    name = models.CharField(_("name"), max_length=120)
    # Resident ID number for a person, unified social credit code for an organisation or developer.
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    dwellings = models.ManyToManyField(
        Dwelling, through="Ownership", verbose_name=_("dwellings"), related_name="owners"
    )

    objects = OwnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["id"]
        # A constraint rather than unique=True: PostgreSQL then needs no second, LIKE-only index.
        constraints = [models.UniqueConstraint(fields=["id_number"], name="owner_unique_id_number")]

    def __str__(self) -> str:
        return self.name


class OwnershipQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="dwelling__estate__property_office")


class Ownership(models.Model):
    """An owner holding a dwelling. The primary owner is the one who votes for it."""

    # Indexed through the (owner, dwelling) unique constraint.
    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ownerships", db_index=False
    )
    dwelling = models.ForeignKey(
        Dwelling, verbose_name=_("dwelling"), on_delete=models.CASCADE, related_name="ownerships"
    )
    # The dwelling's community, copied for scoping owners by area without joining the dwellings.
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    is_primary = models.BooleanField(_("primary owner"), default=True)
    since = models.DateField(_("owner since"), null=True, blank=True)

    objects = OwnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        constraints = [
            models.UniqueConstraint(fields=["owner", "dwelling"], name="ownership_unique"),
            models.UniqueConstraint(
                fields=["dwelling"], condition=models.Q(is_primary=True), name="ownership_one_primary_per_dwelling"
            ),
        ]
        indexes = [models.Index(fields=["community", "owner"], name="ownership_community_owner")]

    def __str__(self) -> str:
        return f"{self.owner} — {self.dwelling}"

    def save(self, *args, **kwargs):
        if self.community_id is None and self.dwelling_id:
            # Copied from the dwelling (bulk writers set it themselves).
            self.community_id = Dwelling.objects.values_list("community_id", flat=True).get(pk=self.dwelling_id)
        super().save(*args, **kwargs)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    REJECTED = "rejected", _("Rejected rows found")
    FAILED = "failed", _("Failed")


class ImportJobQuerySet(ScopedQuerySet):
    # An import job is its author's; platform administrators see all.
    reach = Reach(also=lambda user: Q(created_by=user))


class ImportJob(models.Model):
    """One run of the housing-stock import, dry or real, with its outcome.

    A real run is only started from a dry run that found no rejected row, and
    applies the same stored file.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("checksum"), max_length=64)
    dry_run = models.BooleanField(_("dry run"), default=True)
    dry_run_of = models.ForeignKey(
        "self", verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="real_runs"
    )
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    failure = models.TextField(_("failure"), blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED}
