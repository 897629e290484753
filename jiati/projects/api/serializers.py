from rest_framework import serializers

from jiati.core.serializers import ModelSerializer, Serializer
from jiati.projects.models import (
    Blocker,
    Milestone,
    Project,
    ProjectDocument,
    ProjectEvent,
    ReviewResult,
    ScheduleState,
    Stage,
)


class ProjectSerializer(ModelSerializer):
    schedule_state = serializers.ChoiceField(
        choices=ScheduleState.choices, read_only=True, source="current_schedule_state"
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "stairwell",
            "estate",
            "community",
            "cluster",
            "stage",
            "status",
            "status_reason",
            "stage_entered_at",
            "responsible",
            "target_date",
            "stage_due",
            "stage_at_risk_from",
            "schedule_state",
            "lead_owner",
            "chat_group_name",
            "chat_group_link",
            "brand",
            "contractor",
            "maintainer",
            "seven_ones_done",
            "open_blockers",
            "estimated_cost",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectOutsideSerializer(ModelSerializer):
    """A project as construction teams, maintainers and residents see it: no people, money or blockers."""

    schedule_state = serializers.ChoiceField(
        choices=ScheduleState.choices, read_only=True, source="current_schedule_state"
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "stairwell",
            "estate",
            "community",
            "cluster",
            "stage",
            "status",
            "stage_entered_at",
            "target_date",
            "stage_due",
            "stage_at_risk_from",
            "schedule_state",
            "brand",
            "contractor",
            "maintainer",
        ]
        read_only_fields = fields


# Roles outside the office get the outside view from the same endpoints: the schema lists the other fields as optional
# (jiati/web/schema.py).
ProjectSerializer.Meta.schema_optional_fields = [
    name for name in ProjectSerializer.Meta.fields if name not in ProjectOutsideSerializer.Meta.fields
]


class ProjectOpenSerializer(Serializer):
    stairwell = serializers.IntegerField()
    target_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AdvanceSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    expected_stage = serializers.ChoiceField(
        choices=Stage.choices,
        help_text="Required: the stage you read. If the project has moved meanwhile the move is refused "
        "(error code `stage_changed`); read it again and decide.",
    )


class ReasonSerializer(Serializer):
    reason = serializers.CharField()


class NextStepSerializer(Serializer):
    stage = serializers.CharField()
    next_stage = serializers.CharField(allow_null=True)
    can_move = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())


class ChecklistSerializer(Serializer):
    lead_owner = serializers.IntegerField(required=False, allow_null=True)
    chat_group_name = serializers.CharField(required=False, allow_blank=True)
    chat_group_link = serializers.URLField(required=False, allow_blank=True)
    brand = serializers.IntegerField(required=False, allow_null=True)
    contractor = serializers.IntegerField(required=False, allow_null=True)
    maintainer = serializers.IntegerField(required=False, allow_null=True)
    estimated_cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)


class ContractReviewInputSerializer(Serializer):
    reviewed_on = serializers.DateField()
    result = serializers.ChoiceField(choices=ReviewResult.choices)
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    contract_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)


class EventSerializer(ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = ProjectEvent
        fields = ["id", "kind", "actor", "at", "from_stage", "to_stage", "message", "data"]
        extra_kwargs = {"message": {"source": "text", "read_only": True}}  # in the reader's language


class DocumentSerializer(ModelSerializer):
    class Meta:
        model = ProjectDocument
        fields = [
            "id",
            "kind",
            "version",
            "stage",
            "original_name",
            "size",
            "sha256",
            "content_type",
            "note",
            "uploaded_by",
            "uploaded_at",
        ]


class DocumentUploadSerializer(Serializer):
    kind = serializers.CharField()
    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BlockerSerializer(ModelSerializer):
    class Meta:
        model = Blocker
        fields = [
            "id",
            "description",
            "party",
            "assignee",
            "due_date",
            "status",
            "resolution",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = ["id", "status", "resolution", "created_at", "resolved_at"]


class ResolutionSerializer(Serializer):
    resolution = serializers.CharField()


class MilestoneSerializer(ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["stage", "planned_start", "due_date"]


class PlanInputSerializer(Serializer):
    target_date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
