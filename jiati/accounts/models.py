"""Users of Jiati and the role each one plays.

A staff member belongs to exactly one unit of the organisation tree (a region,
or a property office); what they may see follows from that unit
(`jiati.core.scoping`). Companies' staff belong to a company, residents to an
owner record.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    DISTRICT_OFFICE = "district_office", _("District retrofit office")
    DISTRICT_FINANCE = "district_finance", _("District finance")
    SUBDISTRICT = "subdistrict", _("Subdistrict group")
    COMMUNITY = "community", _("Community workstation")
    PROPERTY = "property", _("Property office")
    CONTRACTOR = "contractor", _("Contractor")
    MAINTAINER = "maintainer", _("Maintainer")
    RESIDENT = "resident", _("Resident")


# Which level of the organisation tree each region-bound role sits at.
REGION_ROLES = {
    Role.DISTRICT_OFFICE: ("province", "city", "district"),
    Role.DISTRICT_FINANCE: ("province", "city", "district"),
    Role.SUBDISTRICT: ("subdistrict",),
    Role.COMMUNITY: ("community",),
}
STAFF_ROLES = frozenset({*REGION_ROLES, Role.PROPERTY, Role.PLATFORM_ADMIN})
COMPANY_ROLES = frozenset({Role.CONTRACTOR, Role.MAINTAINER})


class User(AbstractUser):
    """A person who signs in. `role` plus one unit (region, property office or company) define the scope."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.COMMUNITY)
    region = models.ForeignKey(
        "organisation.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    property_office = models.ForeignKey(
        "organisation.PropertyOffice",
        verbose_name=_("property office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    # Administers the logins and details of its own unit only (a company's own administrator: its staff's logins).
    is_unit_admin = models.BooleanField(_("administers its unit"), default=False)
    owner = models.OneToOneField(
        "housing.Owner",
        verbose_name=_("owner record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_region_role_has_region",
                condition=~models.Q(role__in=[r.value for r in REGION_ROLES]) | models.Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="user_property_role_has_office",
                condition=~models.Q(role=Role.PROPERTY) | models.Q(property_office__isnull=False),
            ),
            models.CheckConstraint(
                name="user_company_role_has_company",
                condition=~models.Q(role__in=sorted(r.value for r in COMPANY_ROLES)) | models.Q(company__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_resident(self) -> bool:
        """An owner who signs in on the portal (the start page sends them there)."""
        return self.role == Role.RESIDENT

    @property
    def is_staff_member(self) -> bool:
        """The one rule, `jiati.accounts.scoping.is_staff`, for a signed-in user."""
        from jiati.accounts.scoping import is_staff  # scoping imports this module

        return is_staff(self)
