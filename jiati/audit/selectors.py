"""Reading the audit trail. Callers pass an object they already fetched through its scoped queryset.

The scoped log page (`audit_entries_visible_to`) is in the web layer: `jiati.web.audit_log`."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from jiati.audit.models import AuditEntry, Disclosure


def audit_entries_for(*, instance: models.Model, limit: int = 50):
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return (
        AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk))
        .select_related("actor")
        .order_by("-id")[:limit]
    )


def disclosures_of(*, instance: models.Model, limit: int = 50):
    """Who was shown this object's full ID number or bank account, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return (
        Disclosure.objects.filter(content_type=content_type, object_id=str(instance.pk))
        .select_related("viewer")
        .order_by("-id")[:limit]
    )
