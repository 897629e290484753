"""The subsidies API: the same services, rules and scoping as the pages. Bank details are shown in full only to
finance roles. Payments accept an `Idempotency-Key` header: a retried request returns the first row (200)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiati.housing.models import Owner
from jiati.subsidies import filtersets, selectors, services
from jiati.subsidies.api import serializers as s
from jiati.subsidies.models import (
    Budget,
    EntryKind,
    LedgerEntry,
    PaymentBatch,
    Review,
    SubsidyApplication,
    SubsidyPolicy,
)
from jiati.web.api import ScopedReadOnlyViewSet, scoped_or_refuse

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="A key unique to this request; retrying it records nothing new.",
)


def _key(request, data) -> str:
    return request.headers.get("Idempotency-Key", "") or data.get("idempotency_key", "")


class PolicyViewSet(ScopedReadOnlyViewSet):
    queryset = SubsidyPolicy.objects.select_related("region").prefetch_related("extras")
    serializer_class = s.SubsidyPolicySerializer
    filterset_class = filtersets.PolicyFilterSet

    @extend_schema(request=s.SubsidyPolicyInputSerializer, responses={201: s.SubsidyPolicySerializer})
    def create(self, request):
        from jiati.organisation.models import Region

        data = s.SubsidyPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        region = Region.objects.visible_to(request.user).filter(pk=values.pop("region")).first()
        if region is None:
            raise NotFound
        values["extras"] = [(e.get("name", ""), e.get("max_amount")) for e in values["extras"]]
        policy = services.policy_create(actor=request.user, region=region, **values)
        return Response(
            s.SubsidyPolicySerializer(self.get_queryset().get(pk=policy.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.SubsidyPolicyCloseSerializer, responses=s.SubsidyPolicySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        policy = self.get_object()
        data = s.SubsidyPolicyCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.policy_close(actor=request.user, policy=policy, **data.validated_data)
        return Response(s.SubsidyPolicySerializer(self.get_queryset().get(pk=policy.pk)).data)


class BudgetViewSet(ScopedReadOnlyViewSet):
    queryset = Budget.objects.select_related("region")
    serializer_class = s.SubsidyBudgetSerializer
    filterset_fields = ["year", "source"]

    @extend_schema(request=s.SubsidyBudgetInputSerializer, responses={200: s.SubsidyBudgetSerializer})
    def create(self, request):
        data = s.SubsidyBudgetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        district = services.district_of(user.region) if user.region_id else None
        if district is None:
            raise PermissionDenied
        budget = services.budget_set(actor=user, region=district, **data.validated_data)
        return Response(s.SubsidyBudgetSerializer(budget).data)


class ApplicationViewSet(ScopedReadOnlyViewSet):
    queryset = SubsidyApplication.objects.select_related(
        "project__community__parent", "policy__region", "applicant_owner"
    )
    serializer_class = s.SubsidyApplicationSerializer
    filterset_class = filtersets.ApplicationFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def respond(self, application, code=status.HTTP_200_OK):
        application = self.get_queryset().get(pk=application.pk)
        return Response(
            s.SubsidyApplicationSerializer(application, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=s.SubsidyApplicationUpdateSerializer, responses=s.SubsidyApplicationSerializer)
    def partial_update(self, request, pk=None):
        application = self.get_object()
        data = s.SubsidyApplicationUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "applicant_owner" in values:
            owner_id = values["applicant_owner"]
            values["applicant_owner"] = scoped_or_refuse(
                Owner.objects.visible_to(request.user), owner_id, field="applicant_owner"
            )
        services.application_update(application=application, actor=request.user, **values)
        return self.respond(application)

    @extend_schema(request=None, responses=s.SubsidyApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reevaluate(self, request, pk=None):
        """A file not yet submitted picks up the policy its dates choose now (e.g. one defined since)."""
        application = self.get_object()
        services.application_reevaluate(application=application, actor=request.user)
        return self.respond(application)

    @extend_schema(request=s.SubsidyNoteSerializer, responses=s.SubsidyApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = self.get_object()
        data = s.SubsidyNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_submit(application=application, actor=request.user, **data.validated_data)
        return self.respond(application)

    @extend_schema(request=s.SubsidyReviewInputSerializer, responses=s.SubsidyApplicationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        application = self.get_object()
        data = s.SubsidyReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_review(application=application, actor=request.user, **data.validated_data)
        return self.respond(application)

    @extend_schema(request=s.SubsidyApproveSerializer, responses=s.SubsidyApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        application = self.get_object()
        data = s.SubsidyApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_approve(application=application, actor=request.user, **data.validated_data)
        return self.respond(application)

    @extend_schema(request=s.SubsidyReasonSerializer, responses=s.SubsidyApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="not-eligible")
    def not_eligible(self, request, pk=None):
        application = self.get_object()
        data = s.SubsidyReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_mark_not_eligible(
            application=application, actor=request.user, reason=data.validated_data["reason"]
        )
        return self.respond(application)

    @extend_schema(methods=["get"], responses=s.SubsidyDocumentSerializer(many=True))
    @extend_schema(
        methods=["post"], request=s.SubsidyDocumentUploadSerializer, responses={201: s.SubsidyDocumentSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def documents(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            return Response(
                s.SubsidyDocumentSerializer(application.documents.order_by("kind", "-version"), many=True).data
            )
        data = s.SubsidyDocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.application_document_add(
            application=application,
            actor=request.user,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
        )
        return Response(s.SubsidyDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.SubsidyReviewSerializer(many=True))
    @action(detail=True, methods=["get"])
    def reviews(self, request, pk=None):
        application = self.get_object()
        return Response(s.SubsidyReviewSerializer(application.reviews.select_related("reviewer"), many=True).data)

    @extend_schema(responses=s.SubsidyLedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        application = self.get_object()
        entries = application.ledger.select_related("application__project").order_by("id")
        return Response(s.SubsidyLedgerEntrySerializer(entries, many=True).data)


class ReviewViewSet(ScopedReadOnlyViewSet):
    """Every review decision with its comment (append-only); record one with POST /applications/{id}/review/."""

    queryset = Review.objects.select_related("reviewer")
    serializer_class = s.SubsidyReviewSerializer
    filterset_fields = ["application", "step", "decision"]


class PaymentViewSet(ScopedReadOnlyViewSet):
    """The ledger: payments and reversals. POST records a payment; POST /{id}/reverse/ reverses one."""

    queryset = LedgerEntry.objects.select_related("application__project")
    serializer_class = s.SubsidyLedgerEntrySerializer
    filterset_class = filtersets.LedgerFilterSet

    @extend_schema(
        request=s.SubsidyPaymentInputSerializer,
        responses={201: s.SubsidyLedgerEntrySerializer, 200: s.SubsidyLedgerEntrySerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request):
        data = s.SubsidyPaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        application = SubsidyApplication.objects.visible_to(request.user).filter(pk=values["application"]).first()
        if application is None:
            raise NotFound
        batch = None
        if values["batch"]:
            batch = PaymentBatch.objects.visible_to(request.user).filter(pk=values["batch"]).first()
            if batch is None:
                raise NotFound
        entry, created = services.payment_record(
            actor=request.user,
            application=application,
            amount=values["amount"],
            voucher_no=values["voucher_no"],
            paid_on=values["paid_on"],
            batch=batch,
            idempotency_key=_key(request, values),
            note=values["note"],
        )
        return Response(
            s.SubsidyLedgerEntrySerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=s.SubsidyReversalInputSerializer,
        responses={201: s.SubsidyLedgerEntrySerializer, 200: s.SubsidyLedgerEntrySerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        if payment.kind != EntryKind.PAYMENT:
            raise NotFound
        data = s.SubsidyReversalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entry, created = services.payment_reverse(
            actor=request.user,
            payment=payment,
            voucher_no=values["voucher_no"],
            reversed_on=values["reversed_on"],
            reason=values["reason"],
            idempotency_key=_key(request, values),
        )
        return Response(
            s.SubsidyLedgerEntrySerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class BatchViewSet(ScopedReadOnlyViewSet):
    queryset = PaymentBatch.objects.all()
    serializer_class = s.SubsidyBatchSerializer
    filterset_fields = ["paid_on"]

    @extend_schema(request=s.SubsidyBatchInputSerializer, responses={201: s.SubsidyBatchSerializer})
    def create(self, request):
        data = s.SubsidyBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.payment_batch_create(actor=request.user, **data.validated_data)
        return Response(s.SubsidyBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class TrackerViewSet(viewsets.ViewSet):
    """The "due" tracker (应发尽发) of the caller's area: headline figures and counts per subdistrict."""

    @extend_schema(responses=s.SubsidyTrackerSerializer)
    def list(self, request):
        tracker = selectors.tracker(user=request.user)
        data = {
            "headline": selectors.headline(user=request.user),
            "subdistricts": tracker["subdistricts"],
            "totals": {"id": None, "name": "", **tracker["totals"]},
            "longest": tracker["longest"],
        }
        return Response(s.SubsidyTrackerSerializer(data).data)
