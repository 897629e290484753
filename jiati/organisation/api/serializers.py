from rest_framework import serializers

from jiati.core.serializers import ModelSerializer
from jiati.organisation.models import GroupMembership, PropertyOffice, Region, ServiceGroup, ServiceWindow


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
