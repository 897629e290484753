"""Filters for the consultation lists, shared by the pages, their exports and the API."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.consultation.models import (
    ActionStatus,
    Article,
    ArticleKind,
    ArticleStatus,
    Booking,
    BookingStatus,
    Channel,
    ConsultationRecord,
    Meeting,
    MeetingAction,
    MeetingLevel,
    MeetingStatus,
    Petition,
    PetitionChannel,
    PetitionLevel,
    PetitionStatus,
    Topic,
    WindowSlot,
)
from jiati.consultation.models.petitions import OPEN_STATUSES
from jiati.consultation.selectors import DEADLINE_BUCKETS, deadline_bucket_q, unit_unassigned_q
from jiati.organisation.filters import RegionFilter
from jiati.projects.models import Project, Stage
from jiati.web.filters import MineFilter, YesNoFilter


class SlotFilterSet(django_filters.FilterSet):
    window = django_filters.NumberFilter(field_name="window", label=_("Window"))
    upcoming = YesNoFilter(method="is_upcoming", label=_("Still to come"))
    free = YesNoFilter(method="has_places", label=_("Places left"))

    class Meta:
        model = WindowSlot
        fields = ["window", "upcoming", "free"]

    def is_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(starts_at__gt=now) if value else queryset.filter(starts_at__lte=now)

    def has_places(self, queryset, name, value):

        if value is None:
            return queryset
        return queryset.filter(booked__lt=F("capacity")) if value else queryset.filter(booked__gte=F("capacity"))


class BookingFilterSet(django_filters.FilterSet):
    region = RegionFilter(region_path="window__community__path")
    window = django_filters.NumberFilter(field_name="window", label=_("Window"))
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices, label=_("Status"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    day = django_filters.DateFilter(field_name="slot__starts_at", lookup_expr="date", label=_("Day"))

    class Meta:
        model = Booking
        fields = ["region", "window", "status", "topic", "day"]


class ConsultationFilterSet(django_filters.FilterSet):
    region = RegionFilter()
    window = django_filters.NumberFilter(field_name="window", label=_("Window"))
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    project = django_filters.NumberFilter(field_name="project", label=_("Project"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    follow_up = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))],
        method="follow_up_state",
        label=_("Follow-up"),
    )
    since = django_filters.DateFilter(field_name="consulted_at", lookup_expr="date__gte", label=_("Since"))
    mine = MineFilter(lookups=("recorded_by", "follow_up_by"))

    class Meta:
        model = ConsultationRecord
        fields = ["region", "window", "estate", "project", "topic", "channel", "follow_up", "since", "mine"]

    def follow_up_state(self, queryset, name, value):
        if value == "open":
            return queryset.follow_up_open()
        if value == "overdue":
            return queryset.follow_up_overdue()
        if value == "done":
            return queryset.filter(follow_up_done_at__isnull=False)
        return queryset


class MeetingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    region = RegionFilter(region_path="region__path")
    level = django_filters.ChoiceFilter(choices=MeetingLevel.choices, label=_("Level"))
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label=_("Status"))
    project = django_filters.NumberFilter(field_name="project_links__project", label=_("Project"))
    upcoming = YesNoFilter(method="is_upcoming", label=_("Still to come"))
    mine = MineFilter(lookups=("organiser",))

    class Meta:
        model = Meeting
        fields = ["q", "region", "level", "status", "project", "upcoming", "mine"]

    def is_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(starts_at__gt=now) if value else queryset.filter(starts_at__lte=now)


class ActionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    overdue = YesNoFilter(method="is_overdue", label=_("Overdue"))
    meeting = django_filters.NumberFilter(field_name="meeting", label=_("Meeting"))
    project = django_filters.NumberFilter(field_name="project", label=_("Project"))
    mine = MineFilter(lookups=("owner",))

    class Meta:
        model = MeetingAction
        fields = ["status", "overdue", "meeting", "project", "mine"]

    def by_deadline(self, queryset, name, value):
        return queryset.filter(deadline_bucket_q(value, today=timezone.localdate())) if value else queryset

    def is_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        late = Q(status=ActionStatus.OPEN, due_date__lt=today)
        return queryset.filter(late) if value else queryset.exclude(late)


class PetitionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter()
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    project = django_filters.NumberFilter(field_name="project", label=_("Project"))
    status = django_filters.ChoiceFilter(choices=PetitionStatus.choices, label=_("Status"))
    open = YesNoFilter(method="is_open", label=_("Open"))
    overdue = YesNoFilter(method="is_overdue", label=_("Overdue"))
    deadline = django_filters.ChoiceFilter(choices=DEADLINE_BUCKETS, method="by_deadline", label=_("Deadline"))
    level = django_filters.ChoiceFilter(choices=PetitionLevel.choices, label=_("Handled at"))
    channel = django_filters.ChoiceFilter(choices=PetitionChannel.choices, label=_("Received through"))
    mine = MineFilter(lookups=("handler",))
    unit = YesNoFilter(method="for_my_unit", label=_("Without a handler, for my unit"))
    letter_due = YesNoFilter(field_name="letter_due", label=_("Letter to post"))

    class Meta:
        model = Petition
        fields = [
            "q",
            "region",
            "estate",
            "project",
            "status",
            "open",
            "overdue",
            "deadline",
            "level",
            "channel",
            "mine",
            "unit",
            "letter_due",
        ]

    def for_my_unit(self, queryset, name, value):

        request = getattr(self, "request", None)
        if value is None or request is None:
            return queryset
        unit = unit_unassigned_q(request.user)
        return queryset.filter(unit) if value else queryset.exclude(unit)

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__iexact=value.strip()) | Q(subject__icontains=value.strip()))

    def is_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def by_deadline(self, queryset, name, value):
        return queryset.filter(deadline_bucket_q(value, today=timezone.localdate())) if value else queryset

    def is_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class ArticleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    kind = django_filters.ChoiceFilter(choices=ArticleKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices, label=_("Status"))
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES, label=_("Language"))

    class Meta:
        model = Article
        fields = ["q", "kind", "status", "language"]


class CoverageGapFilterSet(django_filters.FilterSet):
    region = RegionFilter()
    stage = django_filters.ChoiceFilter(
        choices=[c for c in Stage.choices if c[0] in Stage.values[Stage.values.index(Stage.CONSULTATION) :]],
        label=_("Stage"),
    )
    mine = MineFilter(lookups=("responsible",))

    class Meta:
        model = Project
        fields = ["region", "stage", "mine"]
