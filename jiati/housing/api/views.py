from django.db.models import Prefetch

from jiati.housing import filtersets
from jiati.housing.api import serializers
from jiati.housing.models import Building, Dwelling, Estate, Owner, Ownership, Stairwell
from jiati.web.api import ScopedReadOnlyViewSet


class EstateViewSet(ScopedReadOnlyViewSet):
    queryset = Estate.objects.all()
    serializer_class = serializers.EstateSerializer
    filterset_class = filtersets.EstateFilterSet


class BuildingViewSet(ScopedReadOnlyViewSet):
    queryset = Building.objects.all()
    serializer_class = serializers.BuildingSerializer
    filterset_class = filtersets.BuildingFilterSet


class StairwellViewSet(ScopedReadOnlyViewSet):
    queryset = Stairwell.objects.all()
    serializer_class = serializers.StairwellSerializer
    filterset_class = filtersets.StairwellFilterSet


class DwellingViewSet(ScopedReadOnlyViewSet):
    queryset = Dwelling.objects.prefetch_related(
        Prefetch("ownerships", queryset=Ownership.objects.select_related("owner").order_by("-is_primary", "id"))
    )
    serializer_class = serializers.DwellingSerializer
    filterset_class = filtersets.DwellingFilterSet


class OwnerViewSet(ScopedReadOnlyViewSet):
    queryset = Owner.objects.all()
    serializer_class = serializers.OwnerSerializer
    filterset_class = filtersets.OwnerFilterSet
