"""The retrofit pool (愿装尽装、可装尽装): every stairwell that could get an elevator.

A stairwell is a candidate when it has at least `min_storeys` storeys and no elevator (domain.md §8). The pool
adds what the housing registry does not know: whether an elevator can be built there (`Assessment`, redone
assessments kept as history), whether the owners want one (`Survey` with one current `SurveyAnswer` per dwelling,
earlier answers kept), who needs it most (`MobilityNeed`), how much the district wants done (`Target`), the
pool's own rules per district (`PoolSettings`) and an estate-wide cluster's shared works (`ClusterWork`).

Counters the lists and coverage figures filter on (the survey's answers by kind, whether it is "willing") are
kept on the survey row by the services, so coverage is an aggregate over indexed columns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiati.accounts.scoping import area_q


def pool_scope(user, prefix: str = "") -> Q:
    return area_q(user, region_path=f"{prefix}community__path", property_office=f"{prefix}estate__property_office")


# --- settings ---------------------------------------------------------------------------------------------


class PoolSettings(models.Model):
    """The pool's rules for one region (a district, usually) and everything under it.

    Where a region has no row, the nearest region above it with one applies, else the defaults below.
    """

    region = models.OneToOneField(
        "organisation.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="pool_settings"
    )
    min_storeys = models.PositiveSmallIntegerField(_("minimum storeys for the pool"), default=4)
    willing_numerator = models.PositiveSmallIntegerField(_("willing share: numerator"), default=2)
    willing_denominator = models.PositiveSmallIntegerField(_("willing share: denominator"), default=3)
    weight_elderly = models.PositiveSmallIntegerField(_("weight: owners aged 70 or more"), default=25)
    weight_mobility = models.PositiveSmallIntegerField(_("weight: recorded mobility needs"), default=20)
    weight_floors = models.PositiveSmallIntegerField(_("weight: floors"), default=15)
    weight_feasibility = models.PositiveSmallIntegerField(_("weight: feasibility"), default=15)
    weight_willingness = models.PositiveSmallIntegerField(_("weight: willingness"), default=20)
    weight_cluster = models.PositiveSmallIntegerField(_("weight: cluster potential"), default=5)
    # The residents' cost estimate, where nobody has a contract price yet: base + per storey × storeys.
    typical_cost_base = models.PositiveIntegerField(_("typical elevator cost: base (yuan)"), default=400_000)
    typical_cost_per_storey = models.PositiveIntegerField(_("typical elevator cost: per storey (yuan)"), default=30_000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pool settings")
        verbose_name_plural = _("pool settings")
        constraints = [
            models.CheckConstraint(
                name="poolsettings_storeys_range", condition=Q(min_storeys__gte=2, min_storeys__lte=50)
            ),
            models.CheckConstraint(
                name="poolsettings_share_proper",
                condition=Q(willing_denominator__gte=1, willing_numerator__gte=1)
                & Q(willing_numerator__lte=models.F("willing_denominator")),
            ),
            models.CheckConstraint(
                name="poolsettings_some_weight",
                condition=Q(weight_elderly__gt=0)
                | Q(weight_mobility__gt=0)
                | Q(weight_floors__gt=0)
                | Q(weight_feasibility__gt=0)
                | Q(weight_willingness__gt=0)
                | Q(weight_cluster__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return str(self.region)


# --- feasibility ---------------------------------------------------------------------------------------------


class Feasibility(models.TextChoices):
    FEASIBLE = "feasible", _("Feasible")
    CONDITIONAL = "conditional", _("Feasible with conditions")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


FEASIBLE_RESULTS = (Feasibility.FEASIBLE, Feasibility.CONDITIONAL)


class Obstacle(models.TextChoices):
    """Why a stairwell is not (or only conditionally) feasible (domain.md §8)."""

    NO_SPACE = "no_space", _("No space for the shaft")
    FIRE_LANE = "fire_lane", _("Would block a fire lane")
    PIPES = "pipes", _("Underground pipes or cables to move")
    STRUCTURE = "structure", _("Structure")
    DAYLIGHT = "daylight", _("Daylight taken from neighbours")
    PROTECTED = "protected", _("Protected building")


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        return self.filter(pool_scope(user))


class Assessment(models.Model):
    """A feasibility assessment (可行性评估) of one stairwell, on site. A new one replaces the current one; the
    earlier ones stay as its history."""

    stairwell = models.ForeignKey(
        "housing.Stairwell", verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="pool_assessments"
    )
    estate = models.ForeignKey("housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=16, choices=Feasibility.choices)
    obstacles = models.JSONField(_("reasons"), default=list, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    note = models.TextField(_("note"), blank=True)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    is_current = models.BooleanField(_("current"), default=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("feasibility assessment")
        verbose_name_plural = _("feasibility assessments")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stairwell"], condition=Q(is_current=True), name="assessment_one_current_per_stairwell"
            ),
        ]
        indexes = [models.Index(fields=["community", "result"], name="assessment_community_result")]

    def __str__(self) -> str:
        return f"{self.stairwell_id} {self.result}"

    def obstacle_labels(self) -> list[str]:
        labels = dict(Obstacle.choices)
        return [str(labels.get(code, code)) for code in self.obstacles]


class EvidenceKind(models.TextChoices):
    SITE_PHOTO = "site_photo", _("Site photo")
    STRUCTURAL_APPRAISAL = "structural_appraisal", _("Structural safety appraisal")
    OTHER = "other", _("Other")


class AssessmentEvidence(models.Model):
    """A file behind an assessment: a site photo, the structural safety appraisal… checked like every upload."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to="pool/evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=80)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment evidence")
        verbose_name_plural = _("assessment evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


# --- willingness ------------------------------------------------------------------------------------------------


class SurveyStatus(models.TextChoices):
    # Contexts: "Open" and "Closed" mean other things elsewhere (a blocker, a window…).
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> SurveyQuerySet:
        return self.filter(pool_scope(user))


class Survey(models.Model):
    """A willingness survey (意愿征集) of one stairwell: for planning, never the legal vote.

    The counters are kept by the services from the current answers; `is_willing` says whether at least the
    configured share of the stairwell's dwellings answered "willing".
    """

    stairwell = models.ForeignKey(
        "housing.Stairwell", verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="pool_surveys"
    )
    estate = models.ForeignKey("housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    dwelling_count = models.PositiveIntegerField(_("dwellings"), default=0)
    willing_count = models.PositiveIntegerField(_("willing"), default=0)
    not_willing_count = models.PositiveIntegerField(_("not willing"), default=0)
    undecided_count = models.PositiveIntegerField(_("undecided"), default=0)
    is_willing = models.BooleanField(_("willing stairwell"), default=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("willingness survey")
        verbose_name_plural = _("willingness surveys")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stairwell"], condition=Q(is_current=True), name="survey_one_current_per_stairwell"
            ),
        ]
        indexes = [models.Index(fields=["community", "is_willing"], name="survey_community_willing")]

    def __str__(self) -> str:
        return f"{self.stairwell}"

    @property
    def answered_count(self) -> int:
        return self.willing_count + self.not_willing_count + self.undecided_count

    @property
    def progress_percent(self) -> int:
        return (self.answered_count * 100 // self.dwelling_count) if self.dwelling_count else 0


class AnswerChoice(models.TextChoices):
    WILLING = "willing", _("Willing")
    NOT_WILLING = "not_willing", _("Not willing")
    UNDECIDED = "undecided", _("Undecided")


class Channel(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visit")
    PAPER_FORM = "paper_form", _("Paper form")
    PORTAL = "portal", _("Resident portal")


class SurveyAnswerQuerySet(models.QuerySet):
    def visible_to(self, user) -> SurveyAnswerQuerySet:
        return self.filter(survey__in=Survey.objects.visible_to(user).values("pk"))


class SurveyAnswer(models.Model):
    """One dwelling's answer. A later answer for the same dwelling replaces it (`is_current` off), kept as history."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="answers")
    dwelling = models.ForeignKey(
        "housing.Dwelling", verbose_name=_("dwelling"), on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=16, choices=AnswerChoice.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        "housing.Owner",
        verbose_name=_("answered by owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    is_current = models.BooleanField(_("current"), default=True)

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dwelling"], condition=Q(is_current=True), name="surveyanswer_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dwelling_id} {self.answer}"


# --- who needs it most ------------------------------------------------------------------------------------------


class MobilityKind(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("Wheelchair user")
    WALKING_AID = "walking_aid", _("Walks with an aid")
    BEDRIDDEN = "bedridden", _("Bedridden or housebound")
    OTHER = "other", _("Other")


class MobilityNeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> MobilityNeedQuerySet:
        return self.filter(pool_scope(user))


class MobilityNeed(models.Model):
    """A resident of a dwelling with a recorded mobility need (no name, no diagnosis: only what planning uses)."""

    dwelling = models.ForeignKey(
        "housing.Dwelling", verbose_name=_("dwelling"), on_delete=models.PROTECT, related_name="+"
    )
    stairwell = models.ForeignKey(
        "housing.Stairwell", verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="mobility_needs"
    )
    estate = models.ForeignKey("housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MobilityKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MobilityNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mobility need")
        verbose_name_plural = _("mobility needs")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["dwelling"], condition=Q(is_active=True), name="mobilityneed_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.dwelling_id} {self.kind}"


# --- targets ------------------------------------------------------------------------------------------------------


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetQuerySet:
        """A region's staff see the targets of their region, of everything under it and of the regions above it
        (a community sees its subdistrict's). Property offices and companies see none."""
        from jiati.accounts.models import REGION_ROLES
        from jiati.accounts.scoping import sees_everything

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything(user):
            return self
        if user.role in REGION_ROLES and user.region_id:
            path = user.region.path
            ancestors = list(_path_prefixes(path))
            return self.filter(Q(region__path__startswith=path) | Q(region__path__in=ancestors))
        return self.none()


def _path_prefixes(path: str) -> list[str]:
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


class Target(models.Model):
    """A yearly target (任务指标) for a subdistrict or community, set by the district."""

    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="pool_targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    projects_started = models.IntegerField(_("projects started"))
    elevators_in_service = models.IntegerField(_("elevators in service"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("set"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="target_one_per_region_year"),
            models.CheckConstraint(
                name="target_not_negative", condition=Q(projects_started__gte=0, elevators_in_service__gte=0)
            ),
            models.CheckConstraint(name="target_year_plausible", condition=Q(year__gte=2000, year__lte=2100)),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


# --- clusters --------------------------------------------------------------------------------------------------------


class AllocationRule(models.TextChoices):
    """How a cluster's shared works are split across its member projects, to the fen (largest remainder)."""

    EQUAL = "equal", _("Equally per member project")
    DWELLINGS = "dwellings", _("In proportion to the members' dwellings")
    AREA = "area", _("In proportion to the members' exclusive area")


class ClusterWorkQuerySet(models.QuerySet):
    def visible_to(self, user) -> ClusterWorkQuerySet:
        return self.filter(pool_scope(user, "cluster__"))


class ClusterWork(models.Model):
    """Shared landscape works of a cluster (the "garden below"), its cost split across the member projects."""

    cluster = models.ForeignKey(
        "projects.Cluster", verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="pool_works"
    )
    description = models.CharField(_("works"), max_length=200)
    cost = models.DecimalField(_("cost (yuan)"), max_digits=12, decimal_places=2)
    rule = models.CharField(_("allocation rule"), max_length=12, choices=AllocationRule.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ClusterWorkQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared works")
        verbose_name_plural = _("shared works")
        ordering = ["id"]
        constraints = [models.CheckConstraint(name="clusterwork_cost_positive", condition=Q(cost__gt=0))]

    def __str__(self) -> str:
        return self.description


# --- priority, stored ---------------------------------------------------------------------------------------------


class StairwellPriorityQuerySet(models.QuerySet):
    def visible_to(self, user) -> StairwellPriorityQuerySet:
        return self.filter(pool_scope(user, "stairwell__"))


class StairwellPriority(models.Model):
    """A stairwell's priority score, stored so that the whole pool can be sorted and filtered by it, with the inputs
    it was computed from (`rules.PriorityInputs`).

    The pool's services refresh it when they change an input; saves in housing and projects (owners, dwellings,
    storeys, cluster membership) refresh it after their commit (`priority.py`); a new weight set rescores a
    region's rows from the stored inputs in one UPDATE; `ages_change_on` tells the daily sweep when an owner turns
    70 without anything being saved.
    """

    stairwell = models.OneToOneField(
        "housing.Stairwell",
        verbose_name=_("stairwell"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pool_priority",
    )
    community = models.ForeignKey(
        "organisation.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    owners_elderly = models.PositiveIntegerField(_("owners aged 70 or more"), default=0)
    owners_known_age = models.PositiveIntegerField(_("owners whose age is known"), default=0)
    dwellings = models.PositiveIntegerField(_("dwellings"), default=0)
    dwellings_with_mobility_need = models.PositiveIntegerField(_("dwellings with a mobility need"), default=0)
    storeys = models.PositiveSmallIntegerField(_("storeys"), default=0)
    feasibility = models.CharField(_("feasibility"), max_length=16, choices=Feasibility.choices, blank=True)
    willing = models.PositiveIntegerField(_("willing"), default=0)
    cluster_potential = models.BooleanField(_("cluster potential"), default=False)
    ages_change_on = models.DateField(_("next 70th birthday"), null=True, blank=True)
    score_hundredths = models.PositiveIntegerField(_("priority score (hundredths of a point)"), default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = StairwellPriorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("stairwell priority")
        verbose_name_plural = _("stairwell priorities")
        constraints = [
            models.CheckConstraint(name="priority_score_range", condition=Q(score_hundredths__lte=10000)),
            models.CheckConstraint(
                name="priority_elderly_among_known",
                condition=Q(owners_elderly__lte=models.F("owners_known_age")),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "-score_hundredths"], name="priority_community_score"),
            models.Index(fields=["ages_change_on"], name="priority_ages_change_on"),
        ]

    def __str__(self) -> str:
        return f"{self.stairwell_id} {self.score}"

    @property
    def score(self):
        from decimal import Decimal

        return Decimal(self.score_hundredths).scaleb(-2)
