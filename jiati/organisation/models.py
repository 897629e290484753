"""The organisation that runs the programme: the administrative tree, property
offices, service windows and service groups.

The tree (province → city → district → subdistrict → community) is keyed by the
official administrative-division codes where known; `path` holds the chain of
codes so that "everything under this unit" is one indexed prefix match.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import Role
from jiati.accounts.scoping import NOTHING, Reach, ScopedQuerySet, area_q


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")


LEVEL_ORDER = [level.value for level in RegionLevel]


def _region_staff(user) -> Q:
    """Staff see their own unit, everything under it (property offices: their office's community)."""
    if user.role == Role.PROPERTY:
        return Q(pk=user.property_office.community_id) if user.property_office_id else NOTHING
    return area_q(user, region_path="path", property_office=None)


class RegionQuerySet(ScopedQuerySet):
    # Staff see their own unit, everything under it and the units above it (for context).
    reach = Reach(staff=_region_staff)


class Region(models.Model):
    """One unit of the administrative tree."""

    code = models.CharField(_("division code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # "/440000/440300/440307/" — the codes from the root down, for subtree queries.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    # A division the official list no longer has: kept (staff, estates and the audit trail refer to it), not offered
    # for new records. Re-appearing in a later list brings it back.
    is_retired = models.BooleanField(_("retired"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="region_level_path")]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Region]:
        codes = list(self.path.strip("/").split("/")[:-1])
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def level_index(self) -> int:
        return LEVEL_ORDER.index(self.level)


class Workstation(models.Model):
    """The community workstation (社区工作站) — where the community's service window sits."""

    community = models.OneToOneField(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="workstation"
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("community workstation")
        verbose_name_plural = _("community workstations")

    def __str__(self) -> str:
        return self.name


class PropertyOfficeQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="pk")


class PropertyOffice(models.Model):
    """A property-management office (物业服务中心); one per estate or shared by several."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    company_name = models.CharField(_("property company"), max_length=120, blank=True)
    community = models.ForeignKey(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="property_offices"
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = PropertyOfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("property office")
        verbose_name_plural = _("property offices")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WindowKind(models.TextChoices):
    WORKSTATION = "workstation", _("Community workstation")
    PROPERTY_OFFICE = "property_office", _("Property office")


class ServiceWindowQuerySet(ScopedQuerySet):
    reach = Reach(region="community__path", property_office="property_office")


class ServiceWindow(models.Model):
    """A retrofit service window (加梯办事窗口) at a workstation or a property office."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=WindowKind.choices)
    workstation = models.ForeignKey(
        Workstation,
        verbose_name=_("workstation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
    )
    property_office = models.ForeignKey(
        PropertyOffice,
        verbose_name=_("property office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
    )
    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=255, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    staff_on_duty = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff on duty"), blank=True, related_name="service_windows"
    )
    is_active = models.BooleanField(_("open"), default=True)

    objects = ServiceWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["community__path", "name"]
        constraints = [
            models.CheckConstraint(
                name="window_at_exactly_one_place",
                condition=(
                    models.Q(kind="workstation", workstation__isnull=False, property_office__isnull=True)
                    | models.Q(kind="property_office", workstation__isnull=True, property_office__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class GroupLevel(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("District retrofit office")
    SUBDISTRICT_GROUP = "subdistrict_group", _("Subdistrict group")
    COMMUNITY_GROUP = "community_group", _("Community service group")
    PROPERTY_GROUP = "property_group", _("Property service group")


class ServiceGroupQuerySet(ScopedQuerySet):
    reach = Reach(region="region__path", property_office="property_office")


class ServiceGroup(models.Model):
    """A group that answers for an area: the district office, a subdistrict group, a community or property group."""

    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=24, choices=GroupLevel.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="groups")
    property_office = models.ForeignKey(
        PropertyOffice,
        verbose_name=_("property office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", verbose_name=_("members"), related_name="service_groups"
    )
    # The group's own WeCom chat robot: members' notices go there, not to one chat shared by the whole deployment.
    # The key in the address lets anyone post to the chat, so it is shown and audited masked.
    wecom_webhook_url = models.URLField(_("WeCom group robot address"), max_length=300, blank=True)

    objects = ServiceGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def wecom_webhook_masked(self) -> str:
        return mask_webhook(self.wecom_webhook_url)


def mask_webhook(url: str) -> str:
    """A robot address shown without its secret: the host, and the key's last four characters."""
    if not url:
        return ""
    parts = urlsplit(url)
    key = parse_qs(parts.query).get("key", [""])[0]
    return f"{parts.scheme}://{parts.netloc}/…" + (f"key=****{key[-4:]}" if key else "")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    LIAISON = "liaison", _("Liaison")
    MEMBER = "member", _("Member")


class GroupMembership(models.Model):
    group = models.ForeignKey(
        ServiceGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role in group"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    duties = models.CharField(_("duties"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique_member")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group}"
