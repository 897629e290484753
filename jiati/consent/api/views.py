"""The consent API: the same services, tally and scoping as the pages."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiati.consent import filtersets, permissions, selectors, services
from jiati.consent.api import serializers as s
from jiati.consent.models import Ballot, CostScheme, Objection, PublicNotice, RollVoter, RuleSet, Vote
from jiati.consent.rules import find_spec, parse_rule_label
from jiati.consent.tally import TallyInputError, tally_file
from jiati.housing.models import Dwelling
from jiati.projects.models import Project
from jiati.web.api import ScopedReadOnlyViewSet


def _project(request, pk) -> Project:
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise NotFound
    return project


def _verdict_data(verdict) -> dict:
    return verdict.as_json() | {"still_needed_text": verdict.needed.text()}


class RuleSetViewSet(ScopedReadOnlyViewSet):
    queryset = (
        RuleSet.objects.prefetch_related("rounds__tests")
        .annotate(votes_count=Count("votes"))
        .order_by("code", "-version")
    )
    serializer_class = s.RuleSetSerializer

    @extend_schema(request=s.RuleSetInputSerializer, responses={201: s.RuleSetSerializer})
    def create(self, request):
        """A new version of a rule set (the district office); a version already created is never edited."""
        data = s.RuleSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rule_set = services.rule_set_create(actor=request.user, **values)
        return Response(s.RuleSetSerializer(rule_set).data, status=status.HTTP_201_CREATED)


class VoteViewSet(ScopedReadOnlyViewSet):
    # Actions that page their rows like `list` (the schema declares them paginated: jiati/web/schema.py).
    paginated_actions = ("roll",)
    queryset = Vote.objects.select_related("rule_set")
    serializer_class = s.VoteSerializer
    filterset_class = filtersets.VoteFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if not self.request.user.is_staff_member:
            return Vote.objects.none()
        return super().get_queryset()

    @extend_schema(request=s.VoteOpenSerializer, responses={201: s.VoteSerializer})
    def create(self, request):
        data = s.VoteOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = _project(request, values["project"])
        rule_set = None
        if values.get("rule_set"):
            code, version = parse_rule_label(values["rule_set"])
            rule_sets = RuleSet.objects.filter(code=code)
            rule_set = (
                rule_sets.filter(version=version).first()
                if version
                else rule_sets.active().order_by("-version").first()
            )
            if rule_set is None:
                raise ValidationError({"rule_set": [_("There is no such rule set.")]}, code="unknown_rule_set")
        scheme = None
        if values.get("cost_scheme"):
            scheme = CostScheme.objects.filter(pk=values["cost_scheme"], project=project).first()
            if scheme is None:
                raise ValidationError(
                    {"cost_scheme": [_("This cost-sharing scheme is not this project's.")]}, code="stale_scheme"
                )
        vote = services.vote_open(
            project=project,
            actor=request.user,
            rule_set=rule_set,
            round_number=values["round_number"],
            scope=values.get("scope"),
            closes_at=values["closes_at"],
            title=values["title"],
            plan=values["plan"],
            cost_scheme=scheme,
        )
        return Response(s.VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.VerdictSerializer)
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        """The four tests as exact fractions against their thresholds, and what is still needed."""
        return Response(_verdict_data(selectors.vote_verdict(self.get_object())))

    @extend_schema(responses=s.RollVoterSerializer(many=True))
    @action(detail=True, methods=["get"])
    def roll(self, request, pk=None):
        vote = self.get_object()
        ballots = Ballot.objects.filter(voter=OuterRef("pk"))
        voters = RollVoter.objects.filter(vote=vote).annotate(choice=Subquery(ballots.values("choice")[:1]))
        page = self.paginate_queryset(voters)
        return self.get_paginated_response(
            s.RollVoterSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(request=s.BallotInputSerializer, responses={201: s.BallotCastSerializer})
    @action(detail=True, methods=["post"])
    def ballots(self, request, pk=None):
        """Record a paper (or proxy) ballot with its signed form; returns the owner's receipt code once."""
        vote = self.get_object()
        data = s.BallotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        voter = RollVoter.objects.filter(vote=vote, pk=values["voter"]).first()
        if voter is None:
            raise ValidationError({"voter": [_("This voter is not on this vote's roll.")]}, code="not_on_roll")
        proxy = bool(values["proxy_name"] or values.get("authorisation"))
        cast = services.ballot_cast(
            vote=vote,
            voter=voter,
            choice=values["choice"],
            channel="proxy" if proxy else "paper",
            actor=request.user,
            change=values["change"],
            signed_form=values["signed_form"],
            proxy_name=values["proxy_name"],
            authorisation=values.get("authorisation"),
        )
        return Response(
            {
                "voter": voter.pk,
                "choice": cast.ballot.choice,
                "channel": cast.entry.channel,
                "sequence": cast.entry.sequence,
                "entry_hash": cast.entry.entry_hash,
                "receipt": cast.receipt,
                "changed": cast.changed,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.VoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        vote = services.vote_close(vote=self.get_object(), actor=request.user)
        return Response(s.VoteSerializer(vote).data)

    @extend_schema(request=s.ConsentReasonSerializer, responses=s.VoteSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = s.ConsentReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = services.vote_cancel(vote=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        return Response(s.VoteSerializer(vote).data)


class NoticeViewSet(ScopedReadOnlyViewSet):
    queryset = PublicNotice.objects.all()
    serializer_class = s.PublicNoticeSerializer
    filterset_class = filtersets.NoticeFilterSet

    @extend_schema(request=s.PublicNoticeInputSerializer, responses={201: s.PublicNoticeSerializer})
    def create(self, request):
        data = s.PublicNoticeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _project(request, values.pop("project"))
        notice = services.notice_post(project=project, actor=request.user, **values)
        return Response(s.PublicNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ConsentReasonSerializer, responses=s.PublicNoticeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = s.ConsentReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.notice_withdraw(
            notice=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.PublicNoticeSerializer(notice).data)


class ObjectionViewSet(ScopedReadOnlyViewSet):
    queryset = Objection.objects.all()
    serializer_class = s.ObjectionSerializer
    filterset_class = filtersets.ObjectionFilterSet

    def respond(self, objection, code=status.HTTP_200_OK):
        return Response(s.ObjectionSerializer(objection, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.ObjectionInputSerializer, responses={201: s.ObjectionSerializer})
    def create(self, request):
        data = s.ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _project(request, values.pop("project"))
        dwelling_id = values.pop("dwelling", None)
        if dwelling_id is not None:
            values["dwelling"] = Dwelling.objects.filter(pk=dwelling_id, estate_id=project.estate_id).first()
            if values["dwelling"] is None:
                raise ValidationError(
                    {"dwelling": [_("This dwelling is not in the project's estate.")]}, code="dwelling_not_in_estate"
                )
        objection = services.objection_lodge(project=project, actor=request.user, **values)
        return self.respond(objection, status.HTTP_201_CREATED)

    @extend_schema(request=s.ObjectionAnswerSerializer, responses=s.ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = s.ObjectionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(
            services.objection_answer(objection=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=s.ObjectionEscalateSerializer, responses=s.ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = s.ObjectionEscalateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(
            services.objection_escalate(objection=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=s.CloseObjectionSerializer, responses=s.ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = s.CloseObjectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(
            services.objection_close(objection=self.get_object(), actor=request.user, **data.validated_data)
        )


class CostSchemeViewSet(ScopedReadOnlyViewSet):
    queryset = CostScheme.objects.prefetch_related("shares")
    serializer_class = s.CostSchemeSerializer

    @extend_schema(request=s.CostSchemeInputSerializer, responses={201: s.CostSchemeSerializer})
    def create(self, request):
        data = s.CostSchemeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _project(request, values.pop("project"))
        scheme = services.cost_scheme_create(project=project, actor=request.user, **values)
        return Response(s.CostSchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.CostSchemeSerializer})
    @action(detail=True, methods=["post"])
    def recalculate(self, request, pk=None):
        """The current scheme again as a new version with the approved subsidy (refused if it has not changed)."""
        scheme = services.cost_scheme_recalculate(scheme=self.get_object(), actor=request.user)
        return Response(s.CostSchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)


class TallyView(APIView):
    """Upload a spreadsheet of a paper vote → the verdict (the same code as `manage.py vote_tally`). Saves nothing."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.TallyInputSerializer, responses=s.VerdictSerializer)
    def post(self, request):
        if not permissions.can_tally(request.user):
            raise PermissionDenied
        data = s.TallyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            spec = find_spec(data.validated_data["rule"], data.validated_data.get("round"))
        except LookupError:
            raise ValidationError(
                {"rule": [_("There is no such rule set or round.")]}, code="unknown_rule_set"
            ) from None
        try:
            verdict = tally_file(upload, upload.name, spec)
        except TallyInputError as exc:
            raise ValidationError({"file": [str(p) for p in exc.problems]}, code="bad_tally_file") from None
        return Response(_verdict_data(verdict))
