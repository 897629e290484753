"""The four-level consultation platform (加梯会客厅): district office, subdistrict, community, and the
estate (party branch, property office and elevator company together). One meeting per elevator
(一梯一会): a meeting links to the projects it served; its resolutions are action items tracked to done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiati.accounts.models import Role
from jiati.accounts.scoping import area_q


class MeetingLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    ESTATE = "estate", _("Estate")


# The region level each meeting level sits at (an estate meeting sits in the estate's community).
REGION_LEVEL_OF = {
    MeetingLevel.DISTRICT: "district",
    MeetingLevel.SUBDISTRICT: "subdistrict",
    MeetingLevel.COMMUNITY: "community",
    MeetingLevel.ESTATE: "community",
}


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# 一梯一会 — one meeting per elevator — is a meeting with the owners of that stairwell: only estate- and
# community-level meetings count. Subdistrict meetings are the weekly review of blockers (每周一研判) and
# district meetings the monthly dispatch (每月一调度); they may serve projects, on record, but never count.
ONE_PER_ELEVATOR_LEVELS = (MeetingLevel.ESTATE, MeetingLevel.COMMUNITY)


def _area_meetings_q(user) -> Q:
    """Meetings hosted in the user's area, or serving a project of it."""
    own = area_q(user, region_path="region__path", property_office="property_office")
    served = MeetingProject.objects.filter(meeting=OuterRef("pk")).filter(
        area_q(user, region_path="project__community__path", property_office="project__estate__property_office")
    )
    return own | Q(Exists(served))


class MeetingQuerySet(models.QuerySet):
    def managed_by(self, user) -> MeetingQuerySet:
        """Meetings the user's area answers for: hosted in it, or serving one of its projects.

        Organisers change only these; `visible_to` adds the meetings the user merely takes part in.
        """
        from jiati.accounts.scoping import sees_everything

        if sees_everything(user):
            return self.all()
        return self.filter(_area_meetings_q(user))

    def visible_to(self, user) -> MeetingQuerySet:
        """Meetings of the user's area (`managed_by`), and those the user takes part in: invited (in person
        or as their company), owning one of its resolutions, or — for a contractor's or maintainer's staff —
        with their company as the meeting's elevator company or serving a project their company is assigned to.
        """
        from jiati.accounts.models import COMPANY_ROLES
        from jiati.accounts.scoping import sees_everything

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        company_id = user.company_id if user.role in COMPANY_ROLES else None
        invited = Q(user=user) | Q(company_id=company_id) if company_id else Q(user=user)
        takes_part = Q(Exists(MeetingInvitee.objects.filter(invited, meeting=OuterRef("pk")))) | Q(
            Exists(MeetingAction.objects.filter(meeting=OuterRef("pk"), owner=user))
        )
        if company_id:
            assigned = MeetingProject.objects.filter(meeting=OuterRef("pk")).filter(
                Q(project__contractor_id=company_id) | Q(project__maintainer_id=company_id)
            )
            takes_part |= Q(company_id=company_id) | Q(Exists(assigned))
        return self.filter(_area_meetings_q(user) | takes_part)

    def held(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.HELD)


class Meeting(models.Model):
    """A consultation meeting at one of the four levels."""

    level = models.CharField(_("level"), max_length=12, choices=MeetingLevel.choices)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("hosted by"), on_delete=models.PROTECT, related_name="+"
    )
    estate = models.ForeignKey(
        "housing.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    property_office = models.ForeignKey(
        "organisation.PropertyOffice",
        verbose_name=_("property office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    party_branch = models.CharField(_("estate party branch"), max_length=120, blank=True)
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("elevator company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=255)
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    held_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    sign_in_sheet = models.FileField(_("signed sign-in sheet"), upload_to="consultation/sign-in/%Y/", blank=True)
    sign_in_sheet_sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    projects = models.ManyToManyField(
        "projects.Project",
        through="MeetingProject",
        verbose_name=_("projects served"),
        related_name="consultation_meetings",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation meeting")
        verbose_name_plural = _("consultation meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(name="meeting_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(
                name="meeting_estate_level_has_estate", condition=~Q(level="estate") | Q(estate__isnull=False)
            ),
            models.CheckConstraint(
                name="meeting_held_has_minutes_time", condition=~Q(status="held") | Q(held_at__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["region", "-starts_at"], name="meeting_region_start"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_upcoming(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED and self.starts_at > timezone.now()


class MeetingProject(models.Model):
    """A project a meeting served (一梯一会)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="project_links"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="meeting_links"
    )
    # A project linked after the meeting was held is on record, but the meeting does not count as its 一梯一会.
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("project served")
        verbose_name_plural = _("projects served")
        constraints = [models.UniqueConstraint(fields=["meeting", "project"], name="meeting_project_unique")]
        indexes = [models.Index(fields=["project", "meeting"], name="meeting_project_by_project")]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.project_id}"


class InviteeKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    OWNER = "owner", _("Owner")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class MeetingInvitee(models.Model):
    """Someone invited to a meeting, and whether they came."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitees")
    kind = models.CharField(_("kind"), max_length=10, choices=InviteeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        "housing.Owner", verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=160)
    affiliation = models.CharField(_("unit or role"), max_length=160, blank=True)
    # A staff member's role when invited, as its code: shown in the reader's language beside the unit.
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    attended = models.BooleanField(_("came"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="invitee_unique_user"
            ),
            models.UniqueConstraint(
                fields=["meeting", "owner"], condition=Q(owner__isnull=False), name="invitee_unique_owner"
            ),
            models.UniqueConstraint(
                fields=["meeting", "company"], condition=Q(company__isnull=False), name="invitee_unique_company"
            ),
            models.CheckConstraint(
                name="invitee_identity_matches_kind",
                condition=(
                    Q(kind="staff", user__isnull=False, owner__isnull=True, company__isnull=True)
                    | Q(kind="owner", user__isnull=True, owner__isnull=False, company__isnull=True)
                    | Q(kind="company", user__isnull=True, owner__isnull=True, company__isnull=False)
                    | Q(kind="other", user__isnull=True, owner__isnull=True, company__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_affiliation(self) -> str:
        """Unit and role, the role in the reader's language."""
        return " ".join(part for part in (self.affiliation, self.get_role_display()) if part)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class MeetingActionQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingActionQuerySet:
        from jiati.accounts.scoping import sees_everything

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(Q(meeting__in=Meeting.objects.visible_to(user)) | Q(owner=user))

    def open(self) -> MeetingActionQuerySet:
        return self.filter(status=ActionStatus.OPEN)

    def overdue(self) -> MeetingActionQuerySet:
        return self.open().filter(due_date__lt=timezone.localdate())


class MeetingAction(models.Model):
    """A resolution of a meeting as an action item: who does what by when, tracked to done."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="actions")
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    description = models.CharField(pgettext_lazy("meeting", "resolution"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("resolution", "owner"),
        on_delete=models.PROTECT,
        related_name="meeting_actions",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = MeetingActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["status", "due_date", "id"]
        constraints = [
            models.CheckConstraint(name="action_done_has_time", condition=~Q(status="done") | Q(done_at__isnull=False))
        ]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="action_owner_open")]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_date < timezone.localdate()
