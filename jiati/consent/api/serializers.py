from rest_framework import serializers

from jiati.consent.models import (
    Choice,
    CostMethod,
    CostScheme,
    CostShare,
    DayKind,
    Measure,
    Objection,
    ObjectionChannel,
    ObjectionLevel,
    ObjectionOutcome,
    PublicNotice,
    RollVoter,
    RuleRound,
    RuleSet,
    RuleTest,
    Scope,
    Vote,
)
from jiati.core.serializers import ModelSerializer, Serializer
from jiati.web.api import PersonalDataField


class RuleTestSerializer(ModelSerializer):
    threshold = serializers.SerializerMethodField()

    class Meta:
        model = RuleTest
        fields = ["name", "measure", "numerator", "denominator", "threshold"]

    def get_threshold(self, obj) -> str:
        return f"{obj.threshold_numerator}/{obj.threshold_denominator}"


class RuleRoundSerializer(ModelSerializer):
    tests = RuleTestSerializer(many=True, read_only=True)

    class Meta:
        model = RuleRound
        fields = ["number", "scope", "allowed_scopes", "no_objection_from_others", "others_scope", "tests"]


class RuleSetSerializer(ModelSerializer):
    rounds = RuleRoundSerializer(many=True, read_only=True)
    label = serializers.CharField(read_only=True)
    votes = serializers.SerializerMethodField(help_text="votes held under this version (it is never edited)")

    def get_votes(self, obj) -> int:
        counted = getattr(obj, "votes_count", None)
        return counted if counted is not None else obj.votes.count()

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "code",
            "version",
            "label",
            "name",
            "jurisdiction",
            "legal_basis",
            "description",
            "is_default",
            "is_active",
            "created_at",
            "votes",
            "rounds",
        ]


class RuleTestInputSerializer(Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    numerator = serializers.ChoiceField(choices=[("participating", "participating"), ("agreeing", "agreeing")])
    denominator = serializers.ChoiceField(choices=[("total", "total"), ("participating", "participating")])
    threshold = serializers.CharField(help_text='exact fraction "p/q" (more than 0, at most 1); passes at ≥')


class RuleRoundInputSerializer(Serializer):
    scope = serializers.ChoiceField(choices=Scope.choices, default=Scope.STAIRWELL)
    allowed_scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), required=False)
    no_objection_from_others = serializers.BooleanField(required=False, default=False)
    others_scope = serializers.ChoiceField(choices=Scope.choices, default=Scope.BUILDING)
    tests = RuleTestInputSerializer(many=True)


class RuleSetInputSerializer(Serializer):
    """A new version of a rule set (an existing code) or a new rule set; versions are never edited."""

    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)
    jurisdiction = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    make_default = serializers.BooleanField(required=False, default=False)
    retire_older = serializers.BooleanField(required=False, default=False)
    rounds = RuleRoundInputSerializer(many=True)


class VoteSerializer(ModelSerializer):
    rule_set = serializers.CharField(source="rule_set.label", read_only=True)
    title = serializers.CharField(read_only=True, help_text="The title typed, or the default in the reader's language.")
    area_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Vote
        fields = [
            "id",
            "project",
            "rule_set",
            "round_number",
            "scope",
            "title",
            "plan",
            "cost_scheme",
            "status",
            "opens_at",
            "closes_at",
            "closed_at",
            "owners_total",
            "dwellings_total",
            "area_total",
            "roll_hash",
            "ballot_seq",
            "chain_head",
            "passed",
            "result",
        ]
        read_only_fields = fields


class VoteOpenSerializer(Serializer):
    project = serializers.IntegerField()
    rule_set = serializers.CharField(required=False, help_text="code or code@version; default: the default rule set")
    round_number = serializers.IntegerField(required=False, default=1, min_value=1)
    scope = serializers.ChoiceField(choices=Scope.choices, required=False)
    closes_at = serializers.DateTimeField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    plan = serializers.CharField()
    cost_scheme = serializers.IntegerField(required=False, allow_null=True)


class RuleTestResultSerializer(Serializer):
    name = serializers.CharField()
    ratio = serializers.CharField(help_text='exact fraction "p/q"')
    threshold = serializers.CharField(help_text='exact fraction "p/q"; the test passes at ≥')
    passed = serializers.BooleanField()


class VerdictSerializer(Serializer):
    passed = serializers.BooleanField()
    owners_total = serializers.IntegerField()
    owners_participating = serializers.IntegerField()
    owners_agreeing = serializers.IntegerField()
    area_total = serializers.CharField()
    area_participating = serializers.CharField()
    area_agreeing = serializers.CharField()
    tests = RuleTestResultSerializer(many=True)
    rule_set = serializers.CharField()
    round = serializers.IntegerField()
    still_needed = serializers.DictField()
    still_needed_text = serializers.CharField(required=False)


class RollVoterSerializer(ModelSerializer):
    phone = PersonalDataField(kind="phone")
    area = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    choice = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = RollVoter
        fields = ["id", "owner", "owner_kind", "name", "phone", "rooms", "dwellings_count", "area", "choice"]


class BallotInputSerializer(Serializer):
    voter = serializers.IntegerField()
    choice = serializers.ChoiceField(choices=Choice.choices)
    signed_form = serializers.FileField()
    proxy_name = serializers.CharField(required=False, allow_blank=True, default="")
    authorisation = serializers.FileField(required=False, allow_null=True)
    change = serializers.BooleanField(required=False, default=False)


class BallotCastSerializer(Serializer):
    voter = serializers.IntegerField()
    choice = serializers.CharField()
    channel = serializers.CharField()
    sequence = serializers.IntegerField()
    entry_hash = serializers.CharField()
    receipt = serializers.CharField(help_text="shown once; only its hash is stored")
    changed = serializers.BooleanField()


class ConsentReasonSerializer(Serializer):
    reason = serializers.CharField()


class PublicNoticeSerializer(ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="The title typed, or the default in the reader's language.")

    class Meta:
        model = PublicNotice
        fields = [
            "id",
            "project",
            "vote",
            "title",
            "content",
            "location",
            "starts_on",
            "period_days",
            "day_kind",
            "ends_on",
            "status",
            "withdrawn_reason",
            "posted_at",
        ]
        read_only_fields = fields


class PublicNoticeInputSerializer(Serializer):
    project = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField()
    location = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    period_days = serializers.IntegerField(min_value=1)
    day_kind = serializers.ChoiceField(choices=DayKind.choices, default=DayKind.CALENDAR)


class ObjectionSerializer(ModelSerializer):
    phone = PersonalDataField(kind="phone")

    class Meta:
        model = Objection
        fields = [
            "id",
            "project",
            "notice",
            "owner",
            "dwelling",
            "name",
            "phone",
            "address",
            "channel",
            "content",
            "lodged_at",
            "status",
            "level",
            "response",
            "answered_at",
            "outcome",
            "closed_at",
        ]
        read_only_fields = fields


class ObjectionInputSerializer(Serializer):
    """Who objects: `dwelling` (an owner of the project's estate, his dwelling's id) or `name` (an outside party)."""

    project = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=[c for c in ObjectionChannel.choices if c[0] != "online"])
    dwelling = serializers.IntegerField(
        required=False, allow_null=True, help_text="the objector's dwelling, if an owner"
    )
    name = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField()


class ObjectionAnswerSerializer(Serializer):
    text = serializers.CharField()


class ObjectionEscalateSerializer(Serializer):
    level = serializers.ChoiceField(choices=ObjectionLevel.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class CloseObjectionSerializer(Serializer):
    outcome = serializers.ChoiceField(choices=ObjectionOutcome.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class CostShareSerializer(ModelSerializer):
    net = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = CostShare
        fields = ["dwelling", "floor", "room", "area", "weight", "share", "covered", "compensation", "net"]


class CostSchemeSerializer(ModelSerializer):
    shares = CostShareSerializer(many=True, read_only=True)
    subsidy_change = serializers.SerializerMethodField(
        help_text="the approved subsidy when it differs from what this (current) scheme deducted, else null"
    )

    def get_subsidy_change(self, obj) -> dict | None:
        from jiati.consent import selectors

        change = selectors.subsidy_change(obj) if obj.is_current else None
        if change is None:
            return None
        return {"amount": str(change["amount"]), "status": change["status"], "difference": str(change["difference"])}

    class Meta:
        model = CostScheme
        fields = [
            "id",
            "project",
            "version",
            "is_current",
            "method",
            "total_cost",
            "subsidy",
            "subsidy_status",
            "subsidy_change",
            "compensation_total",
            "owners_pay",
            "parameters",
            "note",
            "created_at",
            "shares",
        ]
        read_only_fields = fields


class CostSchemeInputSerializer(Serializer):
    project = serializers.IntegerField()
    method = serializers.ChoiceField(choices=CostMethod.choices, default=CostMethod.AREA)
    total_cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    parameters = serializers.DictField(required=False, default=dict)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TallyInputSerializer(Serializer):
    file = serializers.FileField(help_text=".csv or .xlsx with the header dwelling,owner,area,choice")
    rule = serializers.CharField(required=False, default="civil-code-278")
    round = serializers.IntegerField(required=False, allow_null=True, min_value=1)
