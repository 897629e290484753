"""Owner consent: votes under Civil Code Art. 278, the public notice and its objections, cost sharing.

- A `RuleSet` is a named, versioned set of thresholds (data, not code): `civil-code-278` by default,
  and local variants (Shenzhen 2018 building rule, Beijing "no objection from others", Shanghai two
  rounds). Each `RuleRound` says which owners vote (stairwell, building, estate) and holds its
  `RuleTest`s, each a fraction stored as numerator/denominator.
- A `Vote` freezes its roll when it opens (`RollVoter`: one head per owner however many dwellings,
  the developer's stock one head; `RollDwelling`: each dwelling with its counted area). Areas are
  kept as integer hundredths of a square metre so sums are exact on every database.
- `Ballot` is the owner's current choice (one per owner per vote: a database constraint);
  `BallotEntry` is the append-only history, each entry a link of the vote's hash chain with a receipt.
- `PublicNotice` and `Objection` (with its `ObjectionStep`s) guard the notice stage. An objection records who
  objects: an owner here (by his dwelling, or online) or an outside party; under a "no objection from other
  owners" round only owners of the round's wider area (`RuleRound.others_scope`) not on the roll count.
- `CostScheme` and its `CostShare` lines split the owners' part of the cost to the fen.

Nothing about a closed vote changes: the services refuse, and corrections are new, audited records; its result
(the round as it decided, the counts, each test) is stored when it closes and shown from there. A rule set
version is never edited either: other thresholds are a new version (`services.rule_set_create`).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import Reach, ScopedQuerySet, area_q
from jiati.core.append_only import AppendOnlyModel, AppendOnlyQuerySet


def centi_to_area(value: int | None) -> Decimal:
    """Integer hundredths of a m² → an exact Decimal with two places (8530 → 85.30)."""
    return Decimal(int(value or 0)).scaleb(-2)


def area_to_centi(value: Decimal) -> int:
    """An area with at most two decimal places → integer hundredths (refuses anything finer)."""
    scaled = Decimal(value) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"area {value} has more than two decimal places")
    return int(scaled)


def project_scope(user, prefix: str = "project__"):
    """The area filter for rows that hang off a project (its community path and its estate's office)."""
    return area_q(user, region_path=f"{prefix}community__path", property_office=f"{prefix}estate__property_office")


# --- rule sets ------------------------------------------------------------------


class Scope(models.TextChoices):
    """Which owners take part in a vote."""

    STAIRWELL = "stairwell", _("Stairwell")
    BUILDING = "building", _("Building")
    ESTATE = "estate", _("Estate")


class Measure(models.TextChoices):
    AREA = "area", _("exclusive area")
    OWNERS = "owners", _("owners")


class Basis(models.TextChoices):
    TOTAL = "total", _("all")
    PARTICIPATING = "participating", _("participating")
    AGREEING = "agreeing", _("agreeing")


class RuleSetQuerySet(ScopedQuerySet):
    # Rule sets are public law: every signed-in user may read them.
    reach = Reach(all_signed_in=True)

    def active(self) -> RuleSetQuerySet:
        return self.filter(is_active=True)


class RuleSet(models.Model):
    """A named, versioned way of deciding (a jurisdiction's rule). A new version is a new row; votes keep theirs."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=120, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="ruleset_unique_version"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="ruleset_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.shown_name} ({self.code} v{self.version})"

    def _shown(self, field: str) -> str:
        from jiati.consent.rules import builtin_shown

        return builtin_shown(self.code, self.version, field, getattr(self, field))

    @property
    def shown_name(self) -> str:
        """A built-in rule set's name in the reader's language (a version the office adds: as typed)."""
        return self._shown("name")

    @property
    def shown_jurisdiction(self) -> str:
        return self._shown("jurisdiction")

    @property
    def shown_legal_basis(self) -> str:
        return self._shown("legal_basis")

    @property
    def shown_description(self) -> str:
        """A built-in rule set's description in the reader's language (stored as its English source)."""
        from jiati.consent.rules import builtin_descriptions

        return gettext(self.description) if self.description in builtin_descriptions() else self.description

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"


class RuleRound(models.Model):
    """One round of a rule set: which owners vote and what they must reach (Shanghai: estate, then building)."""

    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    scope = models.CharField(_("default scope"), max_length=12, choices=Scope.choices, default=Scope.STAIRWELL)
    allowed_scopes = models.CharField(
        _("allowed scopes"), max_length=60, default=Scope.STAIRWELL, help_text=_("Comma-separated scopes.")
    )
    no_objection_from_others = models.BooleanField(
        _("no objection from other owners"),
        default=False,
        help_text=_("Owners outside the roll (e.g. the rest of the building) must have no open objection."),
    )
    others_scope = models.CharField(
        _("whose objections count"),
        max_length=12,
        choices=Scope.choices,
        default=Scope.BUILDING,
        help_text=_(
            "With “no objection from other owners”: the wider area whose owners, not on the roll, may block the vote."
        ),
    )

    class Meta:
        verbose_name = _("rule round")
        verbose_name_plural = _("rule rounds")
        ordering = ["rule_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="ruleround_unique_number"),
            models.CheckConstraint(name="ruleround_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} #{self.number}"

    def scopes(self) -> list[str]:
        allowed = [s.strip() for s in self.allowed_scopes.split(",") if s.strip() in Scope.values]
        return allowed or [self.scope]


class RuleTest(models.Model):
    """One test: numerator (participating/agreeing) over denominator (all/participating) of a measure ≥ threshold."""

    round = models.ForeignKey(RuleRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="tests")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.SlugField(_("name"), max_length=60)
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices)
    numerator = models.CharField(_("counted"), max_length=16, choices=Basis.choices)
    denominator = models.CharField(_("out of"), max_length=16, choices=Basis.choices)
    threshold_numerator = models.PositiveIntegerField(_("threshold numerator"))
    threshold_denominator = models.PositiveIntegerField(_("threshold denominator"))

    class Meta:
        verbose_name = _("rule test")
        verbose_name_plural = _("rule tests")
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="ruletest_unique_name"),
            models.CheckConstraint(
                name="ruletest_threshold_fraction",
                condition=Q(threshold_numerator__gte=1, threshold_numerator__lte=F("threshold_denominator")),
            ),
            models.CheckConstraint(
                name="ruletest_numerator_kind", condition=Q(numerator__in=["participating", "agreeing"])
            ),
            models.CheckConstraint(
                name="ruletest_denominator_kind", condition=Q(denominator__in=["total", "participating"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.threshold_numerator}/{self.threshold_denominator}"

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_numerator, self.threshold_denominator)


# --- votes ------------------------------------------------------------------------


class VoteStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("vote", "Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class VoteQuerySet(ScopedQuerySet):
    # Staff: votes on projects of their area. Residents: votes whose roll they are on. Companies: none.
    reach = Reach(
        region="project__community__path",
        property_office="project__estate__property_office",
        resident="roll__owner_id",
        distinct=True,
    )

    def led_by(self, owner) -> VoteQuerySet:
        """The votes (not cancelled) of the projects this owner leads as the lead owner: he may follow their
        live tally — counts only, never who voted what."""
        if owner is None:
            return self.none()
        return self.filter(project__lead_owner_id=owner.pk).exclude(status=VoteStatus.CANCELLED)


def new_public_token() -> str:
    """The vote's public address: random, so nobody can walk the votes by counting (issue 19)."""
    return secrets.token_urlsafe(16)


# A vote opened without a title is shown under this one, in the reader's language.
DEFAULT_VOTE_TITLE = gettext_noop("Owners' vote on adding an elevator")


class Vote(models.Model):
    """One owners' vote on a project under one round of one rule set; its roll is frozen when it opens."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="votes"
    )
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="votes")
    round_number = models.PositiveSmallIntegerField(_("round"), default=1)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.STAIRWELL)
    estate = models.ForeignKey("housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        "housing.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stairwell = models.ForeignKey(
        "housing.Stairwell",
        verbose_name=_("stairwell"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the organiser typed; blank for the default title, which is shown in the reader's language (`title`).
    typed_title = models.CharField(_("title"), max_length=200, blank=True, db_column="title")
    public_token = models.CharField(_("public link token"), max_length=32, unique=True, default=new_public_token)
    plan = models.TextField(_("the plan put to the vote"))
    cost_scheme = models.ForeignKey(
        "consent.CostScheme",
        verbose_name=_("cost sharing shown to owners"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="votes",
    )
    status = models.CharField(_("status"), max_length=10, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    opens_at = models.DateTimeField(_("opened"), default=timezone.now)
    closes_at = models.DateTimeField(_("voting ends"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    # The frozen roll's totals.
    owners_total = models.PositiveIntegerField(_("owners on the roll"), default=0)
    dwellings_total = models.PositiveIntegerField(_("dwellings on the roll"), default=0)
    area_total_centi = models.BigIntegerField(_("total exclusive area (0.01 m²)"), default=0)
    roll_hash = models.CharField(_("roll fingerprint (SHA-256)"), max_length=64, blank=True)
    # The ballot chain.
    ballot_seq = models.PositiveIntegerField(_("ballot entries"), default=0)
    chain_head = models.CharField(_("hash-chain head"), max_length=64, blank=True)
    # The result, written once when the vote closes.
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    owners_participating = models.PositiveIntegerField(_("owners participating"), null=True, blank=True)
    owners_agreeing = models.PositiveIntegerField(_("owners agreeing"), null=True, blank=True)
    area_participating_centi = models.BigIntegerField(_("participating area (0.01 m²)"), null=True, blank=True)
    area_agreeing_centi = models.BigIntegerField(_("agreeing area (0.01 m²)"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # The rule round it is held under, as it stood when the vote opened (a rule-set version is never edited): the
    # live result reads it from the row instead of three rule-set queries.
    rule_spec = models.JSONField(_("rule round"), default=dict, blank=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=Q(status="open"), name="vote_one_open_per_project"),
            models.CheckConstraint(name="vote_round_positive", condition=Q(round_number__gte=1)),
            models.CheckConstraint(name="vote_closes_after_opening", condition=Q(closes_at__gt=F("opens_at"))),
            models.CheckConstraint(
                name="vote_closed_has_result",
                condition=~Q(status="closed") | (Q(passed__isnull=False) & Q(closed_at__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="vote_status_closes")]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def title(self) -> str:
        """The title typed when the vote was opened, else the default title in the reader's language (issue 13)."""
        return self.typed_title or gettext(DEFAULT_VOTE_TITLE)

    @property
    def is_open(self) -> bool:
        return self.status == VoteStatus.OPEN

    @property
    def area_total(self) -> Decimal:
        return centi_to_area(self.area_total_centi)

    @property
    def voting_has_ended(self) -> bool:
        return timezone.now() >= self.closes_at

    @property
    def takes_ballots_online(self) -> bool:
        """Whether an owner can still vote online: the one test behind every online-vote QR code and link."""
        return self.is_open and not self.voting_has_ended

    def rule_round(self) -> RuleRound:
        return self.rule_set.rounds.get(number=self.round_number)


class RollVoterQuerySet(ScopedQuerySet):
    reach = Reach(via="vote")


class RollVoter(models.Model):
    """One head on a vote's frozen roll: an owner with all the dwellings he holds in the scope."""

    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="roll")
    owner = models.ForeignKey(
        "housing.Owner", verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_kind = models.CharField(_("owner kind"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    rooms = models.CharField(_("dwellings"), max_length=255)
    dwellings_count = models.PositiveIntegerField(_("number of dwellings"))
    area_centi = models.BigIntegerField(_("exclusive area (0.01 m²)"))
    lowest_floor = models.SmallIntegerField(_("lowest floor"), default=1)

    objects = RollVoterQuerySet.as_manager()

    class Meta:
        verbose_name = _("voter on the roll")
        verbose_name_plural = _("voters on the roll")
        ordering = ["vote", "lowest_floor", "rooms", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner"], name="rollvoter_one_head_per_owner"),
            models.CheckConstraint(name="rollvoter_area_positive", condition=Q(area_centi__gt=0)),
        ]
        indexes = [models.Index(fields=["vote", "phone"], name="rollvoter_phone")]

    def __str__(self) -> str:
        return f"{self.rooms} {self.name}"

    @property
    def area(self) -> Decimal:
        return centi_to_area(self.area_centi)

    @property
    def is_developer(self) -> bool:
        return self.owner_kind == "developer"


class RollDwelling(models.Model):
    """A dwelling on a vote's frozen roll, with the area the law counts and where it came from."""

    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="roll_dwellings")
    voter = models.ForeignKey(RollVoter, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="dwellings")
    dwelling = models.ForeignKey(
        "housing.Dwelling", verbose_name=_("dwelling"), on_delete=models.PROTECT, related_name="+"
    )
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room number"), max_length=60)
    area_centi = models.BigIntegerField(_("exclusive area (0.01 m²)"))
    area_source = models.CharField(_("area source"), max_length=10)

    class Meta:
        verbose_name = _("dwelling on the roll")
        verbose_name_plural = _("dwellings on the roll")
        ordering = ["vote", "floor", "room"]
        constraints = [models.UniqueConstraint(fields=["vote", "dwelling"], name="rolldwelling_unique")]

    def __str__(self) -> str:
        return self.room

    @property
    def area(self) -> Decimal:
        return centi_to_area(self.area_centi)


class Choice(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")


class Channel(models.TextChoices):
    PAPER = "paper", _("Paper ballot")
    ONLINE = "online", _("Online")
    PROXY = "proxy", _("By proxy")


class BallotQuerySet(ScopedQuerySet):
    reach = Reach(via="vote")


class Ballot(models.Model):
    """An owner's counted choice in a vote: one per owner per vote (database constraint). A change of mind
    updates it and appends a `BallotEntry`; the last one counts."""

    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(RollVoter, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    area_centi = models.BigIntegerField(_("exclusive area (0.01 m²)"))
    revision = models.PositiveIntegerField(_("times cast"), default=1)
    cast_at = models.DateTimeField(_("last cast"))
    latest_entry = models.OneToOneField(
        "consent.BallotEntry", verbose_name=_("latest entry"), on_delete=models.PROTECT, related_name="+"
    )

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote", "voter"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter"], name="ballot_one_per_owner_per_vote"),
        ]
        indexes = [models.Index(fields=["vote", "choice"], name="ballot_vote_choice")]

    def __str__(self) -> str:
        return f"{self.voter_id}: {self.choice}"


class BallotEntry(AppendOnlyModel, models.Model):
    """One casting of a ballot, never changed: the history, the receipt, and one link of the vote's hash chain."""

    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="entries")
    voter = models.ForeignKey(RollVoter, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="entries")
    sequence = models.PositiveIntegerField(_("number in the chain"))
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    cast_at = models.DateTimeField(_("cast"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proxy_name = models.CharField(_("proxy"), max_length=120, blank=True)
    signed_form = models.FileField(_("signed ballot form"), upload_to="consent/ballots/%Y/%m/", blank=True)
    signed_form_sha256 = models.CharField(_("signed form checksum"), max_length=64, blank=True)
    authorisation = models.FileField(_("proxy authorisation"), upload_to="consent/proxies/%Y/%m/", blank=True)
    authorisation_sha256 = models.CharField(_("authorisation checksum"), max_length=64, blank=True)
    receipt_digest = models.CharField(_("receipt (SHA-256)"), max_length=64, unique=True)
    # Online: which confirmed one-time code this was cast with (one ballot per owner per code).
    identity_nonce = models.CharField(_("code confirmation"), max_length=32, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot entry")
        verbose_name_plural = _("ballot entries")
        ordering = ["vote", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "sequence"], name="ballotentry_unique_sequence"),
            models.UniqueConstraint(
                fields=["voter", "identity_nonce"],
                condition=~Q(identity_nonce=""),
                name="ballotentry_one_per_code",
            ),
            models.CheckConstraint(
                name="ballotentry_proxy_has_authorisation",
                condition=~Q(channel="proxy") | ~Q(authorisation=""),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:12]}"


# --- public notice and objections ---------------------------------------------------


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class NoticeStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NoticeQuerySet(ScopedQuerySet):
    # Staff: notices in their area; residents: notices of projects where they own a dwelling.
    reach = Reach(
        region="project__community__path",
        property_office="project__estate__property_office",
        resident="project__stairwell__dwellings__ownerships__owner_id",
        distinct=True,
    )


NOTICE_PHASES = {
    "upcoming": pgettext_lazy("notice", "Not started"),
    "running": pgettext_lazy("notice", "Running"),
    "ended": pgettext_lazy("notice", "Period over"),
    "withdrawn": pgettext_lazy("notice", "Withdrawn"),
}


# A notice posted without a title is shown under this one, in the reader's language.
DEFAULT_NOTICE_TITLE = gettext_noop("Public notice on adding an elevator")


class PublicNotice(models.Model):
    """The plan and the owners' agreement, posted for a period (calendar or working days) for objections."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="notices"
    )
    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    # What the poster typed; blank for the default title, which is shown in the reader's language (`title`).
    typed_title = models.CharField(_("title"), max_length=200, blank=True, db_column="title")
    content = models.TextField(_("plan and agreement"))
    location = models.CharField(_("posted at"), max_length=255, blank=True)
    starts_on = models.DateField(_("first day"))
    period_days = models.PositiveSmallIntegerField(_("period"))
    day_kind = models.CharField(_("counted in"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    ends_on = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.POSTED)
    withdrawn_reason = models.CharField(_("reason for withdrawing"), max_length=255, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="notice_period_positive", condition=Q(period_days__gte=1)),
            models.CheckConstraint(name="notice_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="posted"), name="notice_one_posted_per_project"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title typed when the notice was posted, else the default title in the reader's language (issue 13)."""
        return self.typed_title or gettext(DEFAULT_NOTICE_TITLE)

    @property
    def has_ended(self) -> bool:
        return timezone.localdate() > self.ends_on

    @property
    def phase(self) -> str:
        """Where the notice stands today — the one status every list, page and panel shows (the stored status
        alone would still say "posted" after the period is over)."""
        if self.status == NoticeStatus.WITHDRAWN:
            return "withdrawn"
        today = timezone.localdate()
        if today < self.starts_on:
            return "upcoming"
        return "ended" if today > self.ends_on else "running"

    def get_phase_display(self) -> str:
        return str(NOTICE_PHASES[self.phase])

    @property
    def is_running(self) -> bool:
        return self.status == NoticeStatus.POSTED and self.starts_on <= timezone.localdate() <= self.ends_on


class ObjectionChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a service window")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class ObjectionLevel(models.TextChoices):
    """How far the handling has gone (domain.md §3: negotiation → mediation by the subdistrict → court)."""

    NEGOTIATION = "negotiation", _("Negotiation")
    MEDIATION = "mediation", _("Mediation by the subdistrict")
    COURT = "court", _("Court")


class ObjectionOutcome(models.TextChoices):
    NEGOTIATED = "negotiated", _("Settled by negotiation")
    MEDIATED = "mediated", _("Settled by mediation")
    WITHDRAWN = "withdrawn", _("Withdrawn by the objector")
    COURT = "court", _("Decided by a court")
    UNFOUNDED = "unfounded", _("Found unfounded after an answer")


class ObjectionQuerySet(ScopedQuerySet):
    # Staff: objections in their area; residents: their own.
    reach = Reach(
        region="project__community__path", property_office="project__estate__property_office", resident="owner_id"
    )

    def unresolved(self) -> ObjectionQuerySet:
        return self.exclude(status=ObjectionStatus.CLOSED)


class Objection(models.Model):
    """An objection to a project (during its vote or its public notice); it must be answered and closed."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="objections"
    )
    notice = models.ForeignKey(
        PublicNotice,
        verbose_name=_("public notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
    )
    owner = models.ForeignKey(
        "housing.Owner",
        verbose_name=_("objector (owner)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dwelling = models.ForeignKey(
        "housing.Dwelling",
        verbose_name=_("objector's dwelling"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the objector is not an owner here (an outside party)."),
    )
    name = models.CharField(_("objector"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("dwelling or address"), max_length=120, blank=True)
    channel = models.CharField(_("received"), max_length=10, choices=ObjectionChannel.choices)
    content = models.TextField(_("objection"))
    lodged_at = models.DateTimeField(_("lodged"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    level = models.CharField(
        _("handling"), max_length=12, choices=ObjectionLevel.choices, default=ObjectionLevel.NEGOTIATION
    )
    response = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ObjectionOutcome.choices, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-lodged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="objection_closed_has_outcome",
                condition=~Q(status="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="objection_answered_has_answer",
                condition=Q(status="open")
                | Q(status="closed", outcome="withdrawn")
                | (~Q(response="") & Q(answered_at__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="objection_project_status")]

    def __str__(self) -> str:
        return f"{self.name}: {self.content[:30]}"


class StepKind(models.TextChoices):
    LODGED = "lodged", _("Lodged")
    ANSWER = "answer", _("Answer")
    ESCALATED = "escalated", _("Escalated")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Closed")


class ObjectionStep(AppendOnlyModel, models.Model):
    """What was done about an objection, appended by the services, never edited."""

    objection = models.ForeignKey(
        Objection, verbose_name=_("objection"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices)
    level = models.CharField(_("handling"), max_length=12, choices=ObjectionLevel.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection step")
        verbose_name_plural = _("objection steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


# --- cost sharing -------------------------------------------------------------------


class CostMethod(models.TextChoices):
    AREA = "area", _("By exclusive area (Civil Code Art. 283)")
    FLOOR_COEFFICIENT = "floor_coefficient", _("Floor coefficient × area")
    FLOOR_PERCENT = "floor_percent", _("Share of the total per floor")
    CUSTOM = "custom", _("Custom weight per dwelling")


class SubsidyStatus(models.TextChoices):
    """Where the subsidy deducted in a scheme came from (the subsidies app, through the "costs" hook)."""

    ESTIMATED = "estimated", _("estimated")
    APPROVED = "approved", pgettext_lazy("subsidy", "approved")


def _resident_schemes(user) -> Q:
    """The schemes of the stairwells where the signed-in owner holds a dwelling."""
    if not user.owner_id:
        return Q(pk__in=[])
    from jiati.housing.models import Ownership  # housing is loaded after consent's models in some entry points

    return Q(
        project__stairwell_id__in=Ownership.objects.filter(owner_id=user.owner_id).values("dwelling__stairwell_id")
    )


class CostSchemeQuerySet(ScopedQuerySet):
    reach = Reach(
        region="project__community__path",
        property_office="project__estate__property_office",
        resident=_resident_schemes,
    )

    def for_owner(self, owner) -> CostSchemeQuerySet:
        """The schemes of the stairwells where this owner holds a dwelling (an owner signed in to the portal)."""
        if owner is None:
            return self.none()
        from jiati.housing.models import Ownership

        stairwells = Ownership.objects.filter(owner_id=owner.pk).values("dwelling__stairwell_id")
        return self.filter(project__stairwell_id__in=stairwells)


class CostScheme(models.Model):
    """How the owners' part of the cost is split between the stairwell's dwellings. Never edited: a new
    calculation is a new version, and the latest is current."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="cost_schemes"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    is_current = models.BooleanField(_("current"), default=True)
    method = models.CharField(_("method"), max_length=20, choices=CostMethod.choices, default=CostMethod.AREA)
    total_cost = models.DecimalField(_("total cost (yuan)"), max_digits=12, decimal_places=2)
    subsidy = models.DecimalField(_("subsidy deducted (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0))
    subsidy_status = models.CharField(_("subsidy status"), max_length=12, choices=SubsidyStatus.choices, blank=True)
    compensation_total = models.DecimalField(
        _("compensation to low floors (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    owners_pay = models.DecimalField(_("paid by the owners (yuan)"), max_digits=12, decimal_places=2)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("calculated by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("calculated"), auto_now_add=True)

    objects = CostSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost-sharing scheme")
        verbose_name_plural = _("cost-sharing schemes")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="costscheme_unique_version"),
            models.UniqueConstraint(fields=["project"], condition=Q(is_current=True), name="costscheme_one_current"),
            models.CheckConstraint(name="costscheme_cost_positive", condition=Q(total_cost__gt=0)),
            models.CheckConstraint(name="costscheme_subsidy_not_negative", condition=Q(subsidy__gte=0)),
            models.CheckConstraint(name="costscheme_pay_not_negative", condition=Q(owners_pay__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"

    @property
    def owners_part(self) -> Decimal:
        """The cost left to the owners once the subsidy is deducted (what the "net" column adds up to)."""
        return self.total_cost - self.subsidy

    def summary_lines(self) -> list[dict]:
        """The scheme's sum as labelled lines that add up, each line the sum of a column of the table below it.

        Compensation to low floors is paid by the paying owners on top of their part of the cost, so what they
        pay ("pays" column) is the owners' part plus the compensation; shown as one unexplained figure beside
        a table that added up to the owners' part, the page contradicted itself.
        """
        lines = [
            {"key": "total-cost", "sign": "", "label": _("Total cost"), "amount": self.total_cost},
            {
                "key": "subsidy",
                "sign": "−",
                "label": _("Subsidy deducted"),
                "amount": self.subsidy,
                "note": self.get_subsidy_status_display() if self.subsidy_status else "",
            },
            {"key": "owners-part", "sign": "=", "label": _("Cost to the owners"), "amount": self.owners_part},
        ]
        if self.compensation_total:
            lines += [
                {
                    "key": "compensation",
                    "sign": "+",
                    "label": _("Compensation to low floors, paid by the paying owners"),
                    "amount": self.compensation_total,
                },
                {"key": "owners-pay", "sign": "=", "label": _("Paid by the paying owners"), "amount": self.owners_pay},
            ]
        return lines


class CostShare(models.Model):
    """One dwelling's line in a cost-sharing scheme, in yuan to the fen."""

    scheme = models.ForeignKey(CostScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="shares")
    dwelling = models.ForeignKey(
        "housing.Dwelling", verbose_name=_("dwelling"), on_delete=models.PROTECT, related_name="+"
    )
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room number"), max_length=20)
    area = models.DecimalField(_("exclusive area (m²)"), max_digits=9, decimal_places=2)
    weight = models.CharField(_("weight"), max_length=60)
    share = models.DecimalField(_("pays (yuan)"), max_digits=12, decimal_places=2)
    covered = models.DecimalField(
        _("covered by the others (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    compensation = models.DecimalField(
        _("compensation received (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")
        ordering = ["scheme", "floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "dwelling"], name="costshare_unique_dwelling"),
            models.CheckConstraint(name="costshare_not_negative", condition=Q(share__gte=0, covered__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.room}: {self.share}"

    @property
    def net(self) -> Decimal:
        return self.share - self.compensation


class StagedBallotStackQuerySet(ScopedQuerySet):
    # Staged files are their uploader's alone, and only for the vote they were staged for.
    reach = Reach(also=lambda user: Q(created_by=user))


def _stack_token() -> str:
    return secrets.token_urlsafe(32)


class StagedBallotStack(models.Model):
    """The two files of a previewed stack of paper ballots, kept so that "Record" needs no second upload (a browser
    never keeps a file input's choice across a page load). Found by an unguessable token, for its uploader and its
    vote only, until it expires or is used; the sweep removes the stale ones with their files."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=_stack_token, editable=False)
    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    sheet = models.FileField(_("spreadsheet"), upload_to="consent/staged/%Y/%m/")
    sheet_name = models.CharField(_("spreadsheet name"), max_length=255)
    sheet_sha256 = models.CharField(_("spreadsheet checksum"), max_length=64)
    scans = models.FileField(_("scanned forms"), upload_to="consent/staged/%Y/%m/", blank=True)
    scans_name = models.CharField(_("scanned forms name"), max_length=255, blank=True)
    scans_sha256 = models.CharField(_("scanned forms checksum"), max_length=64, blank=True)

    objects = StagedBallotStackQuerySet.as_manager()

    class Meta:
        verbose_name = _("staged ballot stack")
        verbose_name_plural = _("staged ballot stacks")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sheet_name}"
