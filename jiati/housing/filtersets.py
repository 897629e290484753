"""One FilterSet per model, used by the list page, its export and the API."""

from __future__ import annotations

from functools import partial

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from jiati.accounts.permissions import sees_personal_data
from jiati.core.personal_data import normalise_id_number
from jiati.housing import services
from jiati.housing.models import Building, Dwelling, Estate, Owner, OwnerKind, Ownership, Stairwell
from jiati.organisation.filters import RegionFilter
from jiati.web.filters import MineFilter, YesNoFilter


class EstateFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter()
    property_office = django_filters.NumberFilter(field_name="property_office", label=_("Property office"))
    built_before = django_filters.NumberFilter(field_name="year_built", lookup_expr="lt", label=_("Built before"))
    mine = MineFilter(lookups=("responsible_staff", "buildings__responsible_person"))

    class Meta:
        model = Estate
        fields = ["q", "region", "property_office", "built_before", "mine"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value) | Q(address__icontains=value))

    @property
    def qs(self):
        # "mine" joins buildings; keep one row per estate.
        qs = super().qs
        return qs.distinct() if self.form.cleaned_data.get("mine") else qs


class BuildingFilterSet(django_filters.FilterSet):
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    region = RegionFilter()
    mine = MineFilter(lookups=("responsible_person", "estate__responsible_staff"))

    class Meta:
        model = Building
        fields = ["estate", "region", "mine"]


class StairwellFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter()
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    building = django_filters.NumberFilter(field_name="building", label=_("Building"))
    has_elevator = YesNoFilter(field_name="has_elevator", label=_("Has an elevator"))
    min_storeys = django_filters.NumberFilter(field_name="storeys", lookup_expr="gte", label=_("At least storeys"))
    mine = MineFilter(lookups=("building__responsible_person", "estate__responsible_staff"))

    class Meta:
        model = Stairwell
        fields = ["q", "region", "estate", "building", "has_elevator", "min_storeys", "mine"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(estate__name__icontains=value) | Q(estate__code__iexact=value))


class DwellingFilterSet(django_filters.FilterSet):
    region = RegionFilter()
    estate = django_filters.NumberFilter(field_name="estate", label=_("Estate"))
    building = django_filters.NumberFilter(field_name="building", label=_("Building"))
    stairwell = django_filters.NumberFilter(field_name="stairwell", label=_("Stairwell"))
    floor = django_filters.NumberFilter(field_name="floor", label=_("Floor"))
    room = django_filters.CharFilter(field_name="room", lookup_expr="iexact", label=_("Room"))

    class Meta:
        model = Dwelling
        fields = ["region", "estate", "building", "stairwell", "floor", "room"]


def _refuse_id_fragment(value):
    if value:
        raise ValidationError(
            _("Your role sees ID numbers masked, so it may not search by part of one; search by the whole number."),
            code="id_fragment_not_allowed",
        )


def _id_search_allowed(user, value):
    if value:
        services.owner_id_search(actor=user, id_number=value)


class OwnerFilterSet(django_filters.FilterSet):
    """Owners by name, kind, estate, and ID number.

    The whole ID number (`id_number`, an exact match) and part of one (`id_ending`) only by a role that sees ID
    numbers in full — otherwise a masked number could be recovered by guessing, one bit (or character) per
    request; a search by the whole number is also throttled and audited (`services.owner_id_search`).
    """

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(field_name="kind", choices=OwnerKind.choices, label=_("Kind"))
    id_number = django_filters.CharFilter(method="id_number_is", label=_("ID number (the whole number)"))
    id_ending = django_filters.CharFilter(method="id_number_ends", label=_("ID number ends with"))
    estate = django_filters.NumberFilter(method="in_estate", label=_("Estate"))
    several = YesNoFilter(method="owns_several", label=_("Owns several dwellings"))

    class Meta:
        model = Owner
        fields = ["q", "kind", "id_number", "id_ending", "estate", "several"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        # Checked with the form, so a refusal is a filter error (400 / the page's form), never an unfiltered list.
        id_number = django_filters.CharFilter(
            field_name="id_number",
            method="id_number_is",
            label=_("ID number (the whole number)"),
            validators=[partial(_id_search_allowed, user)],
        )
        id_number.parent = self
        self.filters["id_number"] = id_number
        if user is None or not sees_personal_data(user, "id_number"):
            # Kept (not dropped) so that a request using it is refused rather than silently unfiltered.
            self.filters["id_ending"] = django_filters.CharFilter(
                method="id_number_ends",
                label=_("ID number ends with"),
                validators=[_refuse_id_fragment],
            )

    def id_number_is(self, queryset, name, value):
        return queryset.filter(id_number=normalise_id_number(value))

    def id_number_ends(self, queryset, name, value):
        return queryset.filter(id_number__endswith=normalise_id_number(value))

    def in_estate(self, queryset, name, value):
        return queryset.filter(Exists(Ownership.objects.filter(owner=OuterRef("pk"), dwelling__estate_id=value)))

    def owns_several(self, queryset, name, value):
        if value is None:
            return queryset
        other = Ownership.objects.filter(owner=OuterRef("owner")).exclude(pk=OuterRef("pk"))
        several = Ownership.objects.filter(owner=OuterRef("pk")).filter(Exists(other))
        return queryset.filter(Exists(several)) if value else queryset.exclude(Exists(several))
