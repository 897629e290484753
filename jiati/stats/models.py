"""Per-community summaries behind the dashboards: projects per stage and status, started and completed per month,
subsidy paid and due. Rebuilt for one community at a time after each commit that touched its projects or money
(`services.community_refresh`), so a region's figures are a sum over a few indexed rows and never drift."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StageCount(models.Model):
    """How many projects of a community are in a stage with a status."""

    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("region path"), max_length=255, db_index=True)
    stage = models.CharField(_("stage"), max_length=24)
    status = models.CharField(_("status"), max_length=12)
    projects = models.PositiveIntegerField(_("projects"))

    class Meta:
        verbose_name = _("projects per stage")
        verbose_name_plural = _("projects per stage")
        constraints = [
            models.UniqueConstraint(fields=["community", "stage", "status"], name="stats_stage_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.stage}/{self.status}: {self.projects}"


class MonthCount(models.Model):
    """Projects of a community opened and brought into service in a month (the district's calendar)."""

    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("region path"), max_length=255, db_index=True)
    month = models.DateField(_("month"))
    started = models.PositiveIntegerField(_("started"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)

    class Meta:
        verbose_name = _("projects per month")
        verbose_name_plural = _("projects per month")
        constraints = [models.UniqueConstraint(fields=["community", "month"], name="stats_month_count_unique")]

    def __str__(self) -> str:
        return f"{self.path} {self.month:%Y-%m}: +{self.started} / {self.completed}"


class SubsidyTotal(models.Model):
    """A community's subsidy money: paid (the ledger) and due but unpaid (files of projects not withdrawn)."""

    community = models.OneToOneField(
        "organisation.Region", verbose_name=_("community"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("region path"), max_length=255, db_index=True)
    paid = models.DecimalField(_("paid (yuan)"), max_digits=16, decimal_places=2, default=0)
    due = models.DecimalField(_("due (yuan)"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("subsidy total")
        verbose_name_plural = _("subsidy totals")

    def __str__(self) -> str:
        return f"{self.path}: {self.paid} / {self.due}"
