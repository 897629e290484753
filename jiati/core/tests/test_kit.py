"""The core kit: require, lock_visible (scope, pk order, refusal), the append-only base on every log, money."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiati.core import money
from jiati.core.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from jiati.core.services import lock_rows, lock_visible, require
from jiati.housing.models import Dwelling, Estate

APPEND_ONLY_LOGS = [
    "projects.ProjectEvent",
    "consent.BallotEntry",
    "consent.ObjectionStep",
    "audit.AuditEntry",
    "subsidies.Review",
    "subsidies.LedgerEntry",
    "consultation.PetitionEvent",
]


def test_require_refuses_with_403_only_when_the_rule_fails():
    require(True)
    with pytest.raises(PermissionDenied):
        require(False)


def test_lock_visible_returns_the_row_inside_the_scope(world):
    estate = world.estates["a1a"]
    locked = lock_visible(Estate, user=world.users["community"], pks=estate.pk)
    assert locked == estate
    assert lock_visible(Estate, user=world.users["community"], pks=estate) == estate


def test_lock_visible_refuses_a_row_outside_the_scope_like_a_missing_one(world):
    with pytest.raises(PermissionDenied):
        lock_visible(Estate, user=world.users["community"], pks=world.estates["b1a"].pk)
    with pytest.raises(PermissionDenied):
        lock_visible(Estate, user=world.users["community"], pks=10**9)
    with pytest.raises(PermissionDenied):  # one row of many out of scope: nothing is handed back
        lock_visible(Estate, user=world.users["district"], pks=[world.estates["a1a"].pk, world.estates["b1a"].pk])


def test_lock_visible_locks_many_rows_in_pk_order_and_keeps_the_querysets_joins(world):
    pks = list(Dwelling.objects.filter(stairwell=world.stairwells["a1a"]).values_list("pk", flat=True))
    wanted = list(reversed(pks))[:5]
    user = world.users["district"]
    Dwelling.objects.visible_to(user).exists()  # the user's community ids are cached on the user
    with CaptureQueriesContext(connection) as queries:
        rows = lock_visible(Dwelling.objects.select_related("stairwell"), user=user, pks=wanted)
        assert [r.stairwell.number for r in rows]  # joined, no further query
    assert [r.pk for r in rows] == sorted(wanted)
    assert len(queries) == 1
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries[0]["sql"]


def test_lock_rows_locks_inside_an_already_scoped_queryset(world):
    estate = world.estates["a1b"]
    assert lock_rows(Estate.objects.filter(community=estate.community), pks=estate.pk) == estate
    with pytest.raises(PermissionDenied):
        lock_rows(Estate.objects.filter(community=estate.community), pks=world.estates["a1a"].pk)


@pytest.mark.parametrize("label", APPEND_ONLY_LOGS)
def test_every_log_that_must_never_change_is_append_only(label):
    model = apps.get_model(label)
    assert issubclass(model, AppendOnlyModel)
    assert isinstance(model.objects.all(), AppendOnlyQuerySet)


@pytest.mark.django_db
@pytest.mark.parametrize("label", APPEND_ONLY_LOGS)
def test_append_only_refuses_bulk_update_and_delete(label):
    model = apps.get_model(label)
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(pk=1)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


def test_an_appended_row_cannot_be_saved_again_nor_deleted(world):
    from jiati.audit.services import audit_record

    entry = audit_record(actor=world.users["district"], instance=world.estates["a1a"], action="event", message="x")
    entry.message = "rewritten"
    with pytest.raises(AppendOnlyError, match="append-only"):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.message == "x"


def test_money_helpers_are_exact_to_the_fen():
    assert Decimal("0.01") == money.FEN
    assert money.to_yuan("12.345") == Decimal("12.34")  # banker's rounding by default, like Decimal.quantize
    assert money.to_yuan("12.345", rounding=ROUND_HALF_UP) == Decimal("12.35")
    assert money.round_yuan(Decimal("0.005")) == Decimal("0.01")
    assert money.yuan_to_fen(Decimal("1234.56")) == 123456
    assert money.fen_to_yuan(123456) == Decimal("1234.56")
    assert money.has_whole_fen(Decimal("1.20")) and not money.has_whole_fen(Decimal("1.201"))
    assert money.yuan(Decimal("1234567.891")) == "¥1,234,567.89"
    assert money.yuan(Decimal("-12")) == "-¥12.00"
    assert money.yuan(None) == "—"


def test_area_helpers_round_to_the_hundredth_of_a_square_metre():
    assert Decimal("0.01") == money.AREA_STEP
    assert money.to_area("80.5") == Decimal("80.50")
    assert money.has_whole_area_step(Decimal("80.55")) and not money.has_whole_area_step(Decimal("80.555"))


def test_refusals_report_every_wrong_field_at_once():
    from django.core.exceptions import ValidationError

    from jiati.core.errors import Refusals, refuse

    def wrong(field):
        raise refuse(f"{field} is wrong", code="invalid", field=field)

    with pytest.raises(ValidationError) as caught, Refusals() as checked:
        assert checked(wrong, "name") is None
        assert checked(lambda: "ok") == "ok"
        checked(wrong, "phone")
        checked.add(refuse("not now", code="closed"))
    assert caught.value.message_dict == {"name": ["name is wrong"], "phone": ["phone is wrong"], "__all__": ["not now"]}
    with Refusals() as checked:  # nothing refused: nothing raised
        checked(lambda: None)


def test_a_phone_field_names_a_wrong_number_with_the_other_errors():
    from django import forms

    from jiati.core.forms import PhoneField

    class Form(forms.Form):
        name = forms.CharField()
        phone = PhoneField()

    form = Form({"name": "", "phone": "12345"})
    assert set(form.errors) == {"name", "phone"}
    assert Form({"name": "x", "phone": "139 0000 1111"}).is_valid()
