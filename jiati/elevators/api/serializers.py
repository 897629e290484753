from rest_framework import serializers

from jiati.core.serializers import ModelSerializer, Serializer
from jiati.elevators.models import (
    Elevator,
    FaultReport,
    Inspection,
    MaintenanceVisit,
    RunningCost,
    RunningCostShare,
)
from jiati.web.api import PersonalDataField


class ElevatorSerializer(ModelSerializer):
    class Meta:
        model = Elevator
        fields = [
            "id", "project", "stairwell", "estate", "community", "equipment_code", "registration_number",
            "registered_on", "maker", "model_name", "rated_load_kg", "speed", "stops", "installer", "maintainer",
            "contract_start", "contract_end", "contract_fee", "fee_payer", "free_maintenance_until",
            "takeover_maintainer", "in_service_since", "last_visit_on", "next_inspection_due", "status",
        ]  # fmt: skip


class VisitSerializer(ModelSerializer):
    class Meta:
        model = MaintenanceVisit
        fields = ["id", "elevator", "maintainer", "visited_on", "items", "days_late", "created_at"]


class VisitInputSerializer(Serializer):
    visited_on = serializers.DateField()
    items = serializers.CharField()
    photo = serializers.ImageField(required=False, default=None)


class InspectionSerializer(ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "elevator", "due_on", "inspected_on", "result", "defects", "body"]


class FaultSerializer(ModelSerializer):
    phone = PersonalDataField(kind="phone")

    class Meta:
        model = FaultReport
        fields = [
            "id", "elevator", "maintainer", "kind", "description", "urgent", "phone", "status", "reported_at",
            "acknowledged_at", "arrived_at", "closed_at", "cause", "repair", "escalation", "rating",
        ]  # fmt: skip


class CloseSerializer(Serializer):
    cause = serializers.CharField()
    repair = serializers.CharField()


class ShareSerializer(ModelSerializer):
    class Meta:
        model = RunningCostShare
        fields = ["id", "dwelling", "weight_text", "amount", "paid"]


class RunningCostSerializer(ModelSerializer):
    shares = ShareSerializer(many=True, read_only=True)

    class Meta:
        model = RunningCost
        fields = [
            "id", "elevator", "year", "maintenance", "electricity", "inspection", "repairs", "insurance", "total",
            "method", "parameters", "shares",
        ]  # fmt: skip


class PaymentInputSerializer(Serializer):
    share = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    paid_on = serializers.DateField()
    note = serializers.CharField(required=False, default="", allow_blank=True)
