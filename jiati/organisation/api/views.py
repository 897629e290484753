from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action

from jiati.organisation import filtersets, services
from jiati.organisation.api import serializers
from jiati.organisation.models import PropertyOffice, Region, ServiceGroup, ServiceWindow
from jiati.web.api import ScopedReadOnlyViewSet


class RegionViewSet(ScopedReadOnlyViewSet):
    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer
    filterset_class = filtersets.RegionFilterSet


class PropertyOfficeViewSet(ScopedReadOnlyViewSet):
    queryset = PropertyOffice.objects.all()
    serializer_class = serializers.PropertyOfficeSerializer
    filterset_class = filtersets.PropertyOfficeFilterSet


class ServiceWindowViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceWindow.objects.all()
    serializer_class = serializers.ServiceWindowSerializer
    filterset_class = filtersets.ServiceWindowFilterSet


class ServiceGroupViewSet(ScopedReadOnlyViewSet):
    """Service groups of the three tiers; creating and changing them, and their members, go through the same
    services as the pages (delegated administration: the caller's tier and those below it, inside its area)."""

    queryset = ServiceGroup.objects.prefetch_related("memberships__user")
    serializer_class = serializers.ServiceGroupSerializer
    filterset_class = filtersets.ServiceGroupFilterSet

    def _region_in_reach(self, region):
        if not Region.objects.visible_to(self.request.user).filter(pk=region.pk).exists():
            raise PermissionDenied
        return region

    @extend_schema(request=serializers.ServiceGroupInputSerializer, responses={201: serializers.ServiceGroupSerializer})
    def create(self, request):
        data = serializers.ServiceGroupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = services.service_group_save(
            actor=request.user,
            name=values["name"],
            level=values["level"],
            region=self._region_in_reach(values["region"]),
            property_office=values.get("property_office"),
        )
        return self.respond(self.get_queryset().get(pk=group.pk), status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ServiceGroupInputSerializer, responses=serializers.ServiceGroupSerializer)
    def update(self, request, pk=None):
        def save(group, values):
            services.service_group_save(
                actor=request.user,
                group=group,
                name=values["name"],
                level=values["level"],
                region=self._region_in_reach(values["region"]),
                property_office=values.get("property_office"),
            )
            return self.get_queryset().get(pk=group.pk)

        return self.act(request, serializers.ServiceGroupInputSerializer, save)

    @extend_schema(request=serializers.MembershipInputSerializer, responses=serializers.ServiceGroupSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        def add(group, values):
            services.membership_set(actor=request.user, group=group, **values)
            return self.get_queryset().get(pk=group.pk)

        return self.act(request, serializers.MembershipInputSerializer, add)

    @extend_schema(request=serializers.MemberRemoveSerializer, responses=serializers.ServiceGroupSerializer)
    @action(detail=True, methods=["post"], url_path="members/remove")
    def members_remove(self, request, pk=None):
        def remove(group, values):
            services.membership_remove(actor=request.user, group=group, user=values["user"])
            return self.get_queryset().get(pk=group.pk)

        return self.act(request, serializers.MemberRemoveSerializer, remove)
