"""Filters shared by the list pages, their exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.organisation.filters import RegionFilter
from jiati.subsidies.models import (
    EntryKind,
    LedgerEntry,
    Source,
    Status,
    SubsidyApplication,
    SubsidyPolicy,
)
from jiati.subsidies.selectors import BUCKETS, WITHDRAWN_BUCKET, in_bucket, late_q, waiting_for
from jiati.web.filters import YesNoFilter


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter(region_path="project__community__path")
    bucket = django_filters.ChoiceFilter(
        choices=[*((key, label) for key, label, _statuses in BUCKETS), WITHDRAWN_BUCKET],
        method="in_bucket",
        label=_("Tracker"),
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    overdue = YesNoFilter(method="past_deadline", label=_("Past the deadline"))
    waiting_for_me = YesNoFilter(method="for_me", label=_("Waiting for me"))

    class Meta:
        model = SubsidyApplication
        fields = ["q", "region", "bucket", "status", "overdue", "waiting_for_me"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(project__code__iexact=value) | Q(project__estate__name__icontains=value))

    def in_bucket(self, queryset, name, value):

        return in_bucket(queryset, value)

    def past_deadline(self, queryset, name, value):

        if value is None:
            return queryset
        late = late_q()
        return queryset.filter(late) if value else queryset.exclude(late)

    def for_me(self, queryset, name, value):

        request = getattr(self, "request", None)
        if not value or request is None:
            return queryset
        return queryset.filter(pk__in=waiting_for(user=request.user).values("pk"))


class LedgerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter(region_path="application__project__community__path")
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    source = django_filters.ChoiceFilter(
        field_name="application__budget__source", choices=Source.choices, label=_("Funding source")
    )
    paid_from = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label=_("From"))
    paid_to = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label=_("Until"))
    batch = django_filters.NumberFilter(field_name="batch", label=_("Batch"))
    application = django_filters.NumberFilter(field_name="application", label=_("Application"))

    class Meta:
        model = LedgerEntry
        fields = ["q", "region", "kind", "source", "paid_from", "paid_to", "batch", "application"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(voucher_no__iexact=value) | Q(application__project__code__iexact=value))


class PolicyFilterSet(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Funding source"))
    in_force = YesNoFilter(method="in_force_today", label=_("In force today"))

    class Meta:
        model = SubsidyPolicy
        fields = ["source", "in_force"]

    def in_force_today(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.in_force_on(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)
