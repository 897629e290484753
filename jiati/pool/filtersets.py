"""One FilterSet per list, shared by the pages, their exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.housing.models import Stairwell
from jiati.organisation.filters import RegionFilter
from jiati.pool.models import Feasibility, Survey, SurveyStatus, Target
from jiati.pool.selectors import COVERAGE_FILTERS
from jiati.web.filters import YesNoFilter

COVERAGE_CHOICES = [
    ("pool", _("In the pool")),
    ("feasible", _("Feasible")),
    ("willing_feasible", _("Willing and feasible")),
    ("started", _("Started")),
    ("in_service", _("In service")),
    ("feasible_done", _("Feasible, started or in service")),
    ("willing_feasible_done", _("Willing and feasible, started or in service")),
]
SORT_CHOICES = [("priority", _("Priority, highest first"))]
FEASIBILITY_CHOICES = [*Feasibility.choices, ("none", _("Not assessed"))]


class PoolFilterSet(django_filters.FilterSet):
    """Filters the annotated pool (`selectors.with_pool_state`)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter()
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    coverage = django_filters.ChoiceFilter(
        choices=COVERAGE_CHOICES, method="by_coverage", label=_("Coverage"), empty_label="—"
    )
    feasibility = django_filters.ChoiceFilter(
        choices=FEASIBILITY_CHOICES, method="by_feasibility", label=_("Feasibility"), empty_label="—"
    )
    willing = YesNoFilter(field_name="is_willing", label=_("Willing"))
    has_project = YesNoFilter(method="by_project", label=_("Has a project"))
    min_storeys = django_filters.NumberFilter(field_name="storeys", lookup_expr="gte", label=_("At least storeys"))
    priority_min = django_filters.NumberFilter(method="by_priority", label=_("Priority at least"))
    priority_max = django_filters.NumberFilter(method="by_priority", label=_("Priority at most"))
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="sorted_by", label=_("Order"), empty_label=_("Newest first")
    )

    class Meta:
        model = Stairwell
        fields = [
            "q",
            "region",
            "estate",
            "coverage",
            "feasibility",
            "willing",
            "has_project",
            "min_storeys",
            "priority_min",
            "priority_max",
            "sort",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(estate__name__icontains=value) | Q(estate__code__iexact=value))

    def by_coverage(self, queryset, name, value):
        return queryset.filter(COVERAGE_FILTERS[value]) if value in COVERAGE_FILTERS else queryset

    def by_feasibility(self, queryset, name, value):
        if value == "none":
            return queryset.filter(feasibility__isnull=True)
        return queryset.filter(feasibility=value)

    def by_priority(self, queryset, name, value):
        """Points (0–100, to 0.01) against the stored score in hundredths (`selectors.with_priority`)."""
        if value is None:
            return queryset
        hundredths = int((value * 100).to_integral_value())
        lookup = "priority__gte" if name == "priority_min" else "priority__lte"
        return queryset.filter(**{lookup: hundredths})

    def sorted_by(self, queryset, name, value):
        """The order is applied by the page (a keyset on the stored score), its export and the API."""
        return queryset

    def by_project(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(project_id__isnull=not value)


class SurveyFilterSet(django_filters.FilterSet):
    region = RegionFilter()
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices, label=_("Status"), empty_label="—")
    is_willing = YesNoFilter(field_name="is_willing", label=_("Willing"))
    current = YesNoFilter(field_name="is_current", label=_("Current round"))

    class Meta:
        model = Survey
        fields = ["region", "estate", "status", "is_willing", "current"]


class TargetFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label=_("Year"))
    region = RegionFilter(region_path="region__path")

    class Meta:
        model = Target
        fields = ["year", "region"]
