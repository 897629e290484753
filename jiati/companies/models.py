"""Companies the programme works with — elevator makers (brands), installation/construction companies,
maintainers, design institutes, supervision firms and cost consultants — with their licences and contacts,
and the red/black list (红黑榜) that ranks them each period from the evidence the platform records.

A company's score is computed by `scoring.py` from events other apps offer through the
`company_score_events` hook, under a versioned `ScoreScheme`; a `RankingList` freezes once published;
an upheld `Appeal` publishes a corrected list beside the original.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import Reach, ScopedQuerySet


class CompanyKind(models.TextChoices):
    """What a company does in the programme; a company may be several at once. Each maps to a boolean field."""

    MAKER = "maker", _("Elevator maker (brand)")
    CONTRACTOR = "contractor", _("Installation and construction")
    MAINTAINER = "maintainer", _("Maintainer")
    DESIGNER = "designer", _("Design institute")
    SUPERVISOR = "supervisor", _("Supervision firm")
    COST_CONSULTANT = "cost_consultant", _("Cost consultant")


KIND_FIELDS = {
    CompanyKind.MAKER: "is_manufacturer",
    CompanyKind.CONTRACTOR: "is_contractor",
    CompanyKind.MAINTAINER: "is_maintainer",
    CompanyKind.DESIGNER: "is_designer",
    CompanyKind.SUPERVISOR: "is_supervisor",
    CompanyKind.COST_CONSULTANT: "is_cost_consultant",
}


class CompanyQuerySet(ScopedQuerySet):
    # Companies are public directory data for staff; a company's own staff see their company.
    reach = Reach(all_staff=True, contractor="pk", maintainer="pk")

    def of_kind(self, kind: str) -> CompanyQuerySet:
        return self.filter(**{KIND_FIELDS[kind]: True})


class Company(models.Model):
    """A company with its unified social credit code (unique, checked with GB 32100's checksum)."""

    name = models.CharField(_("name"), max_length=160)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    brand = models.CharField(_("elevator brand"), max_length=80, blank=True)
    is_manufacturer = models.BooleanField(_("elevator maker"), default=False)
    is_contractor = models.BooleanField(_("construction team"), default=False)
    is_maintainer = models.BooleanField(_("maintainer"), default=False)
    is_designer = models.BooleanField(_("design institute"), default=False)
    is_supervisor = models.BooleanField(_("supervision firm"), default=False)
    is_cost_consultant = models.BooleanField(_("cost consultant"), default=False)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    hotline = models.CharField(
        _("24-hour line"), max_length=20, blank=True, help_text=_("Maintainers: the line residents call when trapped.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, null=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> list[str]:
        return [kind for kind, field in KIND_FIELDS.items() if getattr(self, field)]

    def kind_labels(self) -> list[str]:
        return [str(CompanyKind(kind).label) for kind in self.kinds]


class LicenceKind(models.TextChoices):
    SPECIAL_EQUIPMENT = "special_equipment", _("Special-equipment licence (installation, modification, repair)")
    MANUFACTURE = "manufacture", _("Special-equipment manufacture licence")
    CONSTRUCTION = "construction", _("Construction qualification")
    SAFETY = "safety", _("Work-safety licence")
    DESIGN = "design", _("Design qualification")
    SUPERVISION = "supervision", _("Supervision qualification")
    COST = "cost", _("Cost consultancy qualification")
    OTHER = "other", _("Other")


# Which licence each kind of company must hold to be chosen for a project: without a valid one it is refused.
REQUIRED_LICENCES: dict[str, tuple[str, ...]] = {
    CompanyKind.MAKER: (LicenceKind.MANUFACTURE,),
    CompanyKind.CONTRACTOR: (LicenceKind.SPECIAL_EQUIPMENT, LicenceKind.CONSTRUCTION),
    CompanyKind.MAINTAINER: (LicenceKind.SPECIAL_EQUIPMENT,),
}


class LicenceStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the district")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class LicenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> LicenceQuerySet:
        return self.filter(company__in=Company.objects.visible_to(user).values("pk"))

    def in_force(self, on=None) -> LicenceQuerySet:
        on = on or timezone.localdate()
        return self.filter(status=LicenceStatus.CONFIRMED, issued_on__lte=on, expires_on__gte=on)


class Licence(models.Model):
    """A licence or qualification with its scope and validity. District staff record confirmed ones; a company's
    administrator uploads a renewal, which counts once the district confirms it."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(_("kind"), max_length=24, choices=LicenceKind.choices)
    number = models.CharField(_("licence number"), max_length=60)
    scope = models.CharField(_("scope"), max_length=255, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    file = models.FileField(_("scan"), upload_to="companies/licences/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.CONFIRMED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reminded_for = models.DateField(_("reminder sent for expiry"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["kind", "-expires_on"]
        constraints = [
            models.CheckConstraint(name="licence_expires_after_issue", condition=Q(expires_on__gt=F("issued_on")))
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="licence_status_expiry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        return self.filter(company__in=Company.objects.visible_to(user).values("pk"))


class CompanyContact(models.Model):
    """A person to call at the company (a project manager, the 24-hour desk…)."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("company contact")
        verbose_name_plural = _("company contacts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


# --- scores and the red/black list ------------------------------------------------------------------------


class ScoreArea(models.TextChoices):
    CIVILISED_CONSTRUCTION = "civilised_construction", _("Civilised construction")
    QUALITY_CONTROL = "quality_control", _("Quality control")
    OPERATION_MAINTENANCE = "operation_maintenance", _("Operation and maintenance")


class ScoreScheme(models.Model):
    """A version of the scoring rules: area weights, points deducted per unit of each kind of event, and the
    thresholds of the red and black lists. A period is scored under the scheme in force on its first day;
    schemes are never edited once used (a change is a new version)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    valid_from = models.DateField(_("valid from"))
    area_weights = models.JSONField(_("area weights"), help_text=_("{area: weight}, each at least 0, not all 0"))
    deductions = models.JSONField(_("points deducted per unit"), help_text=_("{event kind: points per unit}"))
    red_min_score = models.DecimalField(_("red list from score"), max_digits=5, decimal_places=2, default=90)
    black_below_score = models.DecimalField(_("black list below score"), max_digits=5, decimal_places=2, default=60)
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal"), default=15)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("score scheme")
        verbose_name_plural = _("score schemes")
        ordering = ["-valid_from", "-version"]
        constraints = [
            models.CheckConstraint(
                name="scheme_black_below_red", condition=Q(black_below_score__lte=F("red_min_score"))
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"


class CompanyScoreQuerySet(models.QuerySet):
    def visible_to(self, user) -> CompanyScoreQuerySet:
        return self.filter(company__in=Company.objects.visible_to(user).values("pk"))


class CompanyScore(models.Model):
    """A company's score for one period under one scheme, with the evidence it was computed from."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="scores")
    period = models.DateField(_("period (first day of the month)"))
    scheme = models.ForeignKey(ScoreScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    areas = models.JSONField(_("score per area"), default=dict)
    events = models.JSONField(_("evidence"), default=list)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = CompanyScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("company score")
        verbose_name_plural = _("company scores")
        ordering = ["-period", "-score"]
        constraints = [models.UniqueConstraint(fields=["company", "period"], name="score_one_per_company_period")]

    def __str__(self) -> str:
        return f"{self.company} {self.period:%Y-%m} {self.score}"


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a correction")


class RankingListQuerySet(models.QuerySet):
    def visible_to(self, user) -> RankingListQuerySet:
        """Published lists are public; drafts are the district staff's."""
        if user.is_authenticated and user.is_active and user.is_staff_member:
            return self
        return self.exclude(status=ListStatus.DRAFT)


class RankingList(models.Model):
    """The red/black list of one period for one kind of company. Frozen once published; a correction after an
    upheld appeal is a new list that `corrects` the original, published beside it."""

    period = models.DateField(_("period (first day of the month)"))
    kind = models.CharField(_("kind of company"), max_length=20, choices=CompanyKind.choices)
    scheme = models.ForeignKey(ScoreScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appeal_until = models.DateField(_("appeals until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RankingListQuerySet.as_manager()

    class Meta:
        verbose_name = _("red/black list")
        verbose_name_plural = _("red/black lists")
        ordering = ["-period", "kind", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "kind"], condition=Q(corrects__isnull=True), name="list_one_original_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.get_kind_display()}"


class Colour(models.TextChoices):
    RED = "red", _("Red list")
    NONE = "none", _("Neither")
    BLACK = "black", _("Black list")


class ListEntry(models.Model):
    """One company's place on a list: its score, rank and colour, and why."""

    ranking = models.ForeignKey(RankingList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="entries")
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    colour = models.CharField(_("list"), max_length=8, choices=Colour.choices, default=Colour.NONE)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["ranking", "company"], name="entry_one_per_company")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.company}"

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language: stored as a marker ("violation:<kinds>", "appeal:<text>") or
        empty for a place earned by the score, and put into words when shown."""
        if self.reason.startswith("violation:"):
            kinds = [str(ViolationKind(k).label) for k in self.reason[len("violation:") :].split(",") if k]
            return _("Serious violation: %(what)s") % {"what": "; ".join(kinds)}
        if self.reason.startswith("appeal:"):
            return _("Corrected on appeal: %(reason)s") % {"reason": self.reason[len("appeal:") :]}
        if self.reason:
            return self.reason
        scheme = self.ranking.scheme
        if self.colour == Colour.BLACK:
            return _("Score below %(limit)s") % {"limit": scheme.black_below_score}
        if self.colour == Colour.RED:
            return _("Score of %(limit)s or more") % {"limit": scheme.red_min_score}
        return ""


class ViolationKind(models.TextChoices):
    SAFETY_ACCIDENT = "safety_accident", _("Safety accident")
    FALSIFIED_RECORDS = "falsified_records", _("Falsified maintenance records")
    UNPAID_WAGES = "unpaid_wages", _("Unpaid wages")
    FRAUD = "fraud", _("Fraud")
    OTHER = "other", _("Other serious violation")


class SeriousViolationQuerySet(models.QuerySet):
    def visible_to(self, user) -> SeriousViolationQuerySet:
        return self.filter(company__in=Company.objects.visible_to(user).values("pk"))


class SeriousViolation(models.Model):
    """A serious violation (严重失信) with its evidence: black-lists the company for the period whatever its score."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="violations")
    period = models.DateField(_("period (first day of the month)"))
    kind = models.CharField(_("kind"), max_length=24, choices=ViolationKind.choices)
    description = models.TextField(_("what happened"))
    evidence = models.FileField(_("evidence"), upload_to="companies/violations/%Y/", blank=True)
    evidence_note = models.CharField(_("evidence reference"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = SeriousViolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("serious violation")
        verbose_name_plural = _("serious violations")
        ordering = ["-period", "-id"]

    def __str__(self) -> str:
        return f"{self.company} {self.get_kind_display()}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class AppealQuerySet(models.QuerySet):
    def visible_to(self, user) -> AppealQuerySet:
        return self.filter(company__in=Company.objects.visible_to(user).values("pk"))


class Appeal(models.Model):
    """A company's appeal against its place on a published list, and the district's decision with its reason."""

    entry = models.ForeignKey(ListEntry, verbose_name=_("list entry"), on_delete=models.PROTECT, related_name="appeals")
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField(_("grounds"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    corrected_colour = models.CharField(_("corrected list"), max_length=8, choices=Colour.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="pending"), name="appeal_one_pending_per_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.get_status_display()}"
