"""Pages of the organisation: the tree, property offices, service windows, service groups."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.organisation import filtersets, selectors, services
from jiati.organisation.forms import GroupRobotForm, MembershipForm
from jiati.organisation.models import PropertyOffice, Region, ServiceGroup, ServiceWindow
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
    }
    return render(request, "organisation/region_detail.html", context)


class PropertyOfficeListView(ScopedListView):
    model = PropertyOffice
    filterset_class = filtersets.PropertyOfficeFilterSet
    template_name = "core/list.html"
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


class ServiceGroupListView(ScopedListView):
    model = ServiceGroup
    filterset_class = filtersets.ServiceGroupFilterSet
    template_name = "core/list.html"
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
        {"group": group, "memberships": memberships, "can_edit": can_edit, "form": form, "robot_form": robot_form},
    )
