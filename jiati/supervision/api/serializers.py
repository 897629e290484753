"""API shapes for supervision (inputs are parsed here; every rule is the services')."""

from __future__ import annotations

from rest_framework import serializers

from jiati.core.serializers import ModelSerializer, Serializer
from jiati.supervision.models import (
    CheckItem,
    DispatchInstruction,
    MonthlyDispatch,
    Rectification,
    RectificationEvent,
    ReviewDecision,
    SiteCheck,
    WeeklyReview,
)


class CheckItemSerializer(ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = CheckItem
        fields = ["code", "label", "result", "note"]


class SiteCheckSerializer(ModelSerializer):
    items = CheckItemSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = SiteCheck
        fields = [
            "id",
            "project",
            "kind",
            "stage",
            "inspector",
            "checked_on",
            "checked_at",
            "note",
            "findings",
            "items",
            "photos",
        ]

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class CheckResultInput(Serializer):
    code = serializers.CharField()
    result = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SiteCheckInput(Serializer):
    project = serializers.IntegerField()
    items = CheckResultInput(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class SiteTodaySerializer(Serializer):
    project = serializers.IntegerField(source="project.pk")
    code = serializers.CharField(source="project.code")
    stage = serializers.CharField(source="project.stage")
    estate = serializers.CharField(source="project.estate.name")
    needed = serializers.IntegerField()
    done = serializers.IntegerField()
    due = serializers.BooleanField()
    flagged = serializers.SerializerMethodField()

    def get_flagged(self, row) -> bool:
        return bool(row["flags"])


class RectificationEventSerializer(ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvent
        fields = ["kind", "actor", "at", "note", "due_date", "photos"]

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class RectificationSerializer(ModelSerializer):
    events = RectificationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "project",
            "site_check",
            "code",
            "area",
            "description",
            "company",
            "due_date",
            "status",
            "opened_at",
            "answered_at",
            "closed_at",
            "verified_by",
            "recheck",
            "events",
        ]


class RectificationAnswerInput(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RecheckInput(Serializer):
    fixed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class TaskSerializer(Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    url = serializers.CharField()
    overdue = serializers.BooleanField()


class ReviewDecisionSerializer(ModelSerializer):
    class Meta:
        model = ReviewDecision
        fields = ["id", "description", "owner", "due_date", "project", "status", "done_at", "done_note"]


class WeeklyReviewSerializer(ModelSerializer):
    decisions = ReviewDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = WeeklyReview
        fields = ["id", "region", "week_start", "stalled_days", "generated_at", "generated_by", "content", "decisions"]


class WeeklyReviewInput(Serializer):
    region = serializers.IntegerField()
    week_start = serializers.DateField(required=False, allow_null=True, default=None)
    stalled_days = serializers.IntegerField(required=False, default=14)


class DecisionInput(Serializer):
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    project = serializers.IntegerField(required=False, allow_null=True, default=None)


class DispatchInstructionSerializer(ModelSerializer):
    class Meta:
        model = DispatchInstruction
        fields = ["id", "subdistrict", "text", "due_date", "status", "done_at", "done_note"]


class MonthlyDispatchSerializer(ModelSerializer):
    content = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyDispatch
        fields = ["id", "region", "month", "generated_at", "content"]

    def get_content(self, obj) -> dict:
        from jiati.supervision.selectors import dispatch_view

        return dispatch_view(user=self.context["request"].user, dispatch=obj)


class DispatchInput(Serializer):
    region = serializers.IntegerField()
    month = serializers.DateField()
