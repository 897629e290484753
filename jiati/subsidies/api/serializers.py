from __future__ import annotations

from rest_framework import serializers

from jiati.core.serializers import ModelSerializer, Serializer
from jiati.subsidies import rules, selectors
from jiati.subsidies.models import (
    ApplicantKind,
    ApplicationDocument,
    Budget,
    Decision,
    LedgerEntry,
    PaymentBatch,
    PolicyExtra,
    Review,
    Source,
    SubsidyApplication,
    SubsidyDocumentKind,
    SubsidyPolicy,
)
from jiati.web.api import PersonalDataField

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


class SubsidyPolicyExtraSerializer(ModelSerializer):
    class Meta:
        model = PolicyExtra
        fields = ["id", "name", "max_amount"]


class SubsidyPolicySerializer(ModelSerializer):
    extras = SubsidyPolicyExtraSerializer(many=True, read_only=True)
    documents_required = serializers.SerializerMethodField(
        help_text="The documents a file under this policy needs (`required_documents` null: the usual ones; "
        "an empty list: none)."
    )

    class Meta:
        model = SubsidyPolicy
        fields = [
            "id",
            "region",
            "name",
            "source",
            "effective_from",
            "effective_to",
            "fixed_amount",
            "per_storey_amount",
            "storeys_above",
            "per_stop_amount",
            "stops_above",
            "cost_share_percent",
            "cap",
            "min_storeys",
            "application_deadline_days",
            "required_documents",
            "documents_required",
            "extras",
            "note",
            "created_at",
        ]
        read_only_fields = fields

    def get_documents_required(self, obj) -> list[str]:
        return rules.required_documents(obj)


class SubsidyPolicyInputSerializer(Serializer):
    """Amounts arrive as strings or numbers and are checked by the service (a number, not negative, to the fen)."""

    region = serializers.IntegerField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)
    fixed_amount = serializers.CharField(required=False, default="0")
    per_storey_amount = serializers.CharField(required=False, default="0")
    storeys_above = serializers.IntegerField(required=False, default=0)
    per_stop_amount = serializers.CharField(required=False, default="0")
    stops_above = serializers.IntegerField(required=False, default=0)
    cost_share_percent = serializers.CharField(required=False, default="0")
    cap = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    min_storeys = serializers.IntegerField(required=False, default=4)
    application_deadline_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    required_documents = serializers.ListField(
        child=serializers.ChoiceField(choices=SubsidyDocumentKind.choices),
        required=False,
        allow_null=True,
        allow_empty=True,
        default=None,
        help_text="Leave out or null: the usual documents. An empty list: the policy requires no documents.",
    )
    extras = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubsidyPolicyCloseSerializer(Serializer):
    effective_to = serializers.DateField()


class SubsidyBudgetSerializer(ModelSerializer):
    remaining = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Budget
        fields = ["id", "region", "year", "source", "amount", "committed", "paid", "remaining", "updated_at"]
        read_only_fields = fields


class SubsidyBudgetInputSerializer(Serializer):
    year = serializers.IntegerField()
    source = serializers.ChoiceField(choices=Source.choices)
    amount = serializers.CharField()


class SubsidyCalculationLineSerializer(Serializer):
    code = serializers.CharField()
    amount = serializers.CharField()
    text = serializers.CharField()


class SubsidyApplicationSerializer(ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True)
    applicant_phone = PersonalDataField(kind="phone")
    payee_bank_account = PersonalDataField(kind="bank_account")
    policy_reason = serializers.SerializerMethodField()
    calculation = serializers.SerializerMethodField()
    unpaid_amount = serializers.DecimalField(read_only=True, **MONEY)
    held_by = serializers.SerializerMethodField()
    deadline_applies = serializers.BooleanField(
        read_only=True, help_text="Whether the deadline binds: the first submission only, never a resubmission."
    )

    class Meta:
        model = SubsidyApplication
        fields = [
            "id",
            "project",
            "project_code",
            "policy",
            "policy_reason",
            "status",
            "status_since",
            "held_by",
            "eligible_on",
            "deadline",
            "deadline_applies",
            "applicant_kind",
            "applicant_owner",
            "applicant_name",
            "applicant_phone",
            "payee_name",
            "payee_bank_name",
            "payee_bank_account",
            "storeys",
            "stops",
            "estimated_cost",
            "audited_cost",
            "amount_due",
            "calculation",
            "unmet",
            "approved_amount",
            "approved_at",
            "budget",
            "paid_amount",
            "unpaid_amount",
            "not_eligible_reason",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_policy_reason(self, obj) -> str:
        return rules.basis_text(obj.policy_basis, obj.policy)

    def get_held_by(self, obj) -> str:
        return selectors.holder_label(obj)

    @staticmethod
    def _lines(obj) -> list[dict]:
        return [
            {"code": line.get("code", ""), "amount": line.get("amount", ""), "text": rules.line_text(line)}
            for line in obj.breakdown
        ]

    def get_calculation(self, obj) -> list[dict]:
        return SubsidyCalculationLineSerializer(self._lines(obj), many=True).data


class SubsidyApplicationUpdateSerializer(Serializer):
    applicant_kind = serializers.ChoiceField(choices=ApplicantKind.choices, required=False)
    applicant_owner = serializers.IntegerField(required=False, allow_null=True)
    applicant_name = serializers.CharField(required=False, allow_blank=True)
    applicant_phone = serializers.CharField(required=False, allow_blank=True)
    payee_name = serializers.CharField(required=False, allow_blank=True)
    payee_bank_name = serializers.CharField(required=False, allow_blank=True)
    payee_bank_account = serializers.CharField(required=False, allow_blank=True)
    stops = serializers.CharField(required=False, help_text="The landings the elevator serves (1–200).")
    estimated_cost = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    audited_cost = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    extras = serializers.DictField(child=serializers.CharField(), required=False, help_text="{extra id: amount}")


class SubsidyNoteSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubsidyReviewInputSerializer(Serializer):
    decision = serializers.ChoiceField(choices=[(Decision.FORWARD.value, "forward"), (Decision.RETURN.value, "return")])
    comment = serializers.CharField()


class SubsidyApproveSerializer(Serializer):
    amount = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    comment = serializers.CharField()


class SubsidyReasonSerializer(Serializer):
    reason = serializers.CharField()


class SubsidyReviewSerializer(ModelSerializer):
    reviewer = serializers.StringRelatedField()

    class Meta:
        model = Review
        fields = ["id", "application", "step", "decision", "comment", "amount", "reviewer", "at"]
        read_only_fields = fields


class SubsidyDocumentSerializer(ModelSerializer):
    class Meta:
        model = ApplicationDocument
        fields = ["id", "kind", "version", "original_name", "size", "sha256", "content_type", "uploaded_at"]
        read_only_fields = fields


class SubsidyDocumentUploadSerializer(Serializer):
    kind = serializers.ChoiceField(choices=SubsidyDocumentKind.choices)
    file = serializers.FileField()


class SubsidyLedgerEntrySerializer(ModelSerializer):
    project_code = serializers.CharField(source="application.project.code", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "application",
            "project_code",
            "batch",
            "kind",
            "amount",
            "voucher_no",
            "paid_on",
            "reverses",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields


class SubsidyPaymentInputSerializer(Serializer):
    """Send an `Idempotency-Key` header (or `idempotency_key`): a retried request then records nothing new."""

    application = serializers.IntegerField()
    amount = serializers.CharField()
    voucher_no = serializers.CharField()
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    batch = serializers.IntegerField(required=False, allow_null=True, default=None)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubsidyReversalInputSerializer(Serializer):
    voucher_no = serializers.CharField()
    reversed_on = serializers.DateField()
    reason = serializers.CharField()
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="")


class SubsidyBatchSerializer(ModelSerializer):
    class Meta:
        model = PaymentBatch
        fields = ["id", "number", "region", "paid_on", "note", "created_at"]
        read_only_fields = fields


class SubsidyBatchInputSerializer(Serializer):
    number = serializers.CharField()
    paid_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubsidyTrackerRowSerializer(Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    due = serializers.DecimalField(**MONEY)
    unpaid = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    no_application = serializers.IntegerField()
    withdrawn = serializers.IntegerField(help_text="Withdrawn projects' files with money approved or paid (not due).")
    withdrawn_paid = serializers.DecimalField(**MONEY)
    withdrawn_unpaid = serializers.DecimalField(**MONEY)


class SubsidyHeadlineSerializer(Serializer):
    completed = serializers.IntegerField()
    paid = serializers.DecimalField(**MONEY)
    approved_unpaid = serializers.DecimalField(**MONEY)
    pending_due = serializers.DecimalField(**MONEY)
    due_unpaid = serializers.DecimalField(**MONEY)
    reconciled = serializers.BooleanField()
    withdrawn_paid = serializers.DecimalField(**MONEY, help_text="Part of `paid` paid on withdrawn projects.")
    withdrawn_unpaid = serializers.DecimalField(
        **MONEY, help_text="Approved on withdrawn projects, not paid (not due)."
    )
    withdrawn_files = serializers.IntegerField()


class SubsidyTrackerSerializer(Serializer):
    headline = SubsidyHeadlineSerializer()
    subdistricts = SubsidyTrackerRowSerializer(many=True)
    totals = SubsidyTrackerRowSerializer()
    longest = serializers.DictField(child=serializers.IntegerField(), help_text="Longest wait per bucket, in days.")
