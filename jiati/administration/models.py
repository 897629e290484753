"""Who answers for what: an estate to a staff member (分片包干), a building to a named person (专人包栋).

One person per estate and one per building (a person may answer for many). The history of who answered when is
the audit trail of these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import area_q


class EstateAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> EstateAssignmentQuerySet:
        return self.filter(
            area_q(user, region_path="estate__community__path", property_office="estate__property_office")
        )


class EstateAssignment(models.Model):
    """分片包干: the staff member who answers for an estate."""

    estate = models.OneToOneField(
        "housing.Estate", verbose_name=_("estate"), on_delete=models.CASCADE, related_name="assignment"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answers for it"), on_delete=models.PROTECT,
        related_name="estate_assignments",
    )  # fmt: skip
    assigned_at = models.DateTimeField(_("assigned at"), auto_now=True)

    objects = EstateAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate assignment")
        verbose_name_plural = _("estate assignments")

    def __str__(self) -> str:
        return f"{self.estate} → {self.person}"


class BuildingAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> BuildingAssignmentQuerySet:
        return self.filter(
            area_q(user, region_path="building__estate__community__path",
                   property_office="building__estate__property_office")
        )  # fmt: skip


class BuildingAssignment(models.Model):
    """专人包栋: the named person who answers for a building."""

    building = models.OneToOneField(
        "housing.Building", verbose_name=_("building"), on_delete=models.CASCADE, related_name="assignment"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answers for it"), on_delete=models.PROTECT,
        related_name="building_assignments",
    )  # fmt: skip
    assigned_at = models.DateTimeField(_("assigned at"), auto_now=True)

    objects = BuildingAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("building assignment")
        verbose_name_plural = _("building assignments")

    def __str__(self) -> str:
        return f"{self.building} → {self.person}"
