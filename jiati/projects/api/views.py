"""The projects API: the same services, guards and scoping as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiati.companies.models import Company
from jiati.housing.models import Stairwell
from jiati.projects import filtersets, permissions, schedule, selectors, services
from jiati.projects.api import serializers as s
from jiati.projects.models import Blocker, Project, next_stage, sees_project_internals
from jiati.web.api import ScopedReadOnlyViewSet, scoped_or_refuse


class ProjectViewSet(ScopedReadOnlyViewSet):
    """Projects, scoped like the pages. Staff see the whole project; construction teams, maintainers and
    residents its outside view (`ProjectOutsideSerializer`), the documents of the kinds they may open and the
    stage moves of its timeline."""

    # No `with_schedule_state()` here: the serializer works the state out per row (`current_schedule_state`), with
    # today's date — an annotation made when this class was defined kept the date the process started with.
    queryset = Project.objects.all()
    serializer_class = s.ProjectSerializer
    filterset_class = filtersets.ProjectFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and not sees_project_internals(user):
            return s.ProjectOutsideSerializer
        return s.ProjectSerializer

    def respond(self, project, code=status.HTTP_200_OK):
        project = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(project).data, status=code)

    @extend_schema(request=s.ProjectOpenSerializer, responses={201: s.ProjectSerializer})
    def create(self, request):
        data = s.ProjectOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stairwell = Stairwell.objects.visible_to(request.user).filter(pk=data.validated_data["stairwell"]).first()
        if stairwell is None:
            raise NotFound
        project = services.project_open(
            actor=request.user,
            stairwell=stairwell,
            target_date=data.validated_data.get("target_date"),
            note=data.validated_data["note"],
        )
        return self.respond(project, status.HTTP_201_CREATED)

    @extend_schema(responses=s.NextStepSerializer)
    @action(detail=True, methods=["get"], url_path="next-step")
    def next_step(self, request, pk=None):
        project = self.get_object()
        missing = services.project_move_check(project=project, actor=request.user)
        return Response(
            {
                "stage": project.stage,
                "next_stage": next_stage(project.stage),
                "can_move": not missing,
                "missing": missing,
            }
        )

    @extend_schema(request=s.AdvanceSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the project to its next stage. `expected_stage` (the stage you read) is required: two callers
        who read the same stage cannot both move it — the second is refused with `stage_changed`."""
        project = self.get_object()
        data = s.AdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(
            services.project_advance(
                project=project,
                actor=request.user,
                note=data.validated_data["note"],
                expected_stage=data.validated_data["expected_stage"],
            )
        )

    def _status(self, request, service):
        project = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(service(project=project, actor=request.user, reason=data.validated_data["reason"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._status(request, services.project_suspend)

    @extend_schema(request=s.ReasonSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._status(request, services.project_withdraw)

    @extend_schema(request=s.ReasonSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._status(request, services.project_reopen)

    @extend_schema(request=s.ChecklistSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["patch"])
    def checklist(self, request, pk=None):
        """Change any of the lead owner, chat group, brand, construction team, maintainer and cost: one service
        call, one transaction — a refused value leaves every other one unchanged too."""
        project = self.get_object()
        if not permissions.can_manage(request.user):  # before looking anything up for someone who may not
            raise PermissionDenied
        data = s.ChecklistSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "lead_owner" in values:
            owner_id = values["lead_owner"]
            owner = selectors.stairwell_owners(project).filter(pk=owner_id).first() if owner_id else None
            if owner_id and owner is None:  # not an owner here, or no such owner: the same answer
                raise services.lead_owner_refusal()
            values["lead_owner"] = owner
        for field in ("brand", "contractor", "maintainer"):
            if field in values:
                values[field] = scoped_or_refuse(Company.objects.visible_to(request.user), values[field], field=field)
        if values:
            services.project_set_checklist(project=project, actor=request.user, **values)
        return self.respond(project)

    @extend_schema(request=s.ContractReviewInputSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="contract-reviews")
    def contract_review(self, request, pk=None):
        project = self.get_object()
        data = s.ContractReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contract_review_add(project=project, actor=request.user, **data.validated_data)
        return self.respond(project, status.HTTP_201_CREATED)

    @extend_schema(responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        project = self.get_object()
        events = selectors.timeline_events(project, user=request.user, limit=500)  # stored sentences read in bulk
        return Response(s.EventSerializer(events, many=True).data)

    @extend_schema(methods=["get"], responses=s.DocumentSerializer(many=True))
    @extend_schema(methods=["post"], request=s.DocumentUploadSerializer, responses={201: s.DocumentSerializer})
    @action(detail=True, methods=["get", "post"])
    def documents(self, request, pk=None):
        project = self.get_object()
        if request.method == "GET":
            documents = selectors.project_documents(project=project, user=request.user)
            return Response(s.DocumentSerializer(documents, many=True).data)
        data = s.DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_add(
            project=project,
            actor=request.user,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
            note=data.validated_data["note"],
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=s.BlockerSerializer(many=True))
    @extend_schema(methods=["post"], request=s.BlockerSerializer, responses={201: s.BlockerSerializer})
    @action(detail=True, methods=["get", "post"])
    def blockers(self, request, pk=None):
        project = self.get_object()
        if request.method == "GET":
            blockers = Blocker.objects.visible_to(request.user).filter(project=project)
            return Response(s.BlockerSerializer(blockers, many=True).data)
        data = s.BlockerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        blocker = services.blocker_open(project=project, actor=request.user, **data.validated_data)
        return Response(s.BlockerSerializer(blocker).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ResolutionSerializer, responses=s.BlockerSerializer)
    @action(detail=True, methods=["post"], url_path=r"blockers/(?P<blocker_pk>\d+)/resolve")
    def resolve_blocker(self, request, pk=None, blocker_pk=None):
        project = self.get_object()
        blocker = get_object_or_404(Blocker.objects.visible_to(request.user), pk=blocker_pk, project=project)
        data = s.ResolutionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        blocker = services.blocker_resolve(
            blocker=blocker, actor=request.user, resolution=data.validated_data["resolution"]
        )
        return Response(s.BlockerSerializer(blocker).data)

    @extend_schema(methods=["get"], responses=s.MilestoneSerializer(many=True))
    @extend_schema(methods=["post"], request=s.PlanInputSerializer, responses={201: s.MilestoneSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def schedule(self, request, pk=None):
        project = self.get_object()
        if request.method == "POST":
            data = s.PlanInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            plan = schedule.plan_make(project=project, actor=request.user, **data.validated_data)
            return Response(
                s.MilestoneSerializer(plan.milestones.all(), many=True).data, status=status.HTTP_201_CREATED
            )
        plan = project.plans.filter(is_current=True).first()
        return Response(s.MilestoneSerializer(plan.milestones.all() if plan else [], many=True).data)
