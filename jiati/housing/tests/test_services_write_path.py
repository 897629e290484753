"""One write path for the housing stock: every service checks the editor's permission and scope, and the
importer applies the same rule functions (and the same upload checks) as the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import valid_resident_id
from jiati.housing import import_services, services
from jiati.housing.importer import parse_row
from jiati.housing.models import Building, Dwelling, Estate, Owner, Ownership, Stairwell


def counts() -> tuple:
    return tuple(m.objects.count() for m in (Estate, Building, Stairwell, Dwelling, Owner, Ownership, AuditEntry))


def codes(exc) -> dict:
    return {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}


# --- the create services (no page calls them yet; the administration pages will) -------------------------


def test_estate_create_in_the_actors_community_is_saved_and_audited(world):
    user = world.users["community"]
    estate = services.estate_create(actor=user, code="NEW-1", name="新村", community=world.regions["A1a"])
    assert Estate.objects.visible_to(user).filter(pk=estate.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(estate.pk), action="create", actor=user).exists()


def test_estate_create_refuses_another_area_a_non_editor_and_a_region_that_is_not_a_community(world):
    before = counts()
    with pytest.raises(PermissionDenied):  # another community's estate
        services.estate_create(actor=world.users["community"], code="X", name="x", community=world.regions["A1b"])
    with pytest.raises(PermissionDenied):  # a contractor may not edit the housing stock
        services.estate_create(actor=world.users["contractor"], code="X", name="x", community=world.regions["A1a"])
    with pytest.raises(ValidationError) as refused:
        services.estate_create(actor=world.users["district"], code="X", name="x", community=world.regions["A1"])
    assert codes(refused) == {"community": ["not_a_community"]}
    assert counts() == before


def test_building_stairwell_and_dwelling_create_chain_under_an_estate_in_scope(world):
    user = world.users["community"]
    estate = world.estates["a1a"]
    building = services.building_create(actor=user, estate=estate, number="9栋", storeys=7)
    stairwell = services.stairwell_create(actor=user, building=building, number="1单元", storeys=7)
    dwelling = services.dwelling_create(
        actor=user, stairwell=stairwell, floor=7, room="701", area_survey=Decimal("88.50")
    )
    assert (building.community_id, stairwell.estate_id, dwelling.building_id) == (
        estate.community_id,
        estate.pk,
        building.pk,
    )
    assert (dwelling.exclusive_area, dwelling.area_source) == (Decimal("88.50"), "survey")
    assert AuditEntry.objects.filter(action="create", actor=user).count() == 3


def test_child_creates_refuse_a_parent_outside_the_scope(world):
    user = world.users["community"]  # community A1a; stairwell "b1a" is in district B
    other = world.stairwells["b1a"]
    before = counts()
    with pytest.raises(PermissionDenied):
        services.building_create(actor=user, estate=other.estate, number="9栋", storeys=6)
    with pytest.raises(PermissionDenied):
        services.stairwell_create(actor=user, building=other.building, number="9单元", storeys=6)
    with pytest.raises(PermissionDenied):
        services.dwelling_create(actor=user, stairwell=other, floor=1, room="109", area_register=Decimal("50"))
    assert counts() == before


def test_stairwell_and_dwelling_create_apply_the_cross_object_rules(world):
    user = world.users["community"]
    building = world.stairwells["a1a"].building  # 6 storeys
    with pytest.raises(ValidationError) as taller:
        services.stairwell_create(actor=user, building=building, number="9单元", storeys=9)
    assert codes(taller) == {"storeys": ["storeys_above_building"]}
    with pytest.raises(ValidationError) as no_floor:
        services.dwelling_create(
            actor=user, stairwell=world.stairwells["a1a"], floor=8, room="801", area_register=Decimal("60")
        )
    assert codes(no_floor) == {"floor": ["floor_out_of_range"]}
    with pytest.raises(ValidationError) as no_area:
        services.dwelling_create(actor=user, stairwell=world.stairwells["a1a"], floor=1, room="109")
    assert codes(no_area) == {"area_register": ["area_missing"]}


def test_owner_create_and_ownership_add(world):
    user = world.users["community"]
    owner = services.owner_create(actor=user, kind="person", name=" 王五 ", id_number=valid_resident_id(7001))
    dwelling = world.stairwells["a1a"].dwellings.get(room="101")
    ownership = services.ownership_add(actor=user, owner=owner, dwelling=dwelling)
    assert owner.name == "王五" and ownership.is_primary is False  # the dwelling already has its primary owner
    assert Owner.objects.visible_to(user).filter(pk=owner.pk).exists()  # visible through the dwelling
    with pytest.raises(ValidationError) as twice:
        services.ownership_add(actor=user, owner=owner, dwelling=dwelling)
    assert codes(twice) == {"owner": ["duplicate"]}
    with pytest.raises(PermissionDenied):  # a dwelling of another district
        services.ownership_add(actor=user, owner=owner, dwelling=world.stairwells["b1a"].dwellings.first())
    with pytest.raises(PermissionDenied):
        services.owner_create(actor=world.users["resident"], kind="person", name="x", id_number=valid_resident_id())


def test_updates_lock_only_rows_in_the_actors_scope(world):
    user = world.users["community"]
    other = world.stairwells["b1a"]
    for call in (
        lambda: services.estate_update(actor=user, estate=other.estate, name="改名"),
        lambda: services.building_update(actor=user, building=other.building, storeys=7),
        lambda: services.stairwell_update(actor=user, stairwell=other, storeys=5),
        lambda: services.dwelling_update(actor=user, dwelling=other.dwellings.first(), room="999"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Estate.objects.get(pk=other.estate_id).name != "改名"
    assert Stairwell.objects.get(pk=other.pk).storeys == 6
    with pytest.raises(PermissionDenied):  # moving one's estate into another district's community
        services.estate_update(actor=user, estate=world.estates["a1a"], community=world.regions["B1a"])


# --- the importer applies the services' rules, not copies of them --------------------------------------------


def parsed(**cells):
    positions = {key: i for i, key in enumerate(cells)}
    return parse_row(2, list(cells.values()), positions)


ROW = {
    "community_code": "440307001001",
    "estate_code": "A1A-1",
    "estate_name": "长江花园",
    "building_number": "1栋",
    "building_storeys": "6",
    "stairwell_number": "1单元",
    "stairwell_storeys": "6",
    "floor": "1",
    "room": "101",
    "area_register": "80",
    "owner_name": "张三",
    "owner_id_number": "",
}


@pytest.mark.parametrize(
    ("override", "column", "check", "values"),
    [
        (
            {"stairwell_storeys": "7"},
            "stairwell_storeys",
            services.stairwell_storeys_check,
            {"storeys": 7, "building_storeys": 6},
        ),
        ({"floor": "9"}, "floor", services.dwelling_floor_check, {"floor": 9, "stairwell_storeys": 6}),
        (
            {"area_register": ""},
            "area_register",
            services.dwelling_area_clean,
            {"register": None, "survey": None, "contract": None},
        ),
    ],
)
def test_a_rejected_row_carries_the_services_own_refusal(override, column, check, values):
    from jiati.housing.importer import _RowInvalid

    with pytest.raises(ValidationError) as by_service:
        check(**values)
    with pytest.raises(_RowInvalid) as by_importer:
        parsed(**(ROW | {"owner_id_number": valid_resident_id(7100)} | override))
    assert by_importer.value.args == (column, "; ".join(by_service.value.messages))


# --- the import's own checks live in the service: page, API and command alike --------------------------------


def test_the_import_service_refuses_a_non_importer_a_wrong_type_and_a_file_too_large(world):
    upload = SimpleUploadedFile("stock.csv", b"a,b\n1,2\n")
    with pytest.raises(PermissionDenied):
        import_services.import_job_start(actor=world.users["property"], upload=upload)
    with pytest.raises(ValidationError) as wrong_type:
        import_services.import_job_start(
            actor=world.users["community"], upload=SimpleUploadedFile("stock.pdf", b"%PDF")
        )
    assert codes(wrong_type) == {"file": ["file_type"]}
    with override_settings(JIATI_IMPORT_MAX_BYTES=4), pytest.raises(ValidationError) as too_large:
        import_services.import_job_start(actor=world.users["community"], upload=upload)
    assert codes(too_large) == {"file": ["file_size"]}
    from jiati.housing.models import ImportJob

    assert not ImportJob.objects.exists()


def test_a_checked_import_can_only_be_applied_by_an_importer_who_sees_the_job(world):
    from jiati.housing.models import ImportJob

    job = ImportJob.objects.create(created_by=world.users["community"], original_name="x.csv", sha256="0" * 64)
    with pytest.raises(PermissionDenied):
        import_services.import_job_apply(actor=world.users["subdistrict"], dry_job=job)  # not the author's
    with pytest.raises(PermissionDenied):
        import_services.import_job_apply(actor=world.users["property"], dry_job=job)
