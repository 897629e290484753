"""The audit log page for the platform administrator and the district office (their own area's staff actions).

It lives in the web layer because reading the log is scoped by accounts, while every app (accounts included)
writes to it: `audit` stays at the bottom, next to core."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import area_q, sees_everything
from jiati.audit.models import AuditAction, AuditEntry
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def changes_text(changes) -> str:
    parts = []
    for key, value in (changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key}: {value[0]} → {value[1]}")
        else:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)[:300]


def audit_entries_visible_to(*, user):
    """The whole log is for platform administrators; others see the entries written by staff of their area.

    Every object page shows its own history to whoever may see the object.
    """
    if sees_everything(user):
        return AuditEntry.objects.all()
    if not user.is_authenticated or user.role not in ("district_office",):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(area_q(user, region_path="actor__region__path", property_office=None))


class AuditFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label=_("Object"))

    class Meta:
        model = AuditEntry
        fields = ["action", "object_repr"]


class AuditListView(ScopedListView):
    model = AuditEntry
    filterset_class = AuditFilterSet
    template_name = "core/list.html"
    title = _("Audit log")
    export_name = "audit"
    columns = [
        Column(_("Time"), "timestamp"),
        Column(_("By"), "actor"),
        Column(_("Action"), "get_action_display"),
        Column(_("Object"), "object_repr"),
        Column(_("Changes"), lambda e: changes_text(e.changes)),
    ]

    def get_base_queryset(self):
        return audit_entries_visible_to(user=self.request.user).select_related("actor")
