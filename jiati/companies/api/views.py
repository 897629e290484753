"""The companies API: the registry, licences, contacts, scores with their evidence, lists and appeals.

Reads are scoped by `visible_to`; every write calls the same service as the pages, whose refusals (and
permission checks) reach the client through the shared API edge (`jiati.web.api`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiati.companies import filtersets, ranking, services
from jiati.companies.api import serializers as s
from jiati.companies.models import (
    Appeal,
    Company,
    CompanyContact,
    CompanyScore,
    Licence,
    ListEntry,
    RankingList,
)
from jiati.web.api import ScopedReadOnlyViewSet, scoped_or_refuse

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _input(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return data.validated_data


class CompanyViewSet(ScopedReadOnlyViewSet):
    queryset = Company.objects.all()
    serializer_class = s.CompanySerializer
    filterset_class = filtersets.CompanyFilterSet
    parser_classes = PARSERS

    @extend_schema(request=s.CompanyInputSerializer, responses={201: s.CompanySerializer})
    def create(self, request):
        company = services.company_create(actor=request.user, **_input(s.CompanyInputSerializer, request))
        return self.respond(company, status.HTTP_201_CREATED)

    @extend_schema(request=s.CompanyInputSerializer, responses={200: s.CompanySerializer})
    def partial_update(self, request, pk=None):
        return self.act(
            request,
            lambda **kw: s.CompanyInputSerializer(partial=True, **kw),
            lambda company, data: services.company_update(actor=request.user, company=company, **data),
        )

    @extend_schema(request=s.LicenceInputSerializer, responses={201: s.LicenceSerializer})
    @action(detail=True, methods=["post"])
    def licences(self, request, pk=None):
        """A licence: recorded confirmed by district staff, submitted for confirmation by the company's admin."""
        company = self.get_object()
        data = _input(s.LicenceInputSerializer, request)
        licence = services.licence_add(actor=request.user, company=company, **data)
        return Response(s.LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)


class LicenceViewSet(ScopedReadOnlyViewSet):
    queryset = Licence.objects.all()
    serializer_class = s.LicenceSerializer
    filterset_fields = ["company", "kind", "status"]

    @extend_schema(request=s.LicenceDecisionSerializer, responses={200: s.LicenceSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The district confirms (or rejects, saying why) a licence a company submitted."""
        return self.act(
            request,
            s.LicenceDecisionSerializer,
            lambda licence, data: services.licence_confirm(actor=request.user, licence=licence, **data),
        )


class ContactViewSet(ScopedReadOnlyViewSet):
    queryset = CompanyContact.objects.select_related("company")
    serializer_class = s.ContactSerializer
    filterset_fields = ["company"]

    @extend_schema(request=s.ContactInputSerializer, responses={201: s.ContactSerializer})
    def create(self, request):
        data = dict(_input(s.ContactInputSerializer, request))
        company = scoped_or_refuse(Company.objects.visible_to(request.user), data.pop("company"), field="company")
        contact = services.contact_save(actor=request.user, company=company, **data)
        return self.respond(contact, status.HTTP_201_CREATED)

    @extend_schema(request=s.ContactChangeSerializer, responses={200: s.ContactSerializer})
    def partial_update(self, request, pk=None):
        def change(contact, data):
            values = {f: getattr(contact, f) for f in ("name", "phone", "position", "email")} | dict(data)
            return services.contact_save(actor=request.user, company=contact.company, contact=contact, **values)

        return self.act(request, lambda **kw: s.ContactChangeSerializer(partial=True, **kw), change)

    def destroy(self, request, pk=None):
        services.contact_remove(actor=request.user, contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScoreViewSet(ScopedReadOnlyViewSet):
    queryset = CompanyScore.objects.all()
    serializer_class = s.ScoreSerializer
    filterset_fields = ["company", "period"]


class RankingListViewSet(ScopedReadOnlyViewSet):
    """Lists: district staff draw one up (or redraw it), add serious violations and publish; published lists are
    public and frozen."""

    queryset = RankingList.objects.prefetch_related("entries__company", "entries__ranking__scheme")
    serializer_class = s.RankingListSerializer
    filterset_fields = ["period", "kind", "status"]
    parser_classes = PARSERS

    @extend_schema(request=s.DraftInputSerializer, responses={201: s.RankingListSerializer})
    def create(self, request):
        the_list = ranking.ranking_list_draft(actor=request.user, **_input(s.DraftInputSerializer, request))
        return self.respond(self.get_queryset().get(pk=the_list.pk), status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.RankingListSerializer})
    @action(detail=True, methods=["post"])
    def redraw(self, request, pk=None):
        return self.act(
            request,
            None,
            lambda the_list, data: ranking.ranking_list_draft(
                actor=request.user, period=the_list.period, kind=the_list.kind
            ),
        )

    @extend_schema(request=s.ViolationInputSerializer, responses={201: s.RankingListSerializer})
    @action(detail=True, methods=["post"])
    def violations(self, request, pk=None):
        def add(the_list, data):
            data = dict(data)
            company = scoped_or_refuse(Company.objects.visible_to(request.user), data.pop("company"), field="company")
            ranking.violation_add(actor=request.user, company=company, period=the_list.period, **data)
            return self.get_queryset().get(pk=the_list.pk)

        return self.act(request, s.ViolationInputSerializer, add, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.RankingListSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.act(
            request, None, lambda the_list, data: ranking.ranking_list_publish(actor=request.user, ranking=the_list)
        )


class AppealViewSet(ScopedReadOnlyViewSet):
    """Appeals: a company's administrator files one against its entry; district staff decide with a reason."""

    queryset = Appeal.objects.all()
    serializer_class = s.AppealSerializer
    filterset_fields = ["company", "status"]

    @extend_schema(request=s.AppealInputSerializer, responses={201: s.AppealSerializer})
    def create(self, request):
        data = _input(s.AppealInputSerializer, request)
        visible = ListEntry.objects.filter(ranking__in=RankingList.objects.visible_to(request.user).values("pk"))
        entry = scoped_or_refuse(visible, data["entry"], field="entry")
        appeal = ranking.appeal_submit(actor=request.user, entry=entry, grounds=data["grounds"])
        return self.respond(appeal, status.HTTP_201_CREATED)

    @extend_schema(request=s.AppealDecisionSerializer, responses={200: s.AppealSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self.act(
            request,
            s.AppealDecisionSerializer,
            lambda appeal, data: ranking.appeal_decide(actor=request.user, appeal=appeal, **data),
        )
