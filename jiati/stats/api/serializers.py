from __future__ import annotations

from rest_framework import serializers

from jiati.core.serializers import Serializer


class StageFigureSerializer(Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    projects = serializers.IntegerField()


class MonthFigureSerializer(Serializer):
    month = serializers.CharField(help_text="YYYY-MM, in the district's calendar")
    started = serializers.IntegerField()
    completed = serializers.IntegerField()


class OtherFigureSerializer(Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()


class FiguresCoverageSerializer(Serializer):
    """Coverage of the region's candidate pool (愿装尽装 / 可装尽装), as the pool computes it."""

    pool = serializers.IntegerField(help_text="Candidate stairwells in the pool")
    feasible = serializers.IntegerField()
    willing_feasible = serializers.IntegerField(help_text="Feasible and willing")
    started = serializers.IntegerField()
    in_service = serializers.IntegerField()
    willing_rate = serializers.CharField(help_text="愿装尽装 rate, percent to one decimal rounded down (— when none)")
    feasible_rate = serializers.CharField(help_text="可装尽装 rate, percent to one decimal rounded down (— when none)")


class FiguresSerializer(Serializer):
    """Every named figure of one region, exactly as the dashboard shows it."""

    region = serializers.IntegerField(allow_null=True, help_text="null: the whole country (platform administrators)")
    projects = serializers.IntegerField(help_text="Projects not withdrawn")
    under_way = serializers.IntegerField(help_text="Active projects not yet in service")
    in_service = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Active projects past their stage's due date")
    blocked = serializers.IntegerField(help_text="Active projects with an open blocker")
    suspended = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    votes_passed = serializers.IntegerField()
    subsidy_paid = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Yuan, from the ledger")
    subsidy_due = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Yuan, due and not yet paid")
    by_stage = StageFigureSerializer(many=True)
    by_month = MonthFigureSerializer(many=True)
    coverage = FiguresCoverageSerializer(allow_null=True, help_text="null: the caller may not read the pool")
    others = OtherFigureSerializer(many=True, help_text="Figures other apps provide (coverage…)")
