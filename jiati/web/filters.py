"""Filters shared by list pages and the API (django-filter). The area filter is `organisation.filters.RegionFilter`."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

# What a 64-bit integer column holds. SQLite cannot bind a larger Python int (OverflowError, a 500), and Django
# guards only the exact/compare lookups of an integer field itself, not a foreign key's: `?estate=2**64` failed on
# every list filtering by a related id.
INT64 = (MinValueValidator(-(2**63)), MaxValueValidator(2**63 - 1))


def bound_numbers(filterset):
    """Give every number in a filter form (single or comma-separated) the 64-bit range, so an integer past it is
    a filter error (400 in the API, a form error on the page) rather than a database error. Returns the filterset.
    Called once for every filterset, by the API's filter backend and by `core.lists.ScopedListView`."""
    for field in filterset.form.fields.values():
        if isinstance(field, (forms.DecimalField, forms.IntegerField, forms.FloatField)):
            field.validators.extend(validator for validator in INT64 if validator not in field.validators)
    return filterset


class FilterBackend(DjangoFilterBackend):
    """django-filter's DRF backend, with every filterset's numbers bounded (`bound_numbers`)."""

    def filter_queryset(self, request, queryset, view):
        # A detail request (a project, its actions) names its row: the list's filters do not apply, and building
        # the whole FilterSet (form, fields, choices) took 15 % of a project detail call (benchmarks/README.md).
        if getattr(view, "detail", False):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        return bound_numbers(filterset) if filterset is not None else None


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """A yes/no select whose empty choice reads "—" (any), not "unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget())
        super().__init__(*args, **kwargs)


class MineFilter(django_filters.BooleanFilter):
    """“Mine”: what the signed-in user answers for (分片包干 / 专人包栋). `lookups` are OR-ed user fields."""

    def __init__(self, *args, lookups: tuple[str, ...], **kwargs):
        self.lookups = lookups
        kwargs.setdefault("label", _("Only mine"))
        kwargs.setdefault("widget", YesNoWidget())
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        request = getattr(self.parent, "request", None)
        if not value or request is None:
            return qs
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{lookup: request.user})
        return qs.filter(condition)
