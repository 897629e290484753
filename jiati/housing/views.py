"""Pages of the housing registry: thin — scoped selectors in, services for writes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.permissions import can_edit_housing, sees_personal_data
from jiati.accounts.scoping import has_narrow_scope
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.hooks import collect
from jiati.housing import filtersets, forms, selectors, services
from jiati.housing.models import Building, Dwelling, Estate, Owner, Ownership, Stairwell
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView, keyset_page_from_ids


def _url(name):
    return lambda row: reverse(name, args=[row.pk])


class EstateListView(ScopedListView):
    model = Estate
    filterset_class = filtersets.EstateFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Estates")
    export_name = "estates"
    columns = [
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Estate"), "name", link=_url("housing:estate-detail")),
        Column(gettext_lazy("Community"), "community.name"),
        Column(gettext_lazy("Subdistrict"), "community.parent.name"),
        Column(gettext_lazy("Property office"), "property_office.name"),
        Column(gettext_lazy("Year built"), "year_built"),
        Column(gettext_lazy("Responsible staff"), "responsible_staff"),
        Column(gettext_lazy("Address"), "address", css="d-none d-lg-table-cell"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("community__parent", "property_office", "responsible_staff")


class StairwellListView(ScopedListView):
    model = Stairwell
    filterset_class = filtersets.StairwellFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Stairwells")
    export_name = "stairwells"
    columns = [
        Column(
            gettext_lazy("Estate"), "estate.name", link=lambda r: reverse("housing:estate-detail", args=[r.estate_id])
        ),
        Column(
            gettext_lazy("Building"),
            "building.number",
            link=lambda r: reverse("housing:building-detail", args=[r.building_id]),
        ),
        Column(gettext_lazy("Stairwell"), "number", link=_url("housing:stairwell-detail")),
        Column(gettext_lazy("Storeys"), "storeys"),
        Column(gettext_lazy("Has an elevator"), "has_elevator"),
        Column(gettext_lazy("Community"), "community.name"),
        Column(gettext_lazy("Responsible person"), "building.responsible_person"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("estate", "building__responsible_person", "community")


class DwellingListView(ScopedListView):
    model = Dwelling
    filterset_class = filtersets.DwellingFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Dwellings")
    export_name = "dwellings"
    columns = [
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Building"), "building.number"),
        Column(
            gettext_lazy("Stairwell"),
            "stairwell.number",
            link=lambda r: reverse("housing:stairwell-detail", args=[r.stairwell_id]),
        ),
        Column(gettext_lazy("Floor"), "floor"),
        Column(gettext_lazy("Room"), "room", link=_url("housing:dwelling-detail")),
        Column(gettext_lazy("Exclusive area (m²)"), "exclusive_area"),
        Column(gettext_lazy("Area source"), "get_area_source_display"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("estate", "building", "stairwell")


class OwnerListView(ScopedListView):
    model = Owner
    filterset_class = filtersets.OwnerFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Owners")
    export_name = "owners"
    columns = [
        Column(gettext_lazy("Name"), "name", link=_url("housing:owner-detail")),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("ID number"), "id_number", personal="id_number"),
        Column(gettext_lazy("Phone"), "phone", personal="phone"),
    ]

    @property
    def hidden_filters(self):
        """Searching by an ID number is for roles that see them in full (`OwnerFilterSet`)."""
        if sees_personal_data(self.request.user, "id_number"):
            return ScopedListView.hidden_filters
        return (*ScopedListView.hidden_filters, "id_number", "id_ending")

    def get_page(self, queryset, filterset):
        """A district's owners among a nation's: walk the area's ownerships (indexed by community and owner)
        instead of sorting the owners table, unless owner filters are in play."""
        filtering = filterset.is_bound and filterset.is_valid() and any(filterset.form.cleaned_data.values())
        if filtering or not has_narrow_scope(self.request.user):
            return super().get_page(queryset, filterset)
        return keyset_page_from_ids(
            queryset,
            Ownership.objects.visible_to(self.request.user),
            column="owner_id",
            after=self.request.GET.get("after"),
            before=self.request.GET.get("before"),
            size=self.page_size,
        )


def estate_detail(request, pk):
    estate = get_visible_or_404(
        Estate.objects.visible_to(request.user).select_related(
            "community__parent", "property_office", "responsible_staff"
        ),
        pk=pk,
    )
    buildings = (
        estate.buildings.select_related("responsible_person")
        .annotate(stairwell_count=Count("stairwells"))
        .order_by("number")
    )
    return render(
        request,
        "housing/estate_detail.html",
        {
            "estate": estate,
            "buildings": buildings,
            "can_edit": can_edit_housing(request.user),
            "stats": selectors.estate_stats(estate=estate),
            "panels": collect("panels", "estate_panels", request=request, estate=estate),
        },
    )


def building_detail(request, pk):
    building = get_visible_or_404(
        Building.objects.visible_to(request.user).select_related("estate", "responsible_person"), pk=pk
    )
    stairwells = building.stairwells.annotate(dwelling_count=Count("dwellings")).order_by("number")
    return render(
        request,
        "housing/building_detail.html",
        {
            "building": building,
            "stairwells": stairwells,
            "can_edit": can_edit_housing(request.user),
        },
    )


def stairwell_detail(request, pk):
    stairwell = get_visible_or_404(
        Stairwell.objects.visible_to(request.user).select_related("estate", "building__responsible_person"), pk=pk
    )
    return render(
        request,
        "housing/stairwell_detail.html",
        {
            "stairwell": stairwell,
            "panels": collect("panels", "stairwell_panels", request=request, stairwell=stairwell),
            "dwellings": selectors.stairwell_roll(stairwell=stairwell),
            "can_edit": can_edit_housing(request.user),
        },
    )


def dwelling_detail(request, pk):
    dwelling = get_visible_or_404(
        Dwelling.objects.visible_to(request.user).select_related("estate", "building", "stairwell"), pk=pk
    )
    ownerships = dwelling.ownerships.select_related("owner").order_by("-is_primary", "id")
    return render(
        request,
        "housing/dwelling_detail.html",
        {
            "dwelling": dwelling,
            "ownerships": ownerships,
            "can_edit": can_edit_housing(request.user),
            # Who was shown the full ID number: for the roles that may see it themselves.
            "shows_disclosures": sees_personal_data(request.user, "id_number"),
        },
    )


def owner_detail(request, pk):
    owner = get_visible_or_404(Owner.objects.visible_to(request.user), pk=pk)
    ownerships = (
        owner.ownerships.visible_to(request.user)
        .select_related("dwelling__estate", "dwelling__building", "dwelling__stairwell")
        .order_by("dwelling__estate__name", "dwelling__room")
    )
    return render(
        request,
        "housing/owner_detail.html",
        {
            "owner": owner,
            "ownerships": ownerships,
            "can_edit": can_edit_housing(request.user),
            # Who was shown the full ID number: for the roles that may see it themselves.
            "shows_disclosures": sees_personal_data(request.user, "id_number"),
        },
    )


# --- editing ----------------------------------------------------------------

EDITABLE = {
    "estate": (Estate, forms.EstateForm, services.estate_update, "housing:estate-detail", True),
    "building": (Building, forms.BuildingForm, services.building_update, "housing:building-detail", True),
    "stairwell": (Stairwell, forms.StairwellForm, services.stairwell_update, "housing:stairwell-detail", False),
    "dwelling": (Dwelling, forms.DwellingForm, services.dwelling_update, "housing:dwelling-detail", False),
    "owner": (Owner, forms.OwnerForm, services.owner_update, "housing:owner-detail", True),
}


def edit(request, kind, pk):
    """Edit one registry object through its service; the change lands in its history."""
    if kind not in EDITABLE:
        raise PermissionDenied
    model, form_class, service, detail_name, form_needs_user = EDITABLE[kind]
    obj = get_visible_or_404(model.objects.visible_to(request.user), pk=pk)
    if not can_edit_housing(request.user):
        raise PermissionDenied
    form_kwargs = {"user": request.user} if form_needs_user else {}
    form = form_class(request.POST or None, instance=obj, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        fresh = model.objects.get(pk=obj.pk)  # the form mutated `obj`; the service starts from the stored row
        if run_service(form, lambda: service(actor=request.user, **{kind: fresh}, **data)) is not None:
            messages.success(request, _("Saved."))
            return redirect(detail_name, pk=obj.pk)
    return render(
        request,
        "housing/edit.html",
        {
            "form": form,
            "object": obj,
            "model_name": model._meta.verbose_name,
            "cancel_url": reverse(detail_name, args=[obj.pk]),
        },
    )
