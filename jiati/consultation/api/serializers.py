"""API shapes for consultation. Contact details of petitioners and visitors are masked except for the
staff handling them; inputs are validated again by the services."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from jiati.consultation import permissions
from jiati.consultation.models import (
    Article,
    ArticleKind,
    Booking,
    Channel,
    ConsultationRecord,
    Meeting,
    MeetingAction,
    MeetingInvitee,
    MeetingLevel,
    Petition,
    PetitionChannel,
    PetitionEvent,
    ReplyMethod,
    Satisfaction,
    Topic,
    VisitorKind,
    WindowSlot,
)
from jiati.consultation.templatetags.consultation import MASKS, invitee_name
from jiati.core.serializers import ModelSerializer, Serializer
from jiati.organisation.models import ServiceWindow
from jiati.web.api import PersonalDataField


class ConsultationWindowSerializer(ModelSerializer):
    staff_on_duty = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ServiceWindow
        fields = [
            "id",
            "name",
            "kind",
            "workstation",
            "property_office",
            "community",
            "address",
            "opening_hours",
            "phone",
            "staff_on_duty",
            "is_active",
        ]
        read_only_fields = fields


class ConsultationWindowUpdateSerializer(Serializer):
    name = serializers.CharField()
    address = serializers.CharField(required=False, allow_blank=True, default="")
    opening_hours = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    staff_on_duty = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    is_active = serializers.BooleanField(required=False, default=True)


class SlotTimeRangeSerializer(Serializer):
    start = serializers.TimeField()
    end = serializers.TimeField()


class WindowSlotsOpenSerializer(Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), default=[0, 1, 2, 3, 4])
    times = SlotTimeRangeSerializer(many=True)
    capacity = serializers.IntegerField()
    skip_holidays = serializers.BooleanField(default=True)


class WindowSlotSerializer(ModelSerializer):
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = WindowSlot
        fields = [
            "id",
            "window",
            "starts_at",
            "ends_at",
            "capacity",
            "booked",
            "places_left",
            "is_cancelled",
            "cancel_reason",
        ]
        read_only_fields = fields


class SlotCapacitySerializer(Serializer):
    capacity = serializers.IntegerField()


class ConsultationReasonSerializer(Serializer):
    reason = serializers.CharField()


class WindowBookingInputSerializer(Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    topic = serializers.ChoiceField(choices=Topic.choices, default=Topic.POLICY)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WindowBookingSerializer(ModelSerializer):
    name = serializers.SerializerMethodField()
    phone = PersonalDataField(kind="phone")
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)

    def get_name(self, booking) -> str:
        request = self.context.get("request")
        if request is not None and permissions.sees_booker(request.user, booking):
            return booking.name
        return MASKS["name"](booking.name)

    class Meta:
        model = Booking
        fields = [
            "id",
            "reference",
            "slot",
            "window",
            "starts_at",
            "owner",
            "name",
            "phone",
            "topic",
            "note",
            "status",
            "created_at",
            "cancelled_at",
            "reminded_at",
        ]
        read_only_fields = fields


class BookingAttendedSerializer(Serializer):
    attended = serializers.BooleanField()


class ConsultationSerializer(ModelSerializer):
    visitor_name = serializers.SerializerMethodField()
    visitor_phone = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationRecord
        fields = [
            "id",
            "window",
            "community",
            "estate",
            "stairwell",
            "project",
            "visitor_kind",
            "owner",
            "visitor_name",
            "visitor_phone",
            "topic",
            "channel",
            "question",
            "answer",
            "follow_up_needed",
            "follow_up_by",
            "follow_up_due",
            "follow_up_done_at",
            "follow_up_result",
            "booking",
            "recorded_by",
            "consulted_at",
        ]
        read_only_fields = fields

    def _sees(self, record) -> bool:
        request = self.context.get("request")
        return bool(request and permissions.sees_visitor(request.user, record))

    def get_visitor_name(self, record) -> str:
        return record.visitor_name if self._sees(record) else MASKS["name"](record.visitor_name)

    def get_visitor_phone(self, record) -> str:
        return record.visitor_phone if self._sees(record) else MASKS["phone"](record.visitor_phone)


class ConsultationInputSerializer(Serializer):
    topic = serializers.ChoiceField(choices=Topic.choices)
    answer = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WALK_IN)
    window = serializers.IntegerField(required=False, allow_null=True)
    estate = serializers.IntegerField(required=False, allow_null=True)
    stairwell = serializers.IntegerField(required=False, allow_null=True)
    visitor_kind = serializers.ChoiceField(choices=VisitorKind.choices, default=VisitorKind.OWNER)
    visitor_name = serializers.CharField(required=False, allow_blank=True, default="")
    visitor_phone = serializers.CharField(required=False, allow_blank=True, default="")
    question = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_needed = serializers.BooleanField(default=False)
    follow_up_by = serializers.IntegerField(required=False, allow_null=True)
    follow_up_due = serializers.DateField(required=False, allow_null=True)


class FollowUpResultSerializer(Serializer):
    result = serializers.CharField()


class MeetingInviteeSerializer(ModelSerializer):
    """Owners' and other residents' names are masked unless the caller runs the meeting (`sees_invitees`)."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = MeetingInvitee
        fields = ["id", "kind", "user", "owner", "company", "name", "affiliation", "role", "invited_at", "attended"]
        read_only_fields = fields

    def get_name(self, invitee) -> str:
        return invitee_name(invitee, full=bool(self.context.get("full_names")))


class MeetingSerializer(ModelSerializer):
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "level",
            "title",
            "region",
            "estate",
            "party_branch",
            "company",
            "starts_at",
            "ends_at",
            "location",
            "agenda",
            "status",
            "minutes",
            "held_at",
            "cancel_reason",
            "organiser",
            "projects",
            "created_at",
        ]
        read_only_fields = fields


class MeetingInputSerializer(Serializer):
    level = serializers.ChoiceField(choices=MeetingLevel.choices)
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    region = serializers.IntegerField(required=False, allow_null=True)
    estate = serializers.IntegerField(required=False, allow_null=True)
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    projects = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    company = serializers.IntegerField(required=False, allow_null=True)
    party_branch = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingInviteInputSerializer(Serializer):
    users = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    owners = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    companies = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    others = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)), required=False, default=list
    )
    owners_of_projects = serializers.BooleanField(default=False)


class MeetingAttendanceSerializer(Serializer):
    present = serializers.ListField(child=serializers.IntegerField())


class MeetingMinutesSerializer(Serializer):
    minutes = serializers.CharField()


class MeetingProjectsSerializer(Serializer):
    projects = serializers.ListField(child=serializers.IntegerField())


class MeetingProjectSerializer(Serializer):
    project = serializers.IntegerField()


class MeetingUpdateSerializer(Serializer):
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    company = serializers.IntegerField(required=False, allow_null=True)
    party_branch = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingSignInSheetSerializer(Serializer):
    sign_in_sheet = serializers.FileField()


class MeetingCoverageGapSerializer(Serializer):
    """A live project at or past the consultation stage without a meeting that counts as its 一梯一会."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    stage = serializers.CharField()
    estate = serializers.IntegerField(source="estate_id")
    estate_name = serializers.CharField(source="estate.name")
    stairwell = serializers.IntegerField(source="stairwell_id")
    community = serializers.IntegerField(source="community_id")
    community_name = serializers.CharField(source="community.name")
    subdistrict = serializers.IntegerField(source="community.parent_id", allow_null=True)
    subdistrict_name = serializers.CharField(source="community.parent.name", allow_null=True)
    responsible = serializers.IntegerField(source="responsible_id", allow_null=True)


class ResolutionSerializer(ModelSerializer):
    class Meta:
        model = MeetingAction
        fields = [
            "id",
            "meeting",
            "project",
            "description",
            "owner",
            "due_date",
            "status",
            "done_at",
            "done_note",
            "done_by",
            "created_at",
        ]
        read_only_fields = fields


class ResolutionInputSerializer(Serializer):
    description = serializers.CharField()
    owner = serializers.IntegerField(required=False, allow_null=True)
    # Required (the service refuses a resolution without one); null reaches the service, which says why.
    due_date = serializers.DateField(allow_null=True, help_text="By when; today or later.")
    project = serializers.IntegerField(required=False, allow_null=True)


class ResolutionDoneSerializer(Serializer):
    note = serializers.CharField()


class MeetingCoverageRowSerializer(Serializer):
    region_id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    covered = serializers.IntegerField()
    missing = serializers.IntegerField()
    percent = serializers.IntegerField()


class PetitionSerializer(ModelSerializer):
    petitioner_name = serializers.SerializerMethodField()
    petitioner_phone = serializers.SerializerMethodField()
    petitioner_address = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Petition
        fields = [
            "id",
            "reference",
            "channel",
            "petitioner_name",
            "petitioner_phone",
            "petitioner_address",
            "reply_method",
            "owner",
            "estate",
            "stairwell",
            "project",
            "community",
            "subject",
            "content",
            "status",
            "level",
            "group",
            "handler",
            "received_on",
            "accept_due",
            "accepted_on",
            "resolve_due",
            "extension_days",
            "due_date",
            "is_overdue",
            "decline_reason",
            "reply",
            "replied_at",
            "satisfaction",
            "closed_at",
            "reopen_count",
            "escalation_count",
            "letter_due",
            "created_at",
        ]
        read_only_fields = fields

    def _contact(self, petition, kind: str, value: str) -> str:
        request = self.context.get("request")
        if request and permissions.sees_petitioner(request.user, petition):
            return value
        return MASKS[kind](value)

    def get_petitioner_name(self, petition) -> str:
        return self._contact(petition, "name", petition.petitioner_name)

    def get_petitioner_phone(self, petition) -> str:
        return self._contact(petition, "phone", petition.petitioner_phone)

    def get_petitioner_address(self, petition) -> str:
        return self._contact(petition, "address", petition.petitioner_address)


class PetitionInputSerializer(Serializer):
    estate = serializers.IntegerField()
    stairwell = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=PetitionChannel.choices, default=PetitionChannel.WINDOW)
    petitioner_name = serializers.CharField()
    petitioner_phone = serializers.CharField(required=False, allow_blank=True, default="")
    petitioner_address = serializers.CharField(required=False, allow_blank=True, default="")
    reply_method = serializers.ChoiceField(choices=ReplyMethod.choices)
    subject = serializers.CharField()
    content = serializers.CharField()
    received_on = serializers.DateField(required=False, allow_null=True)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="")


class PetitionEventSerializer(ModelSerializer):
    actor = serializers.StringRelatedField()
    message = serializers.CharField(source="text", read_only=True, help_text="In the reader's language.")

    class Meta:
        model = PetitionEvent
        fields = ["id", "kind", "actor", "at", "message", "data"]


class PetitionTextSerializer(Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class PetitionReplySerializer(Serializer):
    reply = serializers.CharField()


class PetitionExtendSerializer(Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField()


class PetitionCloseSerializer(Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PetitionHandlerSerializer(Serializer):
    handler = serializers.IntegerField()


class PublicityArticleSerializer(ModelSerializer):
    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "title",
            "summary",
            "body",
            "language",
            "translation_of",
            "region",
            "status",
            "pinned",
            "published_at",
            "author",
            "updated_at",
        ]
        read_only_fields = fields


class PublicityArticleInputSerializer(Serializer):
    kind = serializers.ChoiceField(choices=ArticleKind.choices)
    title = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    body = serializers.CharField()
    pinned = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    translation_of = serializers.IntegerField(required=False, allow_null=True, default=None)
