"""The pool's API: thin endpoints over the same selectors and services as the pages, scoped to the caller."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiati.housing.models import Dwelling, Stairwell
from jiati.organisation.models import Region
from jiati.pool import filtersets, permissions, rules, selectors, services
from jiati.pool.api import serializers as s
from jiati.pool.models import Assessment, StairwellPriority, Survey, Target
from jiati.projects.models import Cluster, Project
from jiati.web.api import ScopedReadOnlyViewSet
from jiati.web.pagination import KeysetPagination


class PriorityPagination(KeysetPagination):
    """Highest stored priority first, ties newest first (the cursor's position is a score in hundredths)."""

    ordering = ("-priority", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        return CursorPagination.paginate_queryset(self, queryset, request, view)


def _input(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _one(queryset, pk):
    obj = queryset.filter(pk=pk).first() if pk not in (None, "") else None
    if obj is None:
        raise NotFound
    return obj


def _readers_only(request) -> None:
    if not permissions.can_read(request.user):
        raise PermissionDenied


class PoolStairwellViewSet(ScopedReadOnlyViewSet):
    """The pool: candidate stairwells with their feasibility, willingness and project (filters as on the page)."""

    serializer_class = s.PoolStairwellSerializer
    filterset_class = filtersets.PoolFilterSet
    queryset = Stairwell.objects.none()  # for the schema; get_queryset builds the real one

    def get_queryset(self):
        _readers_only(self.request)
        return selectors.with_priority(selectors.pool_stairwells(user=self.request.user))

    @property
    def paginator(self):
        """`?sort=priority`: highest stored score first (the page's order); otherwise newest first."""
        if not hasattr(self, "_paginator"):
            sorted_by_priority = self.request is not None and self.request.query_params.get("sort") == "priority"
            self._paginator = PriorityPagination() if sorted_by_priority else KeysetPagination()
        return self._paginator

    @extend_schema(responses=s.PriorityScoreSerializer)
    @action(detail=True, methods=["get"])
    def priority(self, request, pk=None):
        """The score explained term by term (computed now from the live rows) beside the stored one."""
        stairwell = self.get_object()
        score = selectors.priority_scores([stairwell], rules.rules_for_path(stairwell.community.path))[stairwell.pk]
        stored = StairwellPriority.objects.filter(pk=stairwell.pk).first()
        return Response(
            s.PriorityScoreSerializer(
                {"total": score.total, "terms": score.terms, "stored": stored.score if stored else None}
            ).data
        )

    @extend_schema(request=s.AssessmentInputSerializer, responses={201: s.AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        stairwell = self.get_object()
        data = _input(s.AssessmentInputSerializer, request)
        assessment = services.assessment_record(actor=request.user, stairwell=stairwell, **data)
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.SurveySerializer})
    @action(detail=True, methods=["post"], url_path="open-survey")
    def open_survey(self, request, pk=None):
        survey = services.survey_open(actor=request.user, stairwell=self.get_object())
        return Response(s.SurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: None})
    @action(detail=True, methods=["post"], url_path="open-project")
    def open_project(self, request, pk=None):
        project = services.pool_project_open(actor=request.user, stairwell=self.get_object())
        return Response({"project": project.pk, "code": project.code}, status=status.HTTP_201_CREATED)


class AssessmentViewSet(ScopedReadOnlyViewSet):
    """Feasibility assessments, the current ones and their history (filter ?stairwell=)."""

    queryset = Assessment.objects.all()
    serializer_class = s.AssessmentSerializer
    filterset_fields = ["stairwell", "result", "is_current"]

    @extend_schema(request={"multipart/form-data": s.EvidenceInputSerializer}, responses={201: s.EvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        """Add a site photo, the structural safety appraisal… to the current assessment (checked like every upload)."""
        assessment = self.get_object()
        data = _input(s.EvidenceInputSerializer, request)
        row = services.assessment_evidence_add(
            actor=request.user, assessment=assessment, kind=data["kind"], upload=data["file"]
        )
        return Response(s.EvidenceSerializer(row).data, status=status.HTTP_201_CREATED)


class SurveyViewSet(ScopedReadOnlyViewSet):
    queryset = Survey.objects.all()
    serializer_class = s.SurveySerializer
    filterset_class = filtersets.SurveyFilterSet

    @extend_schema(request=s.AnswerInputSerializer, responses=s.SurveySerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        survey = self.get_object()
        data = _input(s.AnswerInputSerializer, request)
        dwelling = _one(Dwelling.objects.visible_to(request.user), data.pop("dwelling"))
        services.survey_answer_record(actor=request.user, survey=survey, dwelling=dwelling, **data)
        survey.refresh_from_db()
        return Response(s.SurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.SurveyImportInputSerializer}, responses={201: s.SurveyImportSerializer}
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_answers(self, request, pk=None):
        """Import answers from a spreadsheet through the page's importer: all rows or none; a refused file answers
        400 with every wrong row named (row, column, why) under "file"."""
        survey = self.get_object()
        upload = _input(s.SurveyImportInputSerializer, request)["file"]
        outcome = services.survey_import_upload(actor=request.user, survey=survey, upload=upload)
        if outcome.errors:
            raise ValidationError(
                {"file": [ValidationError(text, code="row_invalid") for text in services.import_errors_text(outcome)]}
            )
        survey.refresh_from_db()
        return Response(
            s.SurveyImportSerializer({"applied": outcome.applied, "survey": survey}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.SurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        survey = services.survey_close(actor=request.user, survey=self.get_object())
        return Response(s.SurveySerializer(survey).data)


class TargetViewSet(ScopedReadOnlyViewSet):
    queryset = Target.objects.select_related("region")
    serializer_class = s.TargetSerializer
    filterset_class = filtersets.TargetFilterSet

    @extend_schema(request=s.TargetInputSerializer, responses=s.TargetSerializer)
    def create(self, request):
        data = _input(s.TargetInputSerializer, request)
        region = Region.objects.visible_to(request.user).filter(pk=data.pop("region")).first()
        target = services.target_set(actor=request.user, region=region, **data)
        return Response(s.TargetSerializer(target).data, status=status.HTTP_201_CREATED)


class CoverageView(APIView):
    """Coverage of a region in the caller's area (?region=id; default: the caller's whole area)."""

    @extend_schema(parameters=[OpenApiParameter("region", int, required=False)], responses=s.CoverageSerializer)
    def get(self, request):
        _readers_only(request)
        region = None
        if request.query_params.get("region"):
            region = _one(Region.objects.visible_to(request.user), request.query_params["region"])
        figures = selectors.coverage(user=request.user, region=region)

        def fraction(rate):
            return f"{rate.numerator}/{rate.denominator}" if rate is not None else None

        return Response(
            s.CoverageSerializer(
                {
                    "region": region.pk if region else None,
                    **figures.__dict__,
                    "willing_rate": fraction(figures.willing_rate),
                    "feasible_rate": fraction(figures.feasible_rate),
                }
            ).data
        )


class ClusterViewSet(ScopedReadOnlyViewSet):
    queryset = Cluster.objects.all()
    serializer_class = s.ClusterSerializer

    @extend_schema(responses=s.ClusterMemberSerializer(many=True))
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        return Response(s.ClusterMemberSerializer(selectors.cluster_members(self.get_object()), many=True).data)

    def _member_change(self, request, change):
        from jiati.projects import services as project_services

        cluster = self.get_object()
        project = _one(
            Project.objects.visible_to(request.user), _input(s.ClusterMemberInputSerializer, request)["project"]
        )
        getattr(project_services, change)(cluster=cluster, project=project, actor=request.user)
        return Response(s.ClusterMemberSerializer(selectors.cluster_members(cluster), many=True).data)

    @extend_schema(request=s.ClusterMemberInputSerializer, responses=s.ClusterMemberSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="add-member")
    def add_member(self, request, pk=None):
        return self._member_change(request, "cluster_add_project")

    @extend_schema(request=s.ClusterMemberInputSerializer, responses=s.ClusterMemberSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="remove-member")
    def remove_member(self, request, pk=None):
        return self._member_change(request, "cluster_remove_project")

    @extend_schema(request=s.ClusterWorkInputSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def works(self, request, pk=None):
        cluster = self.get_object()
        work = services.cluster_work_add(
            actor=request.user, cluster=cluster, **_input(s.ClusterWorkInputSerializer, request)
        )
        return Response({"id": work.pk}, status=status.HTTP_201_CREATED)
