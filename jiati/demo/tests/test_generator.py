"""The demo generator: Longgang's shape, valid personal data, and (on PostgreSQL) indexes rebuilt after the load."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from stdnum.cn import ric

from jiati.demo.bulk import DEFERRED_INDEX_TABLES, BulkSink
from jiati.demo.housing import LONGGANG_SUBDISTRICTS, generate, resident_id
from jiati.housing.models import Dwelling, Owner, Ownership, Stairwell
from jiati.organisation.models import PropertyOffice, Region, Workstation


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for name, info in connection.introspection.get_constraints(cursor, table).items()
            if info["index"] or info["unique"]
        }


def test_resident_ids_are_valid_and_distinct():
    sample = [0, 1, 999, 1000, 29_999_999, 30_000_000, 123_456_789, *range(5000, 5200)]
    numbers = [resident_id(n) for n in sample]
    assert all(ric.is_valid(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)


def test_generated_district_has_longgangs_shape(transactional_db):
    """Transactional: on PostgreSQL the COPY writer commits on a connection of its own."""
    before = {table: _indexes(table) for table in DEFERRED_INDEX_TABLES}
    generated = generate(dwellings=3_000, sink=BulkSink(batch_rows=500))

    district = Region.objects.get(pk=generated.district_id)
    assert district.name == "龙岗区"
    subdistricts = Region.objects.filter(parent=district)
    assert sorted(s.name.removesuffix("街道") for s in subdistricts) == sorted(LONGGANG_SUBDISTRICTS)
    assert Region.objects.filter(parent__in=subdistricts).count() == 111
    assert Workstation.objects.count() == 68
    assert PropertyOffice.objects.count() == 117

    assert Dwelling.objects.count() == generated.dwellings >= 3_000
    # Every dwelling has exactly one primary owner; some owners hold several; the developer holds unsold stock.
    assert Ownership.objects.filter(is_primary=True).count() == Dwelling.objects.count()
    holdings = Owner.objects.annotate(n=Count("ownerships")).filter(n__gt=1)
    assert holdings.filter(kind="person").exists()
    assert holdings.filter(kind="developer").exists()
    people = Owner.objects.filter(kind="person").values_list("id_number", flat=True)
    assert all(ric.is_valid(number) for number in people)
    assert Stairwell.objects.filter(dwellings__isnull=True).count() == 0

    # The big tables' indexes were dropped for the load and are all back.
    assert {table: _indexes(table) for table in DEFERRED_INDEX_TABLES} == before


@pytest.mark.django_db(transaction=True)
def test_a_second_load_appends_after_the_first():
    """New ids continue from what is stored (the rich demo adds rows after the bulk load)."""
    generate(dwellings=200, sink=BulkSink(batch_rows=100))
    sink = BulkSink(batch_rows=100)
    sink.finish()  # nothing to write; ends the PostgreSQL writer's transaction
    last = Dwelling.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert sink.next_ids["housing_dwelling"] == last + 1
