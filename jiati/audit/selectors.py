"""Reading the audit trail. Callers pass an object they already fetched through its scoped queryset."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from jiati.audit.models import AuditEntry


def audit_entries_for(*, instance: models.Model, limit: int = 50):
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return (
        AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk))
        .select_related("actor")
        .order_by("-id")[:limit]
    )


def audit_entries_visible_to(*, user):
    """The whole log is for platform administrators; others see the entries written by staff of their area.

    Every object page shows its own history to whoever may see the object.
    """
    from jiati.accounts.scoping import area_q, sees_everything

    if sees_everything(user):
        return AuditEntry.objects.all()
    if not user.is_authenticated or user.role not in ("district_office",):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(area_q(user, region_path="actor__region__path", property_office=None))
