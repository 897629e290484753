"""Pages of the organisation: the tree, property offices, service windows, service groups."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.organisation import filtersets, selectors, services
from jiati.organisation.forms import (
    GroupRobotForm,
    MembershipForm,
    PropertyOfficeForm,
    ServiceGroupForm,
    WorkstationForm,
)
from jiati.organisation.models import PropertyOffice, Region, RegionLevel, ServiceGroup, ServiceWindow
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def region_home(request):
    region = selectors.home_region_for(user=request.user)
    if region is None:
        raise Http404
    return redirect("organisation:region-detail", pk=region.pk)


def region_detail(request, pk):
    region = get_visible_or_404(Region.objects.visible_to(request.user), pk=pk)
    visible_ancestor_ids = set(
        Region.objects.visible_to(request.user)
        .filter(pk__in=[r.pk for r in region.ancestors()])
        .values_list("pk", flat=True)
    )
    ancestors = [r for r in region.ancestors() if r.pk in visible_ancestor_ids]
    staff = staff_visible_to(user=request.user).filter(region=region).select_related("region")
    context = {
        "region": region,
        "ancestors": ancestors,
        "children": selectors.region_children(region=region),
        "groups": ServiceGroup.objects.visible_to(request.user)
        .filter(region=region)
        .prefetch_related("memberships__user"),
        "offices": PropertyOffice.objects.visible_to(request.user).filter(community=region),
        "windows": ServiceWindow.objects.visible_to(request.user)
        .filter(community=region)
        .select_related("workstation", "property_office"),
        "workstation": getattr(region, "workstation", None) if region.level == "community" else None,
        "staff": staff,
        "can_edit": can_edit_organisation(request.user),
        "can_add_group": bool(services.group_levels_for(request.user)) and region.level != RegionLevel.CITY,
    }
    return render(request, "organisation/region_detail.html", context)


class _ListWithAdd(ScopedListView):
    """A list with a button to add one, for those who may."""

    template_name = "organisation/list.html"
    add_url_name = ""
    add_label = ""

    def may_add(self) -> bool:
        return can_edit_organisation(self.request.user)

    def get(self, request, *args, **kwargs):
        if request.htmx and not request.htmx.boosted:
            self.template_name = "core/list.html"  # its `results` partial: the button is outside it
        return super().get(request, *args, **kwargs)

    def get_extra_context(self) -> dict:
        return {"add_url": reverse(self.add_url_name) if self.may_add() else "", "add_label": self.add_label}


class PropertyOfficeListView(_ListWithAdd):
    model = PropertyOffice
    filterset_class = filtersets.PropertyOfficeFilterSet
    add_url_name = "organisation:office-create"
    add_label = _("New property office")
    title = _("Property offices")
    export_name = "property-offices"
    columns = [
        Column(_("Code"), "code"),
        Column(_("Name"), "name", link=lambda r: reverse("organisation:office-detail", args=[r.pk])),
        Column(_("Property company"), "company_name"),
        Column(_("Community"), "community.name"),
        Column(_("Phone"), "phone"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("community")


def office_detail(request, pk):
    office = get_visible_or_404(PropertyOffice.objects.visible_to(request.user).select_related("community"), pk=pk)
    return render(
        request,
        "organisation/office_detail.html",
        {
            "office": office,
            "estates": office.estates.visible_to(request.user).order_by("name"),
            "windows": office.windows.all(),
            "staff": staff_visible_to(user=request.user).filter(property_office=office),
            "can_edit": can_edit_organisation(request.user),
        },
    )


class ServiceWindowListView(ScopedListView):
    model = ServiceWindow
    filterset_class = filtersets.ServiceWindowFilterSet
    template_name = "core/list.html"
    title = _("Service windows")
    export_name = "service-windows"
    columns = [
        Column(_("Window"), "name"),
        Column(_("Kind"), "get_kind_display"),
        Column(
            _("Community"),
            "community.name",
            link=lambda r: reverse("organisation:region-detail", args=[r.community_id]),
        ),
        Column(_("Address"), "address"),
        Column(_("Opening hours"), "opening_hours"),
        Column(_("Phone"), "phone"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("community")


class ServiceGroupListView(_ListWithAdd):
    model = ServiceGroup
    filterset_class = filtersets.ServiceGroupFilterSet
    add_url_name = "organisation:group-create"
    add_label = _("New service group")

    def may_add(self) -> bool:
        return bool(services.group_levels_for(self.request.user))

    title = _("Service groups")
    export_name = "service-groups"
    columns = [
        Column(_("Group"), "name", link=lambda r: reverse("organisation:group-detail", args=[r.pk])),
        Column(_("Level"), "get_level_display"),
        Column(_("Area"), "region.name"),
        Column(_("Property office"), "property_office.name"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region", "property_office")


def group_detail(request, pk):
    """A service group with its members; organisation editors add, change and remove members here."""
    # The module's `_` is the lazy one (column labels); messages here are rendered now.
    from django.utils.translation import gettext as _

    group = get_visible_or_404(
        ServiceGroup.objects.visible_to(request.user).select_related("region", "property_office"), pk=pk
    )
    can_edit = can_edit_organisation(request.user)
    form = MembershipForm(request.POST if can_edit and "add" in request.POST else None, actor=request.user)
    if (
        form.is_bound
        and form.is_valid()
        and run_service(form, lambda: services.membership_set(actor=request.user, group=group, **form.cleaned_data))
    ):
        messages.success(request, _("Saved."))
        return redirect("organisation:group-detail", pk=group.pk)
    if can_edit and "remove" in request.POST:
        member = get_visible_or_404(staff_visible_to(user=request.user), pk=request.POST["remove"])
        services.membership_remove(actor=request.user, group=group, user=member)
        messages.success(request, _("Saved."))
        return redirect("organisation:group-detail", pk=group.pk)
    robot_form = GroupRobotForm(request.POST if can_edit and "robot" in request.POST else None)
    if robot_form.is_bound and robot_form.is_valid():
        data = robot_form.cleaned_data
        url = "" if data["clear"] else (data["wecom_webhook_url"] or group.wecom_webhook_url)
        if run_service(robot_form, lambda: services.service_group_robot_set(actor=request.user, group=group, url=url)):
            messages.success(request, _("Saved."))
            return redirect("organisation:group-detail", pk=group.pk)
    memberships = group.memberships.select_related("user").order_by("role", "user__full_name")
    return render(
        request,
        "organisation/group_detail.html",
        {
            "group": group,
            "memberships": memberships,
            "can_edit": can_edit,
            "can_change_group": group.level in services.group_levels_for(request.user),
            "form": form,
            "robot_form": robot_form,
        },
    )


# --- keeping the organisation: service groups, workstations, property offices ------------------------------


def _form_page(request, *, form, title: str, cancel: str, active: str):
    """The one page every organisation form uses; a refused form comes back with its values and all its errors."""
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": title, "cancel": cancel, "active": active},
    )


def group_create(request):
    from django.utils.translation import gettext as _

    if not services.group_levels_for(request.user):
        raise PermissionDenied
    initial = {}
    region = Region.objects.visible_to(request.user).filter(pk=request.GET.get("region") or None).first()
    if region is not None:
        initial["region"] = region
    form = ServiceGroupForm(request.POST or None, actor=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        group = run_service(form, lambda: services.service_group_save(actor=request.user, **form.cleaned_data))
        if group is not None:
            messages.success(request, _("Saved."))
            return redirect("organisation:group-detail", pk=group.pk)
    return _form_page(
        request, form=form, title=_("New service group"), cancel=reverse("organisation:group-list"), active="groups"
    )


def group_edit(request, pk):
    from django.utils.translation import gettext as _

    group = get_visible_or_404(ServiceGroup.objects.visible_to(request.user), pk=pk)
    if group.level not in services.group_levels_for(request.user):
        raise PermissionDenied
    initial = {
        "name": group.name, "level": group.level, "region": group.region, "property_office": group.property_office,
    }  # fmt: skip
    form = ServiceGroupForm(request.POST or None, actor=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        saved = run_service(
            form, lambda: services.service_group_save(actor=request.user, group=group, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("organisation:group-detail", pk=group.pk)
    cancel = reverse("organisation:group-detail", args=[group.pk])
    return _form_page(request, form=form, title=group.name, cancel=cancel, active="groups")


def workstation_edit(request, pk):
    """A community's workstation (one per community): set it up, or change its name, address and phone."""
    from django.utils.translation import gettext as _

    community = get_visible_or_404(Region.objects.visible_to(request.user), pk=pk)
    if not can_edit_organisation(request.user) or community.level != RegionLevel.COMMUNITY:
        raise PermissionDenied
    station = getattr(community, "workstation", None)
    initial = {"name": station.name, "address": station.address, "phone": station.phone} if station else {}
    form = WorkstationForm(request.POST or None, initial=initial)
    if form.is_bound and form.is_valid():
        saved = run_service(
            form, lambda: services.workstation_save(actor=request.user, community=community, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("organisation:region-detail", pk=community.pk)
    title = _("Workstation of %(community)s") % {"community": community.name}
    cancel = reverse("organisation:region-detail", args=[community.pk])
    return _form_page(request, form=form, title=title, cancel=cancel, active="tree")


def office_create(request):
    from django.utils.translation import gettext as _

    if not can_edit_organisation(request.user):
        raise PermissionDenied
    community = Region.objects.visible_to(request.user).filter(pk=request.GET.get("community") or None).first()
    form = PropertyOfficeForm(request.POST or None, actor=request.user, initial={"community": community})
    if form.is_bound and form.is_valid():
        office = run_service(
            form,
            lambda: services.property_office_save(actor=request.user, must_be_new=True, **form.cleaned_data),
        )
        if office is not None:
            messages.success(request, _("Saved."))
            return redirect("organisation:office-detail", pk=office.pk)
    cancel = reverse("organisation:office-list")
    return _form_page(request, form=form, title=_("New property office"), cancel=cancel, active="offices")


def office_edit(request, pk):
    from django.utils.translation import gettext as _

    office = get_visible_or_404(PropertyOffice.objects.visible_to(request.user), pk=pk)
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    initial = {
        "code": office.code, "name": office.name, "company_name": office.company_name, "community": office.community,
        "address": office.address, "phone": office.phone,
    }  # fmt: skip
    form = PropertyOfficeForm(request.POST or None, actor=request.user, office=office, initial=initial)
    if form.is_bound and form.is_valid():
        saved = run_service(form, lambda: services.property_office_save(actor=request.user, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("organisation:office-detail", pk=office.pk)
    cancel = reverse("organisation:office-detail", args=[office.pk])
    return _form_page(request, form=form, title=office.name, cancel=cancel, active="offices")
