from rest_framework import serializers

from jiati.companies.models import (
    Appeal,
    Colour,
    Company,
    CompanyContact,
    CompanyKind,
    CompanyScore,
    Licence,
    LicenceKind,
    ListEntry,
    RankingList,
    ViolationKind,
)
from jiati.core.serializers import ModelSerializer, Serializer
from jiati.web.api import PersonalDataField


class CompanySerializer(ModelSerializer):
    kinds = serializers.ListField(child=serializers.CharField(), read_only=True)
    contact_phone = PersonalDataField(kind="phone")

    class Meta:
        model = Company
        fields = [
            "id", "name", "credit_code", "brand", "kinds", "is_manufacturer", "is_contractor", "is_maintainer",
            "is_designer", "is_supervisor", "is_cost_consultant", "contact_name", "contact_phone", "hotline", "address",
        ]  # fmt: skip


class CompanyInputSerializer(Serializer):
    name = serializers.CharField(max_length=160)
    credit_code = serializers.CharField(max_length=24)
    brand = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    is_manufacturer = serializers.BooleanField(required=False, default=False)
    is_contractor = serializers.BooleanField(required=False, default=False)
    is_maintainer = serializers.BooleanField(required=False, default=False)
    is_designer = serializers.BooleanField(required=False, default=False)
    is_supervisor = serializers.BooleanField(required=False, default=False)
    is_cost_consultant = serializers.BooleanField(required=False, default=False)
    contact_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    hotline = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class LicenceSerializer(ModelSerializer):
    class Meta:
        model = Licence
        fields = ["id", "company", "kind", "number", "scope", "issued_on", "expires_on", "status", "confirmed_at"]


class LicenceInputSerializer(Serializer):
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    number = serializers.CharField(max_length=60)
    scope = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()
    upload = serializers.FileField(required=False, default=None)


class ContactSerializer(ModelSerializer):
    phone = PersonalDataField(kind="phone")

    class Meta:
        model = CompanyContact
        fields = ["id", "company", "name", "position", "phone", "email"]


class ScoreSerializer(ModelSerializer):
    class Meta:
        model = CompanyScore
        fields = ["id", "company", "period", "scheme", "score", "areas", "events", "computed_at"]


class EntrySerializer(ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    reason = serializers.CharField(source="display_reason", read_only=True)

    class Meta:
        model = ListEntry
        fields = ["id", "company", "company_name", "rank", "score", "colour", "reason"]


class RankingListSerializer(ModelSerializer):
    entries = EntrySerializer(many=True, read_only=True)

    class Meta:
        model = RankingList
        fields = ["id", "period", "kind", "scheme", "status", "corrects", "published_at", "appeal_until", "entries"]


class AppealSerializer(ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "entry",
            "company",
            "grounds",
            "submitted_at",
            "status",
            "corrected_colour",
            "decision_reason",
            "decided_at",
        ]


class LicenceDecisionSerializer(Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ContactChangeSerializer(Serializer):
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20)
    position = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)


class ContactInputSerializer(ContactChangeSerializer):
    company = serializers.IntegerField()


class DraftInputSerializer(Serializer):
    period = serializers.DateField(help_text="Any day of the month the list is for.")
    kind = serializers.ChoiceField(choices=[(k, CompanyKind(k).label) for k in ("maker", "contractor", "maintainer")])


class ViolationInputSerializer(Serializer):
    company = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ViolationKind.choices)
    description = serializers.CharField()
    evidence_note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    upload = serializers.FileField(required=False, default=None)


class AppealInputSerializer(Serializer):
    entry = serializers.IntegerField()
    grounds = serializers.CharField()


class AppealDecisionSerializer(Serializer):
    upheld = serializers.BooleanField()
    reason = serializers.CharField()
    corrected_colour = serializers.ChoiceField(choices=Colour.choices, required=False, default=Colour.NONE)
