"""Retrofit projects: one per stairwell, moving through the stages of domain.md §4.

A project has one `stage` and one `status`; what happened is the append-only
`ProjectEvent` log (its timeline). The "seven ones" checklist, documents,
blockers and the reverse schedule hang off the project. Counters the lists
filter on (open blockers, seven-ones done, the current milestone's dates) are
kept on the row by the services, so a list of 200,000 projects filters on
indexed columns instead of recomputing in Python.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiati.accounts.scoping import NOTHING, Reach, ScopedQuerySet, is_active_staff
from jiati.core.append_only import AppendOnlyModel, AppendOnlyQuerySet


class Stage(models.TextChoices):
    """The stages in order (domain.md §4). The order of this class is the order of the work."""

    INTENTION = "intention", _("Intention")
    ORGANISED = "organised", _("Organised")
    CONSULTATION = "consultation", _("Consultation")
    VOTE = "vote", _("Owners' vote")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    DESIGN = "design", _("Design, brand, contractor and contract")
    APPROVALS = "approvals", _("Filing and approvals")
    CONSTRUCTION_NOTICE = "construction_notice", _("Construction notice")
    FOUNDATION = "foundation", _("Construction: foundation")
    SHAFT = "shaft", _("Construction: shaft")
    INSTALLATION = "installation", _("Construction: installation")
    FINISHING = "finishing", _("Construction: finishing")
    INSPECTION = "inspection", _("Inspection and acceptance")
    REGISTRATION = "registration", _("Registration for use")
    SUBSIDY = "subsidy", _("Subsidy")
    IN_SERVICE = "in_service", _("In service")


STAGE_ORDER: list[str] = [s.value for s in Stage]
CONSTRUCTION_STAGES = frozenset({Stage.FOUNDATION, Stage.SHAFT, Stage.INSTALLATION, Stage.FINISHING})


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


def next_stage(stage: str) -> str | None:
    index = stage_index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ScheduleState(models.TextChoices):
    """Where a project stands against its plan. A suspended or withdrawn project is not late: it shows its status."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")
    UNPLANNED = "unplanned", _("No schedule")
    DONE = "done", _("Done")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClusterQuerySet(ScopedQuerySet):
    # Staff of the estate's area (and its property office) see its clusters.
    reach = Reach(region="community__path", property_office="estate__property_office")


class Cluster(models.Model):
    """Several projects of one estate under one design (连片加梯)."""

    estate = models.ForeignKey(
        "housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="clusters"
    )
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    design = models.TextField(_("shared design"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


def sees_project_internals(user) -> bool:
    """Staff (and platform administrators) see everything about the projects they see: the checklist,
    blockers, comments and every document. Companies and residents see a narrower view."""
    return is_active_staff(user)


def _owned_stairwells(user):
    from jiati.housing.models import Ownership  # housing's models import nothing of projects; kept lazy for load order

    return Ownership.objects.filter(owner_id=user.owner_id).values("dwelling__stairwell_id")


class ProjectQuerySet(ScopedQuerySet):
    # Staff: projects in their area. Contractors: the projects their company is assigned to build.
    # Maintainers: the elevators in service their company maintains. Residents: the projects of stairwells
    # where they own a dwelling.
    reach = Reach(
        region="community__path",
        property_office="estate__property_office",
        contractor="contractor_id",
        maintainer=lambda user: (
            Q(maintainer_id=user.company_id, stage=Stage.IN_SERVICE) if user.company_id else NOTHING
        ),
        resident=lambda user: Q(stairwell_id__in=_owned_stairwells(user)) if user.owner_id else NOTHING,
    )

    def with_schedule_state(self) -> ProjectQuerySet:
        """Annotate `schedule_state` in SQL from the status and the current milestone's dates (no Python per row).
        `Project.current_schedule_state` is the same rule for one row read without it (keep the two alike: a test
        compares them in every state)."""
        today = timezone.localdate()
        return self.annotate(
            schedule_state=Case(
                When(status=Status.WITHDRAWN, then=Value(ScheduleState.WITHDRAWN)),
                When(status=Status.SUSPENDED, then=Value(ScheduleState.SUSPENDED)),
                When(stage=Stage.IN_SERVICE, then=Value(ScheduleState.DONE)),
                When(stage_due__isnull=True, then=Value(ScheduleState.UNPLANNED)),
                When(stage_due__lt=today, then=Value(ScheduleState.OVERDUE)),
                When(stage_at_risk_from__lte=today, then=Value(ScheduleState.AT_RISK)),
                default=Value(ScheduleState.ON_TRACK),
                output_field=models.CharField(),
            )
        )

    def in_schedule_state(self, state: str) -> ProjectQuerySet:
        """The same states as `with_schedule_state`, as a filter on indexed columns."""
        today = timezone.localdate()
        live = Q(status=Status.ACTIVE) & ~Q(stage=Stage.IN_SERVICE)
        if state == ScheduleState.WITHDRAWN:
            return self.filter(status=Status.WITHDRAWN)
        if state == ScheduleState.SUSPENDED:
            return self.filter(status=Status.SUSPENDED)
        if state == ScheduleState.OVERDUE:
            return self.filter(live, stage_due__lt=today)
        if state == ScheduleState.AT_RISK:
            return self.filter(live, stage_due__gte=today, stage_at_risk_from__lte=today)
        if state == ScheduleState.ON_TRACK:
            return self.filter(live, stage_due__gte=today, stage_at_risk_from__gt=today)
        if state == ScheduleState.UNPLANNED:
            return self.filter(live, stage_due__isnull=True)
        if state == ScheduleState.DONE:
            return self.filter(status=Status.ACTIVE, stage=Stage.IN_SERVICE)
        return self


SEVEN_ONES = (
    ("lead_owner", _("Lead owner")),
    ("working_group", _("Working group")),
    ("service_team", _("Service team")),
    ("chat_group", _("Chat work group")),
    ("brand", _("Elevator brand")),
    ("contractor", _("Construction team")),
    ("contract_review", _("Reviewed construction contract")),
)


class Project(models.Model):
    """One elevator retrofit of one stairwell."""

    code = models.CharField(_("project number"), max_length=32, unique=True)
    stairwell = models.ForeignKey(
        "housing.Stairwell", verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="projects"
    )
    estate = models.ForeignKey(
        "housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="projects"
    )
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices, default=Stage.INTENTION)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    # The person who owns the next step.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects_responsible",
    )
    target_date = models.DateField(_("target completion date"), null=True, blank=True)
    # The current stage's milestone from the current plan (kept by the schedule services).
    stage_due = models.DateField(_("stage due"), null=True, blank=True)
    stage_at_risk_from = models.DateField(_("at risk from"), null=True, blank=True)

    # The seven ones (七个一).
    lead_owner = models.ForeignKey(
        "housing.Owner",
        verbose_name=_("lead owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_led",
    )
    chat_group_name = models.CharField(_("chat work group"), max_length=120, blank=True)
    chat_group_link = models.URLField(_("chat group link"), blank=True)
    chat_group_qr = models.ImageField(_("chat group QR code"), upload_to="projects/chat-qr/%Y/", blank=True)
    brand = models.ForeignKey(
        "companies.Company",
        verbose_name=_("elevator brand"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_as_brand",
    )
    contractor = models.ForeignKey(
        "companies.Company",
        verbose_name=_("construction team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_as_contractor",
    )
    maintainer = models.ForeignKey(
        "companies.Company",
        verbose_name=_("maintainer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_as_maintainer",
    )
    seven_ones_done = models.PositiveSmallIntegerField(_("seven ones done"), default=0)
    open_blockers = models.PositiveSmallIntegerField(_("open blockers"), default=0)

    estimated_cost = models.DecimalField(
        _("estimated cost (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-id"]
        constraints = [
            # At most one live project per stairwell; a withdrawn one leaves room for a new one.
            models.UniqueConstraint(
                fields=["stairwell"], condition=~Q(status="withdrawn"), name="project_one_live_per_stairwell"
            ),
            models.CheckConstraint(name="project_seven_ones_range", condition=Q(seven_ones_done__lte=7)),
            models.CheckConstraint(
                name="project_at_risk_before_due",
                condition=Q(stage_at_risk_from__isnull=True) | Q(stage_at_risk_from__lte=F("stage_due")),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "stage", "-id"], name="project_community_stage"),
            models.Index(fields=["stage_due"], name="project_stage_due"),
            models.Index(fields=["responsible", "-id"], name="project_responsible"),
            models.Index(fields=["contractor", "-id"], name="project_contractor"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_live(self) -> bool:
        return self.status == Status.ACTIVE

    def stage_number(self) -> int:
        return stage_index(self.stage) + 1

    @property
    def current_schedule_state(self) -> str:
        """`schedule_state` as `with_schedule_state` annotates it, worked out here for a row read without it: the
        API's answer for one project then costs no CASE to build and compile (benchmarks/README.md, "HTTP load").
        Today is read on every call: a long-running process never keeps yesterday's date."""
        annotated = self.__dict__.get("schedule_state")
        if annotated is not None:
            return annotated
        today = timezone.localdate()
        if self.status == Status.WITHDRAWN:
            return ScheduleState.WITHDRAWN
        if self.status == Status.SUSPENDED:
            return ScheduleState.SUSPENDED
        if self.stage == Stage.IN_SERVICE:
            return ScheduleState.DONE
        if self.stage_due is None:
            return ScheduleState.UNPLANNED
        if self.stage_due < today:
            return ScheduleState.OVERDUE
        if self.stage_at_risk_from is not None and self.stage_at_risk_from <= today:
            return ScheduleState.AT_RISK
        return ScheduleState.ON_TRACK


class EventKind(models.TextChoices):
    CREATED = "created", _("Project opened")
    STAGE = "stage", _("Stage changed")
    CHECKLIST = "checklist", _("Checklist changed")
    DOCUMENT = "document", _("Document added")
    BLOCKER_OPENED = "blocker_opened", _("Blocker recorded")
    BLOCKER_RESOLVED = "blocker_resolved", _("Blocker resolved")
    COMMENT = "comment", _("Comment")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Reopened")
    PLANNED = "planned", _("Schedule planned")
    ASSIGNED = "assigned", _("Responsible person changed")
    PROGRESS = "progress", _("Construction progress")
    CLUSTER = "cluster", _("Cluster changed")
    OTHER = "other", _("Other")


# What people outside the staff see of a timeline: how the work moves on, not its comments and blockers.
OUTSIDE_EVENT_KINDS = frozenset({EventKind.CREATED, EventKind.STAGE, EventKind.PROGRESS})


class ProjectEventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    reach = Reach(via="project")

    def visible_to(self, user) -> ProjectEventQuerySet:
        """Events of the projects the user sees; outside the staff only the stage moves."""
        events = super().visible_to(user)
        return events if sees_project_internals(user) else events.filter(kind__in=OUTSIDE_EVENT_KINDS)


class ProjectEvent(AppendOnlyModel, models.Model):
    """The timeline: every change to a project, appended by the services, never edited."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    from_stage = models.CharField(_("from stage"), max_length=24, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=24, choices=Stage.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = ProjectEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "-at"], name="projectevent_timeline")]

    def __str__(self) -> str:
        return f"{self.project} {self.kind}"

    @property
    def text(self) -> str:
        """The entry's sentence in the reader's language (stored as msgid + values), or the text as typed; worded
        from what `stored_text.prepare` read for the whole timeline when it was prepared."""
        from jiati.core.stored_text import reading_of, render

        return render(self.data.get("text"), reading_of(self)) or self.message


class WorkingGroupMember(models.Model):
    """An owner in the project's working group (工作小组)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="working_group"
    )
    owner = models.ForeignKey("housing.Owner", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("working-group member")
        verbose_name_plural = _("working-group members")
        constraints = [models.UniqueConstraint(fields=["project", "owner"], name="workinggroup_unique_owner")]

    def __str__(self) -> str:
        return str(self.owner)


class ServiceTeamMember(models.Model):
    """A staff member in the project's service team (加梯服务队)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="service_team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="service_teams"
    )
    role = models.CharField(_("role"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("service-team member")
        verbose_name_plural = _("service-team members")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="serviceteam_unique_user")]

    def __str__(self) -> str:
        return str(self.user)


class ReviewResult(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("review", "Approved")
    CHANGES = "changes", _("Changes required")
    REJECTED = "rejected", _("Rejected")


class ContractReview(models.Model):
    """A review of the construction contract (审查施工合同); the latest approved one ticks the seventh one."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="contract_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField(_("review date"))
    findings = models.TextField(_("findings"), blank=True)
    result = models.CharField(_("result"), max_length=12, choices=ReviewResult.choices)
    contract_amount = models.DecimalField(
        _("contract amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract review")
        verbose_name_plural = _("contract reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.get_result_display()}"


class DocumentKind(models.TextChoices):
    """What a document proves; stage guards ask for these."""

    CONSENT_FORMS = "consent_forms", _("Signed consent forms")
    DESIGN_DRAWINGS = "design_drawings", _("Design drawings")
    SAFETY_APPRAISAL = "safety_appraisal", _("Structural safety appraisal")
    CONSTRUCTION_CONTRACT = "construction_contract", _("Construction contract")
    FILING_RECEIPT = "filing_receipt", _("Filing and approval receipt")
    CONSTRUCTION_NOTIFICATION = "construction_notification", _("Construction notification to the authority")
    CONSTRUCTION_PHOTO = "construction_photo", _("Construction photo")
    INSPECTION_CERTIFICATE = "inspection_certificate", _("Inspection certificate")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report")
    REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate for use")
    OTHER = "other", _("Other")


# Who outside the staff may open which documents (staff who see a project open all of them). Signed consent
# forms, contracts' money and everything filed as "other" stay with the staff.
PUBLIC_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.DESIGN_DRAWINGS,
        DocumentKind.CONSTRUCTION_NOTIFICATION,
        DocumentKind.INSPECTION_CERTIFICATE,
        DocumentKind.ACCEPTANCE_REPORT,
        DocumentKind.REGISTRATION_CERTIFICATE,
    }
)
# What the construction team needs to build, and what it reports.
CONSTRUCTION_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.DESIGN_DRAWINGS,
        DocumentKind.SAFETY_APPRAISAL,
        DocumentKind.CONSTRUCTION_CONTRACT,
        DocumentKind.FILING_RECEIPT,
        DocumentKind.CONSTRUCTION_NOTIFICATION,
        DocumentKind.CONSTRUCTION_PHOTO,
    }
)
# What the maintainer of an elevator in service needs.
MAINTENANCE_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.DESIGN_DRAWINGS,
        DocumentKind.INSPECTION_CERTIFICATE,
        DocumentKind.ACCEPTANCE_REPORT,
        DocumentKind.REGISTRATION_CERTIFICATE,
    }
)


def document_kinds_visible_to(user) -> frozenset[str] | None:
    """The document kinds this user may open on the projects they see; None: every kind (staff)."""
    from jiati.accounts.models import Role

    if sees_project_internals(user):
        return None
    return {
        Role.CONTRACTOR: CONSTRUCTION_DOCUMENT_KINDS,
        Role.MAINTAINER: MAINTENANCE_DOCUMENT_KINDS,
        Role.RESIDENT: PUBLIC_DOCUMENT_KINDS,
    }.get(user.role, frozenset())


class ProjectDocumentQuerySet(models.QuerySet):
    def of_project(self, project: Project) -> ProjectDocumentQuerySet:
        """The project's own documents and those its cluster shares (the cluster's design)."""
        return self.of_project_keys(project.pk, project.cluster_id)

    def of_project_keys(self, project_id, cluster_id) -> ProjectDocumentQuerySet:
        """`of_project` by the project's key and its cluster's (None: no cluster); the page's statements compiled
        once pass markers for them (`core.prepared`)."""
        condition = Q(project_id=project_id)
        if cluster_id is not None:
            condition |= Q(cluster_id=cluster_id)
        return self.filter(condition)

    def visible_to(self, user) -> ProjectDocumentQuerySet:
        """Documents of the projects the user sees (their own and their clusters' shared ones), of the kinds
        the user may open — checked document by document, for lists and downloads alike."""
        projects = Project.objects.visible_to(user)
        clusters = projects.filter(cluster__isnull=False).values("cluster")
        documents = self.filter(Q(project__in=projects.values("pk")) | Q(cluster__in=clusters))
        kinds = document_kinds_visible_to(user)
        return documents if kinds is None else documents.filter(kind__in=kinds)

    def visible_on(self, project: Project, user) -> ProjectDocumentQuerySet:
        """`visible_to(user).of_project(project)` for a project the user sees (read through its own scope): its
        documents and its cluster's pass `visible_to`'s scope by that alone, so only the kinds are checked (the
        scope's subqueries cost the project page more to compile than its documents took to read, issue 18).
        Keep in step with `visible_to`."""
        kinds = document_kinds_visible_to(user)
        documents = self.of_project(project)
        return documents if kinds is None else documents.filter(kind__in=kinds)


class ProjectDocument(models.Model):
    """A file attached to the requirement it satisfies. Never overwritten: a new upload is a new version.

    Design drawings uploaded to a project of a cluster are the cluster's shared design (`cluster` is set):
    they count for, and show on, every project of the cluster."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="documents")
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("shared with cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("requirement"), max_length=32, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    stage = models.CharField(_("stage when added"), max_length=24, choices=Stage.choices)
    file = models.FileField(_("file"), upload_to="projects/documents/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ProjectDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["project", "kind", "version"], name="document_unique_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class BlockerStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("blocker", "Open")
    RESOLVED = "resolved", _("Resolved")


class BlockerQuerySet(ScopedQuerySet):
    reach = Reach(via="project")

    def visible_to(self, user) -> BlockerQuerySet:
        """Blockers are the staff's working notes: staff see those of the projects they see, nobody else any."""
        return super().visible_to(user) if sees_project_internals(user) else self.none()


class Blocker(models.Model):
    """What holds a project back (堵点/难点), whose it is to clear, by when, and how it was cleared."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="blockers")
    description = models.CharField(_("what"), max_length=255)
    party = models.CharField(_("whose"), max_length=120, help_text=_("Who must act: an owner, a company, a bureau…"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="blockers_assigned",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=BlockerStatus.choices, default=BlockerStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = BlockerQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")
        ordering = ["status", "due_date"]
        indexes = [models.Index(fields=["status", "due_date"], name="blocker_open_due")]

    def __str__(self) -> str:
        return self.description


class StageDuration(models.Model):
    """How many working days each stage is planned to take (the district office's setting)."""

    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("working days"))

    class Meta:
        verbose_name = _("stage duration")
        verbose_name_plural = _("stage durations")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.working_days}"


class SchedulePlan(models.Model):
    """One reverse schedule (倒排工期) of a project. Re-planning adds a plan; earlier ones stay as history."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    target_date = models.DateField(_("target completion date"))
    is_current = models.BooleanField(_("current"), default=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("planned"), auto_now_add=True)

    class Meta:
        verbose_name = _("schedule plan")
        verbose_name_plural = _("schedule plans")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="plan_unique_version"),
            models.UniqueConstraint(fields=["project"], condition=Q(is_current=True), name="plan_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"


class Milestone(models.Model):
    """When a stage is planned to start and to be finished, in one plan."""

    plan = models.ForeignKey(SchedulePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices)
    planned_start = models.DateField(_("planned start"))
    due_date = models.DateField(_("due date"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date"]
        constraints = [models.UniqueConstraint(fields=["plan", "stage"], name="milestone_unique_stage")]

    def __str__(self) -> str:
        return f"{self.stage} {self.due_date}"
