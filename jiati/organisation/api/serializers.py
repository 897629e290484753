from rest_framework import serializers

from jiati.accounts.models import User
from jiati.core.serializers import ModelSerializer, Serializer
from jiati.organisation.models import (
    GroupLevel,
    GroupMembership,
    MemberRole,
    PropertyOffice,
    Region,
    ServiceGroup,
    ServiceWindow,
)


class RegionSerializer(ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "path"]


class PropertyOfficeSerializer(ModelSerializer):
    class Meta:
        model = PropertyOffice
        fields = ["id", "code", "name", "company_name", "community", "address", "phone"]


class ServiceWindowSerializer(ModelSerializer):
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
            "is_active",
        ]


class MembershipSerializer(ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["user", "name", "role", "duties"]


class ServiceGroupSerializer(ModelSerializer):
    members = MembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = ServiceGroup
        fields = ["id", "name", "level", "region", "property_office", "members"]


class ServiceGroupInputSerializer(Serializer):
    """A group's name, tier and area; the service checks the tier against the caller's and the area against the
    tier (the same rules as the page)."""

    name = serializers.CharField(max_length=120)
    level = serializers.ChoiceField(choices=GroupLevel.choices)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    property_office = serializers.PrimaryKeyRelatedField(
        queryset=PropertyOffice.objects.all(), required=False, allow_null=True
    )


class MembershipInputSerializer(Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=MemberRole.choices)
    duties = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class MemberRemoveSerializer(Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
