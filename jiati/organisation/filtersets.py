"""Filters for the organisation lists, shared with the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from jiati.organisation.filters import RegionFilter
from jiati.organisation.models import (
    GroupLevel,
    PropertyOffice,
    Region,
    RegionLevel,
    ServiceGroup,
    ServiceWindow,
    WindowKind,
)


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    parent = django_filters.NumberFilter(field_name="parent", label=_("Parent"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]


class PropertyOfficeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    region = RegionFilter()

    class Meta:
        model = PropertyOffice
        fields = ["q", "region"]


class ServiceWindowFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=WindowKind.choices, label=_("Kind"))
    region = RegionFilter()

    class Meta:
        model = ServiceWindow
        fields = ["q", "kind", "region"]


class ServiceGroupFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    level = django_filters.ChoiceFilter(choices=GroupLevel.choices, label=_("Level"))
    region = RegionFilter(region_path="region__path")

    class Meta:
        model = ServiceGroup
        fields = ["q", "level", "region"]
