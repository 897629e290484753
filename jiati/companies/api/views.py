"""The companies API: the registry, licences, contacts, scores with their evidence, lists and appeals."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiati.companies import filtersets, services
from jiati.companies.api import serializers as s
from jiati.companies.models import Appeal, Company, CompanyContact, CompanyScore, Licence, RankingList
from jiati.web.api import ScopedReadOnlyViewSet


def _call(fn):
    try:
        return fn()
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class CompanyViewSet(ScopedReadOnlyViewSet):
    queryset = Company.objects.all()
    serializer_class = s.CompanySerializer
    filterset_class = filtersets.CompanyFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.CompanyInputSerializer, responses={201: s.CompanySerializer})
    def create(self, request):
        data = s.CompanyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = _call(lambda: services.company_create(actor=request.user, **data.validated_data))
        return Response(s.CompanySerializer(company, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LicenceInputSerializer, responses={201: s.LicenceSerializer})
    @action(detail=True, methods=["post"])
    def licences(self, request, pk=None):
        company = self.get_object()
        data = s.LicenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = _call(lambda: services.licence_add(actor=request.user, company=company, **data.validated_data))
        return Response(s.LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)


class LicenceViewSet(ScopedReadOnlyViewSet):
    queryset = Licence.objects.all()
    serializer_class = s.LicenceSerializer
    filterset_fields = ["company", "kind", "status"]


class ContactViewSet(ScopedReadOnlyViewSet):
    queryset = CompanyContact.objects.all()
    serializer_class = s.ContactSerializer
    filterset_fields = ["company"]


class ScoreViewSet(ScopedReadOnlyViewSet):
    queryset = CompanyScore.objects.all()
    serializer_class = s.ScoreSerializer
    filterset_fields = ["company", "period"]


class RankingListViewSet(ScopedReadOnlyViewSet):
    queryset = RankingList.objects.prefetch_related("entries__company", "entries__ranking__scheme")
    serializer_class = s.RankingListSerializer
    filterset_fields = ["period", "kind", "status"]


class AppealViewSet(ScopedReadOnlyViewSet):
    queryset = Appeal.objects.all()
    serializer_class = s.AppealSerializer
    filterset_fields = ["company", "status"]
