"""The supervision API: the same services, rules and scoping as the pages (out of area answers 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiati.accounts.models import User
from jiati.core.hooks import collect
from jiati.organisation.models import Region
from jiati.projects.models import Project
from jiati.supervision import selectors, services
from jiati.supervision.api import serializers as s
from jiati.supervision.models import MonthlyDispatch, Rectification, SiteCheck, WeeklyReview
from jiati.web.api import ScopedReadOnlyViewSet


def _one(queryset, pk):
    if pk in (None, ""):
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound
    return obj


def _input(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class SitesTodayView(APIView):
    @extend_schema(responses=s.SiteTodaySerializer(many=True))
    def get(self, request):
        rows = selectors.sites_today(user=request.user, mine=request.query_params.get("mine") == "1")
        return Response(s.SiteTodaySerializer(rows, many=True).data)


class SiteCheckViewSet(ScopedReadOnlyViewSet):
    queryset = SiteCheck.objects.prefetch_related("items", "photos")
    serializer_class = s.SiteCheckSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.SiteCheckInput, responses={201: s.SiteCheckSerializer})
    def create(self, request):
        data = _input(s.SiteCheckInput, request)
        project = _one(Project.objects.visible_to(request.user), data["project"])
        results = {row["code"]: (row["result"], row["note"]) for row in data["items"]}
        check = services.site_check_record(
            actor=request.user,
            project=project,
            results=results,
            note=data["note"],
            photos=request.FILES.getlist("photos"),
            due_date=data["due_date"],
        )
        return Response(
            s.SiteCheckSerializer(self.get_queryset().get(pk=check.pk)).data, status=status.HTTP_201_CREATED
        )


class RectificationViewSet(ScopedReadOnlyViewSet):
    queryset = Rectification.objects.prefetch_related("events__photos")
    serializer_class = s.RectificationSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        rows = super().get_queryset()
        state = self.request.query_params.get("state")
        if state == "open":
            rows = rows.open()
        elif state == "overdue":
            rows = rows.overdue()
        return rows

    @extend_schema(request=s.RectificationAnswerInput, responses=s.RectificationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        rectification = self.get_object()
        data = _input(s.RectificationAnswerInput, request)
        services.rectification_answer(
            actor=request.user, rectification=rectification, note=data["note"], photos=request.FILES.getlist("photos")
        )
        return Response(s.RectificationSerializer(self.get_queryset().get(pk=rectification.pk)).data)

    @extend_schema(request=s.RecheckInput, responses=s.RectificationSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        rectification = self.get_object()
        data = _input(s.RecheckInput, request)
        services.rectification_recheck(
            actor=request.user,
            rectification=rectification,
            fixed=data["fixed"],
            note=data["note"],
            photos=request.FILES.getlist("photos"),
            due_date=data["due_date"],
        )
        return Response(s.RectificationSerializer(self.get_queryset().get(pk=rectification.pk)).data)


class MyTasksView(APIView):
    @extend_schema(responses=s.TaskSerializer(many=True))
    def get(self, request):
        import datetime as dt

        tasks = collect("mytasks", "user_tasks", user=request.user)
        tasks.sort(key=lambda t: (not t["overdue"], t["due"] or dt.date.max, t.get("order", 100)))
        return Response(s.TaskSerializer(tasks, many=True).data)


class WeeklyReviewViewSet(ScopedReadOnlyViewSet):
    queryset = WeeklyReview.objects.select_related("region").prefetch_related("decisions")
    serializer_class = s.WeeklyReviewSerializer

    @extend_schema(request=s.WeeklyReviewInput, responses={201: s.WeeklyReviewSerializer})
    def create(self, request):
        data = _input(s.WeeklyReviewInput, request)
        region = _one(Region.objects.visible_to(request.user), data["region"])
        review = services.weekly_review_generate(
            actor=request.user, region=region, week_start=data["week_start"], stalled_days=data["stalled_days"]
        )
        return Response(s.WeeklyReviewSerializer(self.get_queryset().get(pk=review.pk)).data, status=201)

    @extend_schema(request=s.DecisionInput, responses={201: s.ReviewDecisionSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        review = self.get_object()
        data = _input(s.DecisionInput, request)
        owner = _one(User.objects.filter(is_active=True), data["owner"])
        project = _one(Project.objects.visible_to(request.user), data["project"])
        decision = services.decision_add(
            actor=request.user,
            review=review,
            description=data["description"],
            owner=owner,
            due_date=data["due_date"],
            project=project,
        )
        return Response(s.ReviewDecisionSerializer(decision).data, status=201)


class MonthlyDispatchViewSet(ScopedReadOnlyViewSet):
    queryset = MonthlyDispatch.objects.select_related("region")
    serializer_class = s.MonthlyDispatchSerializer

    @extend_schema(request=s.DispatchInput, responses={201: s.MonthlyDispatchSerializer})
    def create(self, request):
        data = _input(s.DispatchInput, request)
        region = _one(Region.objects.visible_to(request.user), data["region"])
        dispatch = services.dispatch_generate(actor=request.user, region=region, month=data["month"])
        return Response(s.MonthlyDispatchSerializer(dispatch, context={"request": request}).data, status=201)

    @extend_schema(responses=s.DispatchInstructionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def instructions(self, request, pk=None):
        dispatch = self.get_object()
        rows = services.instruction_visible(request.user).filter(dispatch=dispatch)
        return Response(s.DispatchInstructionSerializer(rows, many=True).data)
