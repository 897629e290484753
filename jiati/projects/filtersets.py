"""The project list's filters, shared by the page, its export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.core.hooks import collect
from jiati.organisation.filters import RegionFilter
from jiati.projects.models import Project, ScheduleState, Stage, Status
from jiati.web.filters import MineFilter, YesNoFilter


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter()
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    schedule = django_filters.ChoiceFilter(choices=ScheduleState.choices, method="in_state", label=_("Schedule"))
    blocked = YesNoFilter(method="is_blocked", label=_("Blocked"))
    missing_seven = YesNoFilter(method="missing_seven_ones", label=_("Missing seven ones"))
    flagged = YesNoFilter(method="with_flagged_company", label=_("Flagged company"))
    responsible = django_filters.NumberFilter(field_name="responsible", label=_("Responsible person"))
    mine = MineFilter(lookups=("responsible",))

    class Meta:
        model = Project
        fields = [
            "q",
            "region",
            "estate",
            "stage",
            "status",
            "schedule",
            "blocked",
            "missing_seven",
            "flagged",
            "responsible",
            "mine",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__iexact=value) | Q(estate__name__icontains=value))

    def in_state(self, queryset, name, value):
        return queryset.in_schedule_state(value)

    def is_blocked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(open_blockers__gt=0) if value else queryset.filter(open_blockers=0)

    def missing_seven_ones(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(seven_ones_done__lt=7) if value else queryset.filter(seven_ones_done=7)

    def with_flagged_company(self, queryset, name, value):
        """Projects whose brand, construction team or maintainer is black-listed or has an expired licence (the
        companies app answers through the `flags` hook, for the few companies these projects use)."""
        if value is None:
            return queryset
        roles = ("brand_id", "contractor_id", "maintainer_id")
        used = set()
        for role in roles:
            used.update(queryset.exclude(**{role: None}).order_by().values_list(role, flat=True).distinct())
        flagged = {flag["company_id"] for flag in collect("flags", "company_flags", company_ids=sorted(used))}
        running_with = Q()
        for role in roles:
            running_with |= Q(**{f"{role}__in": flagged})
        return queryset.filter(running_with) if value else queryset.exclude(running_with)
