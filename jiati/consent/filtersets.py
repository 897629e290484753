"""The consent lists' filters, shared by the pages, their exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from jiati.consent.models import (
    Ballot,
    Choice,
    NoticeStatus,
    Objection,
    ObjectionLevel,
    ObjectionStatus,
    PublicNotice,
    RollVoter,
    Vote,
    VoteStatus,
)
from jiati.organisation.filters import RegionFilter
from jiati.web.filters import YesNoFilter


class VoteFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter(region_path="project__community__path")
    status = django_filters.ChoiceFilter(choices=VoteStatus.choices, label=_("Status"))
    passed = YesNoFilter(label=_("Passed"))
    project = django_filters.NumberFilter(field_name="project", label=_("Project"))

    class Meta:
        model = Vote
        fields = ["q", "region", "status", "passed", "project"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(project__code__iexact=value) | Q(project__estate__name__icontains=value))


class NoticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter(region_path="project__community__path")
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices, label=_("Status"))
    project = django_filters.NumberFilter(field_name="project", label=_("Project"))

    class Meta:
        model = PublicNotice
        fields = ["q", "region", "status", "project"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(project__code__iexact=value) | Q(project__estate__name__icontains=value))


class ObjectionFilterSet(django_filters.FilterSet):
    region = RegionFilter(region_path="project__community__path")
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices, label=_("Status"))
    level = django_filters.ChoiceFilter(choices=ObjectionLevel.choices, label=_("Handling"))
    unresolved = YesNoFilter(method="only_unresolved", label=_("Not closed"))
    project = django_filters.NumberFilter(field_name="project", label=_("Project"))

    class Meta:
        model = Objection
        fields = ["region", "status", "level", "unresolved", "project"]

    def only_unresolved(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.unresolved() if value else queryset.filter(status=ObjectionStatus.CLOSED)


class RollFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Room or name"))
    voted = YesNoFilter(method="has_voted", label=_("Voted"))
    choice = django_filters.ChoiceFilter(choices=Choice.choices, method="with_choice", label=_("Choice"))

    class Meta:
        model = RollVoter
        fields = ["q", "voted", "choice"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(rooms__icontains=value) | Q(name__icontains=value))

    def has_voted(self, queryset, name, value):
        if value is None:
            return queryset
        voted = Exists(Ballot.objects.filter(voter=OuterRef("pk")))
        return queryset.filter(voted) if value else queryset.filter(~voted)

    def with_choice(self, queryset, name, value):
        return queryset.filter(ballots__choice=value)
