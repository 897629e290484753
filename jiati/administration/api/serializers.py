from __future__ import annotations

from rest_framework import serializers

from jiati.accounts.models import Role, User
from jiati.administration.services import unit_code_of
from jiati.core.serializers import ModelSerializer, Serializer
from jiati.web.api import PersonalDataField


class AccountSerializer(ModelSerializer):
    phone = PersonalDataField(kind="phone")
    unit = serializers.SerializerMethodField()
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "phone", "role", "unit", "is_unit_admin", "is_active", "has_password"]

    def get_unit(self, user) -> str:
        return unit_code_of(user)

    def get_has_password(self, user) -> bool:
        return user.has_usable_password()


class AccountCreateSerializer(Serializer):
    full_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20)
    role = serializers.ChoiceField(choices=Role.choices)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    is_unit_admin = serializers.BooleanField(required=False, default=False)


class AccountChangeSerializer(Serializer):
    full_name = serializers.CharField(max_length=100, required=False)
    phone = serializers.CharField(max_length=20, required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    is_unit_admin = serializers.BooleanField(required=False)


class DeactivateSerializer(Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TableSerializer(Serializer):
    file = serializers.FileField()
    apply = serializers.BooleanField(required=False, default=False)


class RowErrorSerializer(Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()
