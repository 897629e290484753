from jiati.organisation import filtersets
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
    queryset = ServiceGroup.objects.prefetch_related("memberships__user")
    serializer_class = serializers.ServiceGroupSerializer
    filterset_class = filtersets.ServiceGroupFilterSet
