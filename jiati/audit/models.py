"""The audit trail: who changed what, when, with the values before and after.

Rows are only ever added (services call `jiati.audit.services.audit_record`).
Personal data is masked before it is written here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiati.core.append_only import AppendOnlyModel, AppendOnlyQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    EVENT = "event", _("Event")


class AuditEntry(AppendOnlyModel, models.Model):
    """One change, export, import or event, as it happened; rows are only ever added."""

    timestamp = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # {"field": [before, after], ...}; for a creation, before is None.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("note"), max_length=255, blank=True)
    request_id = models.CharField(_("request"), max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class DisclosureChannel(models.TextChoices):
    PAGE = "page", pgettext_lazy("shown in", "page")
    EXPORT = "export", pgettext_lazy("shown in", "export or print")
    API = "api", pgettext_lazy("shown in", "API")


class DisclosureKind(models.TextChoices):
    """The personal data whose every display in full is recorded (PIPL: who looked at what)."""

    ID_NUMBER = "id_number", _("ID number")
    BANK_ACCOUNT = "bank_account", pgettext_lazy("personal data", "bank account")


class Disclosure(AppendOnlyModel, models.Model):
    """One person shown one subject's full ID number or bank account, once per response (page, export, API)."""

    timestamp = models.DateTimeField(_("time"), db_index=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seen by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("data shown"), max_length=16, choices=DisclosureKind.choices)
    channel = models.CharField(_("shown in"), max_length=8, choices=DisclosureChannel.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("belongs to"), max_length=200)
    path = models.CharField(_("web address"), max_length=255, blank=True)
    request_id = models.CharField(_("request"), max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure of personal data")
        verbose_name_plural = _("disclosures of personal data")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="disclosure_subject")]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.kind} {self.object_repr}"
