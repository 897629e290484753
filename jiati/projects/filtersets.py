"""The project list's filters, shared by the page, its export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
