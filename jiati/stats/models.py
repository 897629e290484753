"""Per-region summaries behind the dashboards: projects per stage and status (and how many of them are blocked),
started and completed per month, live projects per due date (overdue is counted against today when read), subsidy
paid and due, votes passed.

Every region of the tree has its own rows, holding the totals of its whole subtree: a community's rows are
recomputed from its live rows, each ancestor's as the sum of its children's rows (`services`). A region's figures
are therefore a read of a few rows of its own, at any scale — the national figures included (the root regions'
rows)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Summary(models.Model):
    """What every summary row has: the region whose subtree it sums, and that region's depth in the tree."""

    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    # 1 for a root region (the national figures are the sum of depth-1 rows), one more per level down.
    depth = models.PositiveSmallIntegerField(_("depth"))

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["depth", "region"], name="%(app_label)s_%(class)s_depth")]


class StageCount(Summary):
    """How many projects of a region are in a stage with a status, and how many of them have open blockers."""

    stage = models.CharField(_("stage"), max_length=24)
    status = models.CharField(_("status"), max_length=12)
    projects = models.PositiveIntegerField(_("projects"))
    blocked = models.PositiveIntegerField(_("blocked"), default=0)

    class Meta(Summary.Meta):
        verbose_name = _("projects per stage")
        verbose_name_plural = _("projects per stage")
        constraints = [
            models.UniqueConstraint(fields=["region", "stage", "status"], name="stats_stage_count_unique"),
            models.CheckConstraint(condition=models.Q(blocked__lte=models.F("projects")), name="stats_blocked_le"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.stage}/{self.status}: {self.projects}"


class MonthCount(Summary):
    """Projects of a region opened and brought into service in a month (the district's calendar)."""

    month = models.DateField(_("month"))
    started = models.PositiveIntegerField(_("started"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)

    class Meta(Summary.Meta):
        verbose_name = _("projects per month")
        verbose_name_plural = _("projects per month")
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="stats_month_count_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}: +{self.started} / {self.completed}"


class DueCount(Summary):
    """Active projects of a region not yet in service whose current stage is due on a day (overdue: before today)."""

    due = models.DateField(_("due"))
    projects = models.PositiveIntegerField(_("projects"))

    class Meta(Summary.Meta):
        verbose_name = _("projects per due date")
        verbose_name_plural = _("projects per due date")
        constraints = [models.UniqueConstraint(fields=["region", "due"], name="stats_due_count_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.due}: {self.projects}"


class RegionTotal(Summary):
    """A region's subsidy money — paid (the ledger) and due but unpaid (files of projects not withdrawn) — and its
    votes passed."""

    # In fen: integers sum exactly on every database (SQLite would add decimals as floating point).
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    due_fen = models.BigIntegerField(_("due (fen)"), default=0)
    votes_passed = models.PositiveIntegerField(_("votes passed"), default=0)

    class Meta(Summary.Meta):
        verbose_name = _("region total")
        verbose_name_plural = _("region totals")
        constraints = [models.UniqueConstraint(fields=["region"], name="stats_region_total_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.paid_fen} / {self.due_fen} fen"
