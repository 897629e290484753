"""The audit log page for the platform administrator and the district office (their own area's staff actions)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jiati.audit.models import AuditAction, AuditEntry
from jiati.core.columns import Column
from jiati.core.lists import ScopedListView


def changes_text(changes) -> str:
    parts = []
    for key, value in (changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key}: {value[0]} → {value[1]}")
        else:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)[:300]


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
        from jiati.audit.selectors import audit_entries_visible_to

        return audit_entries_visible_to(user=self.request.user).select_related("actor")
