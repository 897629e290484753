"""API shapes of the pool: outputs are read-only views of the annotated rows; inputs feed the services."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from jiati.core.serializers import ModelSerializer, Serializer
from jiati.pool.models import (
    AllocationRule,
    AnswerChoice,
    Assessment,
    AssessmentEvidence,
    Channel,
    EvidenceKind,
    Feasibility,
    Obstacle,
    Survey,
    Target,
)
from jiati.projects.models import Cluster


class HundredthsField(serializers.DecimalField):
    """A score stored in hundredths of a point, shown as points (a decimal string, like every decimal here)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, read_only=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(Decimal(value).scaleb(-2))


class PoolStairwellSerializer(Serializer):
    id = serializers.IntegerField()
    estate = serializers.IntegerField(source="estate_id")
    building = serializers.IntegerField(source="building_id")
    community = serializers.IntegerField(source="community_id")
    number = serializers.CharField()
    storeys = serializers.IntegerField()
    feasibility = serializers.CharField(allow_null=True)
    is_feasible = serializers.BooleanField()
    is_willing = serializers.BooleanField()
    survey = serializers.IntegerField(source="survey_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    project_stage = serializers.CharField(allow_null=True)
    is_started = serializers.BooleanField()
    is_in_service = serializers.BooleanField()
    priority = HundredthsField(help_text="The stored priority score, 0–100 to 0.01")


class TermSerializer(Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()
    value = serializers.SerializerMethodField()
    explanation = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)

    def get_value(self, term) -> str:
        return f"{term.value.numerator}/{term.value.denominator}"


class PriorityScoreSerializer(Serializer):
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    stored = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="The score the pool is sorted by"
    )
    terms = TermSerializer(many=True)


class AssessmentSerializer(ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "stairwell",
            "result",
            "obstacles",
            "conditions",
            "note",
            "assessed_on",
            "assessed_by",
            "recorded_at",
            "is_current",
        ]


class AssessmentInputSerializer(Serializer):
    result = serializers.ChoiceField(choices=Feasibility.choices)
    obstacles = serializers.ListField(child=serializers.ChoiceField(choices=Obstacle.choices), required=False)
    conditions = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False)


class EvidenceInputSerializer(Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    file = serializers.FileField()


class EvidenceSerializer(ModelSerializer):
    class Meta:
        model = AssessmentEvidence
        fields = ["id", "assessment", "kind", "original_name", "size", "sha256", "content_type", "uploaded_at"]


class SurveyImportInputSerializer(Serializer):
    file = serializers.FileField(help_text="An .xlsx or .csv sheet: 房号/Room, 意愿/Answer, 方式/Channel, 备注/Note")


class SurveySerializer(ModelSerializer):
    answered_count = serializers.IntegerField(read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "stairwell",
            "estate",
            "community",
            "status",
            "opened_at",
            "closed_at",
            "is_current",
            "dwelling_count",
            "willing_count",
            "not_willing_count",
            "undecided_count",
            "answered_count",
            "progress_percent",
            "is_willing",
        ]


class AnswerInputSerializer(Serializer):
    dwelling = serializers.IntegerField()
    answer = serializers.ChoiceField(choices=AnswerChoice.choices)
    channel = serializers.ChoiceField(choices=[c for c in Channel.choices if c[0] != Channel.PORTAL])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class TargetSerializer(ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "region", "year", "projects_started", "elevators_in_service", "set_by", "set_at"]
        read_only_fields = ["set_by", "set_at"]


class TargetInputSerializer(Serializer):
    region = serializers.IntegerField()
    year = serializers.IntegerField()
    projects_started = serializers.IntegerField()
    elevators_in_service = serializers.IntegerField()


class CoverageSerializer(Serializer):
    region = serializers.IntegerField(allow_null=True)
    pool = serializers.IntegerField()
    feasible = serializers.IntegerField()
    willing_feasible = serializers.IntegerField()
    started = serializers.IntegerField()
    in_service = serializers.IntegerField()
    feasible_done = serializers.IntegerField()
    willing_feasible_done = serializers.IntegerField()
    willing_rate = serializers.CharField(allow_null=True, help_text="愿装尽装 as an exact fraction n/d")
    feasible_rate = serializers.CharField(allow_null=True, help_text="可装尽装 as an exact fraction n/d")


class ClusterMemberSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    stairwell = serializers.IntegerField(source="stairwell_id")
    stage = serializers.CharField()
    status = serializers.CharField()
    schedule_state = serializers.CharField()
    stage_due = serializers.DateField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)


class ClusterSerializer(ModelSerializer):
    class Meta:
        model = Cluster
        fields = ["id", "estate", "community", "name", "design", "created_at"]


class ClusterMemberInputSerializer(Serializer):
    project = serializers.IntegerField()


class ClusterWorkInputSerializer(Serializer):
    description = serializers.CharField(max_length=200)
    cost = serializers.CharField(max_length=20)
    rule = serializers.ChoiceField(choices=AllocationRule.choices)


class SurveyImportSerializer(Serializer):
    applied = serializers.IntegerField()
    survey = SurveySerializer()
