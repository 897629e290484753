import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiati.administration.assignments import (
    assignments_import,
    building_assign,
    buildings_unanswered,
    estate_assign,
    estates_unanswered,
)
from jiati.administration.models import BuildingAssignment, EstateAssignment
from jiati.administration.tests.helpers import write_csv
from jiati.audit.models import AuditEntry
from jiati.housing.models import Building


def test_assign_an_estate_and_a_building_and_the_unanswered_lists_shrink(world):
    district = world.users["district"]
    assert set(estates_unanswered(user=district).values_list("code", flat=True)) == {"A1A-1", "A1B-1", "A2A-1"}
    estate_assign(actor=district, estate=world.estates["a1a"], person=world.users["community"])
    building = Building.objects.filter(estate=world.estates["a1a"]).first()
    building_assign(actor=district, building=building, person=world.users["community"])
    assert "A1A-1" not in set(estates_unanswered(user=district).values_list("code", flat=True))
    assert building not in buildings_unanswered(user=district)
    assert AuditEntry.objects.filter(changes__has_key="answers_for_it").count() == 2


def test_out_of_area_estate_or_person_is_refused_and_nothing_changes(world):
    with pytest.raises(PermissionDenied):
        estate_assign(actor=world.users["subdistrict"], estate=world.estates["a2a"], person=world.users["community"])
    with pytest.raises(ValidationError) as caught:
        estate_assign(actor=world.users["subdistrict"], estate=world.estates["a1a"], person=world.users["district"])
    assert "person" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        estate_assign(actor=world.users["community"], estate=world.estates["a1a"], person=world.users["community"])
    assert not EstateAssignment.objects.exists()


def test_a_spreadsheet_assigns_all_or_nothing_and_names_bad_rows(world, tmp_path):
    header = ["小区编码", "楼栋号", "负责人"]
    good = [header, ["A1A-1", "", "community"], ["A1B-1", "", "other_community"]]
    bad = [*good, ["NOPE", "", "community"], ["A2A-1", "99栋", "community"], ["A1A-1", "", "nobody"]]
    result = assignments_import(
        actor=world.users["district"], path=str(write_csv(tmp_path, bad)), name="a.csv", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "Estate code"),
        (5, "Building number"),
        (6, "Person (phone or login)"),
    ]
    assert not EstateAssignment.objects.exists() and not BuildingAssignment.objects.exists()
    done = assignments_import(
        actor=world.users["district"], path=str(write_csv(tmp_path, good)), name="a.csv", dry_run=False
    )
    assert done.applied and EstateAssignment.objects.count() == 2


def test_the_page_assigns_and_lists_what_no_one_answers_for(world, client):
    client.force_login(world.users["subdistrict"])
    page = client.get("/administration/answers/")
    assert page.context["estate_count"] == 2  # A1a's and A1b's estates
    bad = client.post("/administration/answers/", {"estate_code": "A2A-1", "person": "community"})
    assert bad.context["form"].errors["estate_code"]
    ok = client.post("/administration/answers/", {"estate_code": "A1A-1", "person": "community"})
    assert ok.status_code == 302
    assert client.get("/administration/answers/").context["estate_count"] == 1
    client.force_login(world.users["community"])
    assert client.get("/administration/answers/").status_code == 403
