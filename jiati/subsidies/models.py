"""Subsidies (补贴): policies as data, one application per project, its reviews, the budgets and the ledger.

- `SubsidyPolicy` is a rule with effective dates and a scope (a region: the city or the district). Which
  policy applies to a project is decided by the project's dates (`rules.applicable_policy`), and the
  application records which one and why.
- `SubsidyApplication` is drafted when a project enters the subsidy stage, submitted at the service
  window on behalf of the lead owner or the implementing body (or by the lead owner himself on the
  resident portal), reviewed community → subdistrict → district finance (`Review`, append-only like the
  ledger), and approved for a fixed amount charged to a `Budget`.
- `LedgerEntry` is the append-only ledger: payments (grouped in `PaymentBatch`es) and reversals are new
  rows, never edits. The application keeps `paid_amount` as a counter the services update under a row
  lock; the database refuses a counter above the approved amount and a budget above its total.

All amounts are `Decimal` yuan to the fen.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import NOTHING, Reach, ScopedQuerySet
from jiati.core.append_only import AppendOnlyModel, AppendOnlyQuerySet
from jiati.core.money import ZERO


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Source(models.TextChoices):
    """Where the money comes from; budgets are kept per year and per source."""

    CITY = "city", _("City funds")
    DISTRICT = "district", _("District funds")


class SubsidyDocumentKind(models.TextChoices):
    """What an application must prove. The two certificates may also come from the project's own documents."""

    APPLICATION_FORM = "application_form", _("Signed application form")
    INVOICE = "invoice", _("Invoices")
    AUDITED_COST = "audited_cost", _("Audited cost report")
    INSPECTION_CERTIFICATE = "inspection_certificate", _("Inspection certificate")
    REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate for use")
    BANK_ACCOUNT = "bank_account", _("Proof of the payee's bank account")
    OTHER = "other", _("Other")


# Kinds a project document of the same name satisfies (uploaded earlier for the stage guards).
PROJECT_DOCUMENT_KINDS = frozenset(
    {SubsidyDocumentKind.INSPECTION_CERTIFICATE, SubsidyDocumentKind.REGISTRATION_CERTIFICATE}
)
DEFAULT_REQUIRED_DOCUMENTS = [
    SubsidyDocumentKind.APPLICATION_FORM.value,
    SubsidyDocumentKind.INVOICE.value,
    SubsidyDocumentKind.INSPECTION_CERTIFICATE.value,
    SubsidyDocumentKind.REGISTRATION_CERTIFICATE.value,
    SubsidyDocumentKind.BANK_ACCOUNT.value,
]


def _ancestor_paths(path: str) -> list[str]:
    """ "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"] (the region and every region above it)."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _user_region_path(user) -> str | None:
    if user.region_id:
        return user.region.path
    if user.property_office_id:
        return user.property_office.community.path
    return None


def _policy_staff(user) -> Q:
    """Policies are public within the programme: staff see those of their region, above it and below it."""
    path = _user_region_path(user)
    if not path:
        return NOTHING
    return Q(region__path__startswith=path) | Q(region__path__in=_ancestor_paths(path))


class PolicyQuerySet(ScopedQuerySet):
    # Policies are public within the programme: staff see those of their region, above it and below it.
    reach = Reach(staff=_policy_staff)

    def in_force_on(self, day) -> PolicyQuerySet:
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day)


class SubsidyPolicy(models.Model):
    """A subsidy rule as data: how much, under which conditions, from when to when, for which area.

    amount = fixed + per-storey amount + per-stop amount + share of the cost (audited, estimated before the audit),
    capped; plus the extras the application claims (each up to its maximum). Policies of one scope may not overlap
    in time; the most specific scope wins (a district's policy over its city's).
    """

    region = models.ForeignKey(
        "organisation.Region",
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The city or district whose projects this policy covers."),
    )
    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("funding source"), max_length=12, choices=Source.choices)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Empty: until replaced."))
    fixed_amount = _money(_("fixed amount per elevator (yuan)"), default=ZERO)
    per_storey_amount = _money(_("amount per storey (yuan)"), default=ZERO)
    storeys_above = models.PositiveSmallIntegerField(
        _("per-storey amount for storeys above"), default=0, help_text=_("0: every storey counts.")
    )
    per_stop_amount = _money(_("amount per stop (yuan)"), default=ZERO)
    stops_above = models.PositiveSmallIntegerField(
        _("per-stop amount for stops above"), default=0, help_text=_("0: every stop (landing served) counts.")
    )
    cost_share_percent = models.DecimalField(_("share of the cost (%)"), max_digits=5, decimal_places=2, default=ZERO)
    cap = _money(_("cap (yuan)"), null=True, blank=True, help_text=_("Empty: no cap."))
    min_storeys = models.PositiveSmallIntegerField(_("minimum storeys of the building"), default=4)
    application_deadline_days = models.PositiveSmallIntegerField(
        _("apply within (days after becoming eligible)"), null=True, blank=True, help_text=_("Empty: no deadline.")
    )
    # None: not set, the usual documents (DEFAULT_REQUIRED_DOCUMENTS); []: the policy requires no documents.
    required_documents = models.JSONField(
        _("required documents"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Not set: the usual documents. An empty list: no documents are required."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("defined by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("defined"), auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy policy")
        verbose_name_plural = _("subsidy policies")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                name="policy_dates_in_order",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
            ),
            models.CheckConstraint(
                name="policy_amounts_not_negative",
                condition=Q(
                    fixed_amount__gte=0, per_storey_amount__gte=0, per_stop_amount__gte=0, cost_share_percent__gte=0
                ),
            ),
            models.CheckConstraint(name="policy_share_at_most_100", condition=Q(cost_share_percent__lte=100)),
            models.CheckConstraint(name="policy_cap_positive", condition=Q(cap__isnull=True) | Q(cap__gt=0)),
        ]
        indexes = [models.Index(fields=["region", "effective_from"], name="policy_region_from")]

    def __str__(self) -> str:
        return self.name


class PolicyExtra(models.Model):
    """An extra a policy pays on top, up to a maximum (e.g. moving gas or water pipes)."""

    policy = models.ForeignKey(SubsidyPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="extras")
    name = models.CharField(_("name"), max_length=80)
    max_amount = _money(_("at most (yuan)"))

    class Meta:
        verbose_name = _("policy extra")
        verbose_name_plural = _("policy extras")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="policy_extra_positive", condition=Q(max_amount__gt=0)),
            models.UniqueConstraint(fields=["policy", "name"], name="policy_extra_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetQuerySet(ScopedQuerySet):
    reach = Reach(region="region__path")


class Budget(models.Model):
    """The money available in one year from one source for one district.

    `committed` is the sum of the approvals charged to it and `paid` what has gone out against them; both are
    kept by the services under a row lock, and the database refuses a commitment above the amount.
    """

    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("funding source"), max_length=12, choices=Source.choices)
    amount = _money(_("budget (yuan)"))
    committed = _money(_("approved (yuan)"), default=ZERO)
    paid = _money(_("paid (yuan)"), default=ZERO)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "source"], name="budget_unique_year_source"),
            models.CheckConstraint(name="budget_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="budget_committed_within_amount", condition=Q(committed__gte=0, committed__lte=F("amount"))
            ),
            models.CheckConstraint(
                name="budget_paid_within_committed", condition=Q(paid__gte=0, paid__lte=F("committed"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


class Status(models.TextChoices):
    """Where an application is. The review steps are the statuses COMMUNITY, SUBDISTRICT and DISTRICT."""

    DRAFT = "draft", _("Drafted, not yet submitted")
    RETURNED = "returned", _("Returned for correction")
    COMMUNITY = "community", _("Waiting for the community")
    SUBDISTRICT = "subdistrict", _("Waiting for the subdistrict")
    DISTRICT = "district", _("Waiting for district finance")
    APPROVED = "approved", _("Approved, not fully paid")
    PAID = "paid", _("Paid in full")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


# Files that can be changed and (re)submitted: drafts and files returned for correction.
NOT_APPLIED = (Status.DRAFT, Status.RETURNED)
# The application deadline is for the first submission only: a file returned for correction may always be
# submitted again. A draft has never been submitted (a returned file has).
DEADLINE_STATUSES = (Status.DRAFT,)
IN_REVIEW = (Status.COMMUNITY, Status.SUBDISTRICT, Status.DISTRICT)
PENDING = (*NOT_APPLIED, *IN_REVIEW)
REVIEW_STEPS = (Status.COMMUNITY, Status.SUBDISTRICT, Status.DISTRICT)
STEP_LABELS = [
    (Status.COMMUNITY.value, _("Community")),
    (Status.SUBDISTRICT.value, _("Subdistrict")),
    (Status.DISTRICT.value, _("District finance")),
]


class ApplicantKind(models.TextChoices):
    LEAD_OWNER = "lead_owner", _("Lead owner (for the owners)")
    IMPLEMENTING_BODY = "implementing_body", _("Implementing body")


# Staff see the subsidy files of projects in their area; a resident the files of the projects he leads (he is
# the lead owner, who applies for the owners); companies none. A direct filter on the joined project (not a
# sub-query), so the database starts from the area's projects.
def _application_reach(prefix: str = "") -> Reach:
    return Reach(
        region=f"{prefix}project__community__path",
        property_office=f"{prefix}project__estate__property_office",
        resident=f"{prefix}project__lead_owner_id",
    )


class ApplicationQuerySet(ScopedQuerySet):
    reach = _application_reach()


class SubsidyApplication(models.Model):
    """The subsidy file of one project: drafted on eligibility, reviewed in three steps, approved, paid."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="subsidy_application"
    )
    policy = models.ForeignKey(
        SubsidyPolicy,
        verbose_name=_("policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    # Why this policy: the project date that chose it, {"basis": "filed" | "completed" | "eligible" | "today",
    # "date": "YYYY-MM-DD"} (see rules.reference_date).
    policy_basis = models.JSONField(_("why this policy"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    status_since = models.DateTimeField(_("in this status since"), default=timezone.now)
    eligible_on = models.DateField(_("eligible since"))
    deadline = models.DateField(_("apply by"), null=True, blank=True)

    applicant_kind = models.CharField(
        _("applicant"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.LEAD_OWNER
    )
    applicant_owner = models.ForeignKey(
        "housing.Owner",
        verbose_name=_("lead owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applicant_name = models.CharField(_("implementing body"), max_length=120, blank=True)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=20, blank=True)
    payee_name = models.CharField(_("payee"), max_length=120, blank=True)
    payee_bank_name = models.CharField(_("payee's bank"), max_length=120, blank=True)
    payee_bank_account = models.CharField(_("payee's bank account"), max_length=34, blank=True)

    storeys = models.PositiveSmallIntegerField(_("storeys"))
    stops = models.PositiveSmallIntegerField(
        _("stops"), help_text=_("The landings the elevator serves (every storey unless entered otherwise).")
    )
    estimated_cost = _money(_("estimated cost (yuan)"), null=True, blank=True)
    audited_cost = _money(_("audited cost (yuan)"), null=True, blank=True)
    amount_due = _money(_("amount due (yuan)"), default=ZERO)
    # How the amount was worked out: [{"code": "fixed" | "per_storey" | "share" | "cap" | "extra", "amount": "…", …}].
    breakdown = models.JSONField(_("calculation"), default=list, blank=True)
    # Conditions the project does not meet, as codes with their values ([{"code": "min_storeys", …}]).
    unmet = models.JSONField(_("conditions not met"), default=list, blank=True)

    approved_amount = _money(_("approved amount (yuan)"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    paid_amount = _money(_("paid (yuan)"), default=ZERO)
    not_eligible_reason = models.CharField(_("why not eligible"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="application_amount_due_not_negative", condition=Q(amount_due__gte=0)),
            models.CheckConstraint(
                name="application_approved_positive",
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gt=0),
            ),
            # Never more paid than approved, never less than nothing: the backstop against paying twice.
            models.CheckConstraint(
                name="application_paid_within_approved",
                condition=Q(paid_amount=0) | Q(paid_amount__gt=0, paid_amount__lte=F("approved_amount")),
            ),
            models.CheckConstraint(
                name="application_approved_has_amount",
                condition=~Q(status__in=["approved", "paid"]) | Q(approved_amount__isnull=False, budget__isnull=False),
            ),
            models.CheckConstraint(
                name="application_paid_in_full", condition=~Q(status="paid") | Q(paid_amount=F("approved_amount"))
            ),
            models.CheckConstraint(
                name="application_not_eligible_has_reason",
                condition=~Q(status="not_eligible") | ~Q(not_eligible_reason=""),
            ),
            models.CheckConstraint(name="application_stops_range", condition=Q(stops__gte=1, stops__lte=200)),
        ]
        indexes = [models.Index(fields=["status", "status_since"], name="application_status_since")]

    def __str__(self) -> str:
        return f"{self.project.code}"

    @property
    def unpaid_amount(self) -> Decimal:
        return (self.approved_amount or ZERO) - self.paid_amount

    @property
    def deadline_applies(self) -> bool:
        """The deadline binds the first submission only; a file returned for correction may be resubmitted."""
        return self.deadline is not None and self.status in DEADLINE_STATUSES and self.submitted_at is None

    @property
    def applicant_display(self) -> str:
        if self.applicant_kind == ApplicantKind.LEAD_OWNER:
            return self.applicant_owner.name if self.applicant_owner_id else ""
        return self.applicant_name


class ApplicationExtra(models.Model):
    """An extra the application claims under its policy (e.g. pipe relocation), at most the extra's maximum."""

    application = models.ForeignKey(
        SubsidyApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="extras"
    )
    extra = models.ForeignKey(PolicyExtra, verbose_name=_("extra"), on_delete=models.PROTECT, related_name="+")
    amount = _money(_("amount claimed (yuan)"))

    class Meta:
        verbose_name = _("claimed extra")
        verbose_name_plural = _("claimed extras")
        constraints = [
            models.UniqueConstraint(fields=["application", "extra"], name="application_extra_once"),
            models.CheckConstraint(name="application_extra_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.extra} {self.amount}"


class ApplicationDocument(models.Model):
    """A file the application is submitted with. Never overwritten: a new upload is a new version."""

    application = models.ForeignKey(
        SubsidyApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("requirement"), max_length=32, choices=SubsidyDocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="subsidies/documents/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "version"], name="subsidy_document_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Decision(models.TextChoices):
    FORWARD = "forward", _("Passed on")
    RETURN = "return", _("Returned for correction")
    APPROVE = "approve", _("Approved")


class ReviewQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    reach = _application_reach("application__")


class Review(AppendOnlyModel, models.Model):
    """One reviewer's decision at one step, with the comment. Appended, never edited."""

    append_only_refusal = "Review decisions are append-only; record a new decision instead."

    application = models.ForeignKey(
        SubsidyApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="reviews"
    )
    step = models.CharField(_("step"), max_length=16, choices=STEP_LABELS)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"))
    amount = _money(_("approved amount (yuan)"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="review_approval_has_amount",
                condition=~Q(decision="approve") | Q(amount__gt=0, step="district"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.get_decision_display()}"


class BatchQuerySet(ScopedQuerySet):
    reach = Reach(region="region__path")


class PaymentBatch(models.Model):
    """Payments made together (one transfer list); its payment list is printed as a PDF."""

    number = models.CharField(_("batch number"), max_length=40, unique=True)
    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(_("payment date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-paid_on", "-id"]

    def __str__(self) -> str:
        return self.number


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Reversal")


class LedgerQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    reach = _application_reach("application__")


class LedgerEntry(AppendOnlyModel, models.Model):
    """One movement of subsidy money: a payment (positive) or the reversal of one (negative).

    append_only_refusal = "The subsidy ledger is append-only; record a reversal instead."

    A voucher number is used once; a retried request with the same idempotency key finds its first row.
    """

    application = models.ForeignKey(
        SubsidyApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="ledger"
    )
    batch = models.ForeignKey(
        PaymentBatch, verbose_name=_("batch"), on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = _money(_("amount (yuan)"))
    voucher_no = models.CharField(_("voucher number"), max_length=40, unique=True)
    paid_on = models.DateField(_("date"))
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
    )
    idempotency_key = models.CharField(_("request key"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="ledger_unique_request_key"
            ),
            models.CheckConstraint(
                name="ledger_sign_matches_kind",
                condition=Q(kind="payment", amount__gt=0, reverses__isnull=True)
                | Q(kind="reversal", amount__lt=0, reverses__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["application", "id"], name="ledger_application")]

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.amount}"
