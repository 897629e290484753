"""Supervision: the cadence of domain.md §7.

- daily site checks (每天一察看): a `SiteCheck` of a project under construction, one `CheckItem` per point of
  its checklist, photos; each point found wrong becomes a `Rectification` the construction company answers and
  only a staff re-check closes (its history is the append-only `RectificationEvent`);
- the weekly review (每周一研判) of a subdistrict: a `WeeklyReview` frozen as it was generated, with the
  group's `ReviewDecision`s tracked to done;
- the monthly dispatch (每月一调度) of a district: a `MonthlyDispatch` frozen as generated, with the district
  office's `DispatchInstruction`s to each subdistrict tracked to done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import area_q
from jiati.projects.models import Stage


def _staff(user) -> bool:
    from jiati.accounts.models import STAFF_ROLES

    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in STAFF_ROLES))


def _project_area(user):
    return area_q(user, region_path="project__community__path", property_office="project__estate__property_office")


class CheckKind(models.TextChoices):
    ROUTINE = "routine", _("Site check")
    RECHECK = "recheck", _("Re-check of a rectification")


class SiteCheckQuerySet(models.QuerySet):
    def visible_to(self, user) -> SiteCheckQuerySet:
        """Staff: the checks of the projects in their area. Contractors: the checks of the sites they build."""
        from jiati.accounts.models import Role

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role == Role.CONTRACTOR:
            return self.filter(project__contractor_id=user.company_id) if user.company_id else self.none()
        if not _staff(user):
            return self.none()
        return self.filter(_project_area(user))


class SiteCheck(models.Model):
    """One visit to a site under construction, by a staff member, with the checklist of its step."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="site_checks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CheckKind.choices, default=CheckKind.ROUTINE)
    stage = models.CharField(_("construction step"), max_length=24, choices=Stage.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="site_checks"
    )
    checked_on = models.DateField(_("date"))
    checked_at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    findings = models.PositiveSmallIntegerField(_("findings"), default=0)

    objects = SiteCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("site check")
        verbose_name_plural = _("site checks")
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-checked_on"], name="sitecheck_project_date"),
            models.Index(fields=["checked_on"], name="sitecheck_date"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.checked_on}"


class ItemResult(models.TextChoices):
    OK = "ok", _("OK")
    ISSUE = "issue", _("Finding")
    NOT_APPLICABLE = "na", _("Not applicable")


class CheckItem(models.Model):
    """One point of a check's checklist and what was found."""

    site_check = models.ForeignKey(
        SiteCheck, verbose_name=_("site check"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("checklist point"), max_length=40)
    result = models.CharField(_("result"), max_length=6, choices=ItemResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist point")
        verbose_name_plural = _("checklist points")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["site_check", "code"], name="checkitem_unique_code"),
            models.CheckConstraint(name="checkitem_issue_has_note", condition=~Q(result="issue") | ~Q(note="")),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        from jiati.supervision.checklist import item_label

        return item_label(self.code)


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered, waiting for re-check")
    CLOSED = "closed", _("Closed after re-check")


OPEN_RECTIFICATION = (RectificationStatus.OPEN, RectificationStatus.ANSWERED)


class RectificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> RectificationQuerySet:
        """Staff: the rectifications of their area. Contractors: those sent to their company."""
        from jiati.accounts.models import Role

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role == Role.CONTRACTOR:
            return self.filter(company_id=user.company_id) if user.company_id else self.none()
        if not _staff(user):
            return self.none()
        return self.filter(_project_area(user))

    def open(self) -> RectificationQuerySet:
        return self.filter(status__in=OPEN_RECTIFICATION)

    def overdue(self, today=None) -> RectificationQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Rectification(models.Model):
    """A finding of a site check the construction company must fix (整改); only a staff re-check closes it."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="rectifications"
    )
    site_check = models.ForeignKey(
        SiteCheck, verbose_name=_("found in"), on_delete=models.PROTECT, related_name="rectifications"
    )
    code = models.CharField(_("checklist point"), max_length=40)
    area = models.CharField(_("scoring area"), max_length=32)
    description = models.CharField(_("finding"), max_length=500)
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("construction company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recheck = models.ForeignKey(
        SiteCheck,
        verbose_name=_("closing re-check"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_rectifications",
    )
    reminded_for = models.DateField(_("overdue reminder sent for"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_date", "id"]
        constraints = [
            # Closing needs a re-check by staff: who, when, and the re-check visit itself.
            models.CheckConstraint(
                name="rectification_closed_by_recheck",
                condition=~Q(status="closed")
                | Q(closed_at__isnull=False, verified_by__isnull=False, recheck__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="rectification_open_due"),
            models.Index(fields=["company", "status"], name="rectification_company"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RECTIFICATION

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def label(self) -> str:
        from jiati.supervision.checklist import item_label

        return item_label(self.code)


class RectificationEventKind(models.TextChoices):
    OPENED = "opened", _("Found")
    ANSWERED = "answered", _("Company answered")
    RECHECK_FAILED = "recheck_failed", _("Re-check: not fixed")
    RECHECK_PASSED = "recheck_passed", _("Re-check: fixed, closed")


class RectificationEvent(models.Model):
    """The history of a rectification, appended by the services and never edited."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("rectification"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RectificationEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind


class Photo(models.Model):
    """A site photo, checked to be an image and resized on upload; of a check, or of a rectification's step."""

    site_check = models.ForeignKey(
        SiteCheck, verbose_name=_("site check"), on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    event = models.ForeignKey(
        RectificationEvent,
        verbose_name=_("rectification event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    file = models.FileField(_("file"), upload_to="supervision/photos/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("site photo")
        verbose_name_plural = _("site photos")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="photo_of_one_thing",
                condition=Q(site_check__isnull=False, event__isnull=True)
                | Q(site_check__isnull=True, event__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class WeeklyReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> WeeklyReviewQuerySet:
        """Staff of the subdistrict and the district above it; and whoever owns one of its decisions."""
        if not _staff(user):
            return self.none()
        owned = ReviewDecision.objects.filter(owner=user).values("review_id")
        return self.filter(area_q(user, region_path="region__path", property_office=None) | Q(pk__in=owned))


class WeeklyReview(models.Model):
    """The weekly review (每周一研判) of one subdistrict, saved as it was generated (`content`)."""

    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("subdistrict"), on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("week of"))
    stalled_days = models.PositiveSmallIntegerField(_("no progress for (days)"))
    content = models.JSONField(_("report"), default=dict)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("generated by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = WeeklyReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly review")
        verbose_name_plural = _("weekly reviews")
        ordering = ["-week_start", "region__path"]
        constraints = [models.UniqueConstraint(fields=["region", "week_start"], name="weeklyreview_one_per_week")]

    def __str__(self) -> str:
        return f"{self.region} {self.week_start}"


class ReviewDecision(models.Model):
    """A decision of the weekly review: what, who (required) and by when, tracked to done."""

    review = models.ForeignKey(
        WeeklyReview, verbose_name=_("weekly review"), on_delete=models.PROTECT, related_name="decisions"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_decisions",
    )
    description = models.CharField(_("decision"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="review_decisions"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["status", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                name="decision_done_has_time", condition=~Q(status="done") | Q(done_at__isnull=False)
            )
        ]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="decision_owner_open")]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == DecisionStatus.OPEN and self.due_date < timezone.localdate()


class MonthlyDispatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> MonthlyDispatchQuerySet:
        """The district's staff, and the staff of its subdistricts (who see only their own part of it)."""
        if not _staff(user):
            return self.none()
        from jiati.accounts.scoping import sees_everything

        if sees_everything(user):
            return self
        if not user.region_id:
            return self.none()
        path = user.region.path
        ancestors = ["/" + "/".join(path.strip("/").split("/")[: i + 1]) + "/" for i in range(path.count("/") - 1)]
        return self.filter(Q(region__path__startswith=path) | Q(region__path__in=ancestors))


class MonthlyDispatch(models.Model):
    """The monthly dispatch (每月一调度) of one district, saved as it was generated (`content`)."""

    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    content = models.JSONField(_("report"), default=dict)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("generated by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = MonthlyDispatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly dispatch")
        verbose_name_plural = _("monthly dispatches")
        ordering = ["-month", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="dispatch_one_per_month"),
            models.CheckConstraint(name="dispatch_month_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m}"


class DispatchInstruction(models.Model):
    """The district office's instruction to one subdistrict in a monthly dispatch, tracked to done."""

    dispatch = models.ForeignKey(
        MonthlyDispatch, verbose_name=_("monthly dispatch"), on_delete=models.PROTECT, related_name="instructions"
    )
    subdistrict = models.ForeignKey(
        "organisation.Region", verbose_name=_("subdistrict"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(_("instruction"), max_length=1000)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch instruction")
        verbose_name_plural = _("dispatch instructions")
        ordering = ["status", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                name="instruction_done_has_time", condition=~Q(status="done") | Q(done_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_overdue(self) -> bool:
        return self.status == DecisionStatus.OPEN and self.due_date < timezone.localdate()
