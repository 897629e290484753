from rest_framework import serializers

from jiati.core.serializers import ModelSerializer
from jiati.housing.models import Building, Dwelling, Estate, Owner, Ownership, Stairwell
from jiati.web.api import PersonalDataField


class EstateSerializer(ModelSerializer):
    class Meta:
        model = Estate
        fields = ["id", "code", "name", "address", "community", "property_office", "year_built", "responsible_staff"]


class BuildingSerializer(ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "estate", "community", "number", "storeys", "year_built", "structure", "responsible_person"]


class StairwellSerializer(ModelSerializer):
    class Meta:
        model = Stairwell
        fields = ["id", "building", "estate", "community", "number", "storeys", "has_elevator"]


class OwnershipBriefSerializer(ModelSerializer):
    name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Ownership
        fields = ["owner", "name", "is_primary"]


class DwellingSerializer(ModelSerializer):
    owners = OwnershipBriefSerializer(source="ownerships", many=True, read_only=True)

    class Meta:
        model = Dwelling
        fields = [
            "id",
            "stairwell",
            "building",
            "estate",
            "community",
            "floor",
            "room",
            "area_register",
            "area_survey",
            "area_contract",
            "exclusive_area",
            "area_source",
            "owners",
        ]


class OwnerSerializer(ModelSerializer):
    id_number = PersonalDataField(kind="id_number")
    phone = PersonalDataField(kind="phone")

    class Meta:
        model = Owner
        fields = ["id", "kind", "name", "id_number", "phone"]
