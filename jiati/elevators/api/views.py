"""The elevators API: elevators, visits, inspections, fault reports and running costs, scoped like the pages
(a maintainer its own elevators, a construction company the ones it installed, a resident his stairwell's)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiati.elevators import filtersets, services
from jiati.elevators.api import serializers as s
from jiati.elevators.models import Elevator, FaultReport, Inspection, MaintenanceVisit, RunningCost, RunningCostShare
from jiati.web.api import ScopedReadOnlyViewSet


def _call(fn):
    try:
        return fn()
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class ElevatorViewSet(ScopedReadOnlyViewSet):
    queryset = Elevator.objects.all()
    serializer_class = s.ElevatorSerializer
    filterset_class = filtersets.ElevatorFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.VisitInputSerializer, responses={201: s.VisitSerializer})
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        elevator = self.get_object()
        data = s.VisitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = _call(lambda: services.visit_record(actor=request.user, elevator=elevator, **data.validated_data))
        return Response(s.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitViewSet(ScopedReadOnlyViewSet):
    queryset = MaintenanceVisit.objects.all()
    serializer_class = s.VisitSerializer
    filterset_fields = ["elevator"]


class InspectionViewSet(ScopedReadOnlyViewSet):
    queryset = Inspection.objects.all()
    serializer_class = s.InspectionSerializer
    filterset_fields = ["elevator", "result"]


class FaultViewSet(ScopedReadOnlyViewSet):
    queryset = FaultReport.objects.all()
    serializer_class = s.FaultSerializer
    filterset_class = filtersets.FaultFilterSet

    def _out(self, report):
        return Response(self.get_serializer(FaultReport.objects.get(pk=report.pk)).data)

    @extend_schema(request=None, responses=s.FaultSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._out(_call(lambda: services.fault_acknowledge(actor=request.user, report=self.get_object())))

    @extend_schema(request=None, responses=s.FaultSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._out(_call(lambda: services.fault_arrive(actor=request.user, report=self.get_object())))

    @extend_schema(request=s.CloseSerializer, responses=s.FaultSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        report = self.get_object()
        data = s.CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(_call(lambda: services.fault_close(actor=request.user, report=report, **data.validated_data)))


class RunningCostViewSet(ScopedReadOnlyViewSet):
    queryset = RunningCost.objects.prefetch_related("shares")
    serializer_class = s.RunningCostSerializer
    filterset_fields = ["elevator", "year"]

    @extend_schema(request=s.PaymentInputSerializer, responses={201: s.ShareSerializer})
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        cost = self.get_object()
        data = s.PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        share = (
            RunningCostShare.objects.filter(cost=cost, pk=values.pop("share")).select_related("cost__elevator").first()
        )
        if share is None:
            raise NotFound
        _call(lambda: services.running_cost_payment(actor=request.user, share=share, **values))
        share.refresh_from_db()
        return Response(s.ShareSerializer(share).data, status=status.HTTP_201_CREATED)
