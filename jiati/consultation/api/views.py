"""The consultation API: the same services, rules and scoping as the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiati.companies.models import Company
from jiati.consultation import filtersets, permissions, selectors
from jiati.consultation.api import serializers as s
from jiati.consultation.models import (
    Article,
    Booking,
    ConsultationRecord,
    Meeting,
    MeetingAction,
    Petition,
    WindowSlot,
)
from jiati.consultation.services import meetings, petitions, publicity, windows
from jiati.housing.models import Estate, Owner, Stairwell
from jiati.organisation.filtersets import ServiceWindowFilterSet
from jiati.organisation.models import Region, ServiceWindow
from jiati.web.api import ScopedReadOnlyViewSet
from jiati.web.filters import bound_numbers


def _one(queryset, pk):
    """An object by id from an already scoped queryset; none given is None, out of scope is 404."""
    if pk in (None, ""):
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound
    return obj


def _many(queryset, pks) -> list:
    pks = list(dict.fromkeys(pks or []))
    objects = list(queryset.filter(pk__in=pks))
    if len(objects) != len(pks):
        raise NotFound
    return objects


def _input(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class WindowViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceWindow.objects.prefetch_related("staff_on_duty")
    serializer_class = s.ConsultationWindowSerializer
    filterset_class = ServiceWindowFilterSet

    @extend_schema(request=s.ConsultationWindowUpdateSerializer, responses=s.ConsultationWindowSerializer)
    @action(detail=True, methods=["post"])
    def details(self, request, pk=None):
        window = self.get_object()
        data = _input(s.ConsultationWindowUpdateSerializer, request)
        from jiati.accounts.selectors import staff_visible_to

        data["staff_on_duty"] = _many(staff_visible_to(user=request.user), data["staff_on_duty"])
        window = windows.window_update(actor=request.user, window=window, **data)
        return Response(s.ConsultationWindowSerializer(self.get_queryset().get(pk=window.pk)).data)

    @extend_schema(request=s.WindowSlotsOpenSerializer, responses={201: s.WindowSlotSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="open-slots")
    def open_slots(self, request, pk=None):
        window = self.get_object()
        data = _input(s.WindowSlotsOpenSerializer, request)
        slots = windows.slots_open(
            actor=request.user,
            window=window,
            first_day=data["first_day"],
            last_day=data["last_day"],
            weekdays=set(data["weekdays"]),
            times=[(t["start"], t["end"]) for t in data["times"]],
            capacity=data["capacity"],
            skip_holidays=data["skip_holidays"],
        )
        return Response(s.WindowSlotSerializer(slots, many=True).data, status=status.HTTP_201_CREATED)


class SlotViewSet(ScopedReadOnlyViewSet):
    queryset = WindowSlot.objects.select_related("window")
    serializer_class = s.WindowSlotSerializer
    filterset_class = filtersets.SlotFilterSet

    @extend_schema(request=s.WindowBookingInputSerializer, responses={201: s.WindowBookingSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        slot = self.get_object()
        booking = windows.booking_create(
            actor=request.user, slot=slot, **_input(s.WindowBookingInputSerializer, request)
        )
        return Response(
            s.WindowBookingSerializer(booking, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.SlotCapacitySerializer, responses=s.WindowSlotSerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        slot = windows.slot_set_capacity(
            actor=request.user, slot=self.get_object(), capacity=_input(s.SlotCapacitySerializer, request)["capacity"]
        )
        return Response(s.WindowSlotSerializer(slot).data)

    @extend_schema(request=s.ConsultationReasonSerializer, responses=s.WindowSlotSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        slot = windows.slot_cancel(
            actor=request.user, slot=self.get_object(), reason=_input(s.ConsultationReasonSerializer, request)["reason"]
        )
        return Response(s.WindowSlotSerializer(slot).data)


class BookingViewSet(ScopedReadOnlyViewSet):
    queryset = Booking.objects.select_related("slot")
    serializer_class = s.WindowBookingSerializer
    filterset_class = filtersets.BookingFilterSet

    @extend_schema(request=s.ConsultationReasonSerializer, responses=s.WindowBookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = windows.booking_cancel(
            actor=request.user,
            booking=self.get_object(),
            reason=_input(s.ConsultationReasonSerializer, request)["reason"],
        )
        return Response(s.WindowBookingSerializer(booking, context={"request": request}).data)

    @extend_schema(request=s.BookingAttendedSerializer, responses=s.WindowBookingSerializer)
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        booking = windows.booking_mark(
            actor=request.user,
            booking=self.get_object(),
            attended=_input(s.BookingAttendedSerializer, request)["attended"],
        )
        return Response(s.WindowBookingSerializer(booking, context={"request": request}).data)


class ConsultationViewSet(ScopedReadOnlyViewSet):
    queryset = ConsultationRecord.objects.all()
    serializer_class = s.ConsultationSerializer
    filterset_class = filtersets.ConsultationFilterSet

    @extend_schema(request=s.ConsultationInputSerializer, responses={201: s.ConsultationSerializer})
    def create(self, request):
        from jiati.accounts.selectors import staff_visible_to

        data = _input(s.ConsultationInputSerializer, request)
        user = request.user
        data["window"] = _one(ServiceWindow.objects.visible_to(user), data.get("window"))
        data["estate"] = _one(Estate.objects.visible_to(user), data.get("estate"))
        data["stairwell"] = _one(Stairwell.objects.visible_to(user), data.get("stairwell"))
        data["follow_up_by"] = _one(staff_visible_to(user=user), data.get("follow_up_by"))
        record = windows.consultation_record(actor=user, **data)
        return Response(
            s.ConsultationSerializer(record, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.FollowUpResultSerializer, responses=s.ConsultationSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up-done")
    def follow_up_done(self, request, pk=None):
        record = windows.consultation_follow_up_done(
            actor=request.user, record=self.get_object(), result=_input(s.FollowUpResultSerializer, request)["result"]
        )
        return Response(s.ConsultationSerializer(record, context={"request": request}).data)


class MeetingViewSet(ScopedReadOnlyViewSet):
    # Actions that page their rows like `list` (the schema declares them paginated: jiati/web/schema.py).
    paginated_actions = ("coverage_gaps",)
    queryset = Meeting.objects.prefetch_related("projects")
    serializer_class = s.MeetingSerializer
    filterset_class = filtersets.MeetingFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def respond(self, meeting, code=status.HTTP_200_OK):
        return Response(s.MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data, status=code)

    def _participants(self, meeting):
        """Whom the caller may invite or name as a resolution's owner: as in the meeting page's forms."""
        return selectors.meeting_participant_users(actor=self.request.user, meeting=meeting)

    def _invitees(self, meeting, invitees, code=status.HTTP_200_OK):
        full = permissions.sees_invitees(self.request.user, meeting)
        return Response(s.MeetingInviteeSerializer(invitees, many=True, context={"full_names": full}).data, status=code)

    @extend_schema(request=s.MeetingInputSerializer, responses={201: s.MeetingSerializer})
    def create(self, request):
        from jiati.projects.models import Project

        data = _input(s.MeetingInputSerializer, request)
        user = request.user
        data["region"] = _one(Region.objects.visible_to(user), data.get("region"))
        data["estate"] = _one(Estate.objects.visible_to(user), data.get("estate"))
        data["projects"] = _many(Project.objects.visible_to(user), data.get("projects"))
        data["company"] = _one(Company.objects.visible_to(user), data.get("company"))
        return self.respond(meetings.meeting_schedule(actor=user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=s.MeetingInviteInputSerializer, responses={201: s.MeetingInviteeSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        meeting = self.get_object()
        data = _input(s.MeetingInviteInputSerializer, request)
        user = request.user
        companies = _many(Company.objects.visible_to(user), data["companies"])
        created = meetings.meeting_invite(
            actor=user,
            meeting=meeting,
            users=_many(
                selectors.meeting_participant_users(actor=user, meeting=meeting, also_companies=companies),
                data["users"],
            ),
            owners=_many(Owner.objects.visible_to(user), data["owners"]),
            companies=companies,
            others=[(row[0], row[1] if len(row) > 1 else "") for row in data["others"] if row],
            owners_of_projects=data["owners_of_projects"],
        )
        return self._invitees(meeting, created, status.HTTP_201_CREATED)

    @extend_schema(responses=s.MeetingInviteeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def invitees(self, request, pk=None):
        meeting = self.get_object()
        return self._invitees(meeting, meeting.invitees.all())

    @extend_schema(request=s.MeetingUpdateSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a scheduled meeting (title, time, place, agenda, company, party branch)."""
        meeting = self.get_object()
        data = _input(s.MeetingUpdateSerializer, request)
        data["company"] = _one(Company.objects.visible_to(request.user), data.get("company"))
        return self.respond(meetings.meeting_update(actor=request.user, meeting=meeting, **data))

    @extend_schema(request={"multipart/form-data": s.MeetingSignInSheetSerializer}, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="sign-in-sheet", parser_classes=[MultiPartParser, FormParser])
    def sign_in_sheet(self, request, pk=None):
        """Upload the signed sign-in sheet (a PDF scan or a JPG/PNG photo), as multipart/form-data."""
        meeting = self.get_object()
        upload = _input(s.MeetingSignInSheetSerializer, request)["sign_in_sheet"]
        return self.respond(meetings.meeting_upload_sign_in(actor=request.user, meeting=meeting, upload=upload))

    @extend_schema(request=s.MeetingAttendanceSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        present = set(_input(s.MeetingAttendanceSerializer, request)["present"])
        return self.respond(
            meetings.meeting_record_attendance(actor=request.user, meeting=self.get_object(), present=present)
        )

    @extend_schema(request=s.MeetingMinutesSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        minutes = _input(s.MeetingMinutesSerializer, request)["minutes"]
        return self.respond(meetings.meeting_hold(actor=request.user, meeting=self.get_object(), minutes=minutes))

    @extend_schema(request=s.MeetingProjectsSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def projects(self, request, pk=None):
        from jiati.projects.models import Project

        projects = _many(
            Project.objects.visible_to(request.user), _input(s.MeetingProjectsSerializer, request)["projects"]
        )
        return self.respond(
            meetings.meeting_link_projects(actor=request.user, meeting=self.get_object(), projects=projects)
        )

    @extend_schema(request=s.MeetingProjectSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="unlink-project")
    def unlink_project(self, request, pk=None):
        """Remove a project from a meeting that has not been held."""
        from jiati.projects.models import Project

        meeting = self.get_object()
        project = _one(Project.objects.visible_to(request.user), _input(s.MeetingProjectSerializer, request)["project"])
        return self.respond(meetings.meeting_unlink_project(actor=request.user, meeting=meeting, project=project))

    @extend_schema(request=s.ConsultationReasonSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = _input(s.ConsultationReasonSerializer, request)["reason"]
        return self.respond(meetings.meeting_cancel(actor=request.user, meeting=self.get_object(), reason=reason))

    @extend_schema(methods=["get"], responses=s.ResolutionSerializer(many=True))
    @extend_schema(methods=["post"], request=s.ResolutionInputSerializer, responses={201: s.ResolutionSerializer})
    @action(detail=True, methods=["get", "post"])
    def resolutions(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "GET":
            return Response(s.ResolutionSerializer(meeting.actions.all(), many=True).data)
        data = _input(s.ResolutionInputSerializer, request)
        data["owner"] = _one(self._participants(meeting), data.get("owner"))
        data["project"] = _one(meeting.projects.all(), data.get("project"))
        created = meetings.action_add(actor=request.user, meeting=meeting, **data)
        return Response(s.ResolutionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.MeetingCoverageRowSerializer(many=True))
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """One meeting per elevator: per subdistrict, the projects at or past consultation and how many had one."""
        return Response(
            s.MeetingCoverageRowSerializer(selectors.coverage_by_subdistrict(user=request.user), many=True).data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("region", int, description="Only under this subdistrict or community"),
            OpenApiParameter("stage", str, description="Only at this stage"),
            OpenApiParameter("mine", bool, description="Only projects the caller is responsible for"),
        ],
        responses=s.MeetingCoverageGapSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="coverage-gaps", filterset_class=None)
    def coverage_gaps(self, request):
        """Live projects at or past the consultation stage still without a meeting that counts as their 一梯一会
        (the same rule and filters as the page "Projects without a consultation meeting"), keyset-paginated."""
        queryset = selectors.coverage_gaps(user=request.user).select_related("estate", "community__parent")
        filterset = bound_numbers(
            filtersets.CoverageGapFilterSet(request.GET or None, queryset=queryset, request=request)
        )
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(s.MeetingCoverageGapSerializer(page, many=True).data)


class ActionViewSet(ScopedReadOnlyViewSet):
    queryset = MeetingAction.objects.all()
    serializer_class = s.ResolutionSerializer
    filterset_class = filtersets.ActionFilterSet

    @extend_schema(request=s.ResolutionDoneSerializer, responses=s.ResolutionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        done = meetings.action_done(
            actor=request.user, action=self.get_object(), note=_input(s.ResolutionDoneSerializer, request)["note"]
        )
        return Response(s.ResolutionSerializer(done).data)


class PetitionViewSet(ScopedReadOnlyViewSet):
    queryset = Petition.objects.select_related("group")
    serializer_class = s.PetitionSerializer
    filterset_class = filtersets.PetitionFilterSet

    def respond(self, petition, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=petition.pk)
        return Response(s.PetitionSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.PetitionInputSerializer, responses={201: s.PetitionSerializer})
    def create(self, request):
        data = _input(s.PetitionInputSerializer, request)
        user = request.user
        data["estate"] = _one(Estate.objects.visible_to(user), data["estate"])
        data["stairwell"] = _one(Stairwell.objects.visible_to(user), data.get("stairwell"))
        return self.respond(petitions.petition_submit(actor=user, **data), status.HTTP_201_CREATED)

    @extend_schema(responses=s.PetitionEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(s.PetitionEventSerializer(self.get_object().events.order_by("at", "id"), many=True).data)

    @extend_schema(request=s.PetitionTextSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.act(
            request,
            s.PetitionTextSerializer,
            lambda p, d: petitions.petition_accept(actor=request.user, petition=p, note=d["text"]),
        )

    @extend_schema(request=s.ConsultationReasonSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self.act(
            request,
            s.ConsultationReasonSerializer,
            lambda p, d: petitions.petition_decline(actor=request.user, petition=p, reason=d["reason"]),
        )

    @extend_schema(request=s.PetitionTextSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        def call(p, d):
            petitions.petition_note(actor=request.user, petition=p, text=d["text"])
            return p

        return self.act(request, s.PetitionTextSerializer, call)

    @extend_schema(request=s.PetitionExtendSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self.act(
            request,
            s.PetitionExtendSerializer,
            lambda p, d: petitions.petition_extend(actor=request.user, petition=p, **d),
        )

    @extend_schema(request=s.PetitionReplySerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self.act(
            request,
            s.PetitionReplySerializer,
            lambda p, d: petitions.petition_reply(actor=request.user, petition=p, reply=d["reply"]),
        )

    @extend_schema(request=s.PetitionCloseSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act(
            request,
            s.PetitionCloseSerializer,
            lambda p, d: petitions.petition_close(actor=request.user, petition=p, **d),
        )

    @extend_schema(request=s.ConsultationReasonSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.act(
            request,
            s.ConsultationReasonSerializer,
            lambda p, d: petitions.petition_reopen(actor=request.user, petition=p, reason=d["reason"]),
        )

    @extend_schema(request=s.ConsultationReasonSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self.act(
            request,
            s.ConsultationReasonSerializer,
            lambda p, d: petitions.petition_escalate(actor=request.user, petition=p, reason=d["reason"]),
        )

    @extend_schema(request=s.PetitionTextSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"], url_path="letter-sent")
    def letter_sent(self, request, pk=None):
        """Record that the letter due to a petitioner reachable only by post (`letter_due`) was posted."""
        return self.act(
            request,
            s.PetitionTextSerializer,
            lambda p, d: petitions.petition_letter_sent(actor=request.user, petition=p, note=d["text"]),
        )

    @extend_schema(request=s.PetitionHandlerSerializer, responses=s.PetitionSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        from jiati.accounts.selectors import staff_visible_to

        def call(p, d):
            handler = _one(staff_visible_to(user=request.user), d["handler"])
            return petitions.petition_reassign(actor=request.user, petition=p, handler=handler)

        return self.act(request, s.PetitionHandlerSerializer, call)


class ArticleViewSet(ScopedReadOnlyViewSet):
    queryset = Article.objects.all()
    serializer_class = s.PublicityArticleSerializer
    filterset_class = filtersets.ArticleFilterSet

    def _article_input(self, request) -> dict:
        data = _input(s.PublicityArticleInputSerializer, request)
        data["translation_of"] = _one(Article.objects.visible_to(request.user), data.get("translation_of"))
        return data

    @extend_schema(request=s.PublicityArticleInputSerializer, responses={201: s.PublicityArticleSerializer})
    def create(self, request):
        article = publicity.article_create(actor=request.user, **self._article_input(request))
        return Response(s.PublicityArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PublicityArticleInputSerializer, responses=s.PublicityArticleSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        article = publicity.article_update(
            actor=request.user, article=self.get_object(), **self._article_input(request)
        )
        return Response(s.PublicityArticleSerializer(article).data)

    @extend_schema(request=None, responses=s.PublicityArticleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return Response(
            s.PublicityArticleSerializer(publicity.article_publish(actor=request.user, article=self.get_object())).data
        )

    @extend_schema(request=None, responses=s.PublicityArticleSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return Response(
            s.PublicityArticleSerializer(publicity.article_withdraw(actor=request.user, article=self.get_object())).data
        )
