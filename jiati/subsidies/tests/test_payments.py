"""The ledger: partial payments, reversals, nothing paid twice, nothing edited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiati.subsidies import services
from jiati.subsidies.models import Budget, EntryKind, LedgerEntry, Status, SubsidyApplication
from jiati.subsidies.tests.conftest import OLD_TO, approve_path, complete, eligible_project
from jiati.subsidies.tests.test_applications import codes

TODAY = timezone.localdate


@pytest.fixture
def approved(world, policies, budgets):
    """An approved file for ¥120,000.00 (district funds)."""
    application = complete(eligible_project(world, filed_on=OLD_TO).subsidy_application, world.users["community"])
    return approve_path(world, application)


def pay(world, application, amount, voucher, **kwargs):
    kwargs.setdefault("paid_on", TODAY())
    return services.payment_record(
        actor=world.users["finance"], application=application, amount=amount, voucher_no=voucher, **kwargs
    )


def test_partial_then_final_payment(world, approved):
    entry, created = pay(world, approved, "50000", "V-001")
    assert created and entry.kind == EntryKind.PAYMENT and entry.amount == Decimal("50000.00")
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED and approved.paid_amount == Decimal("50000.00")
    pay(world, approved, "70000.00", "V-002")
    approved.refresh_from_db()
    assert approved.status == Status.PAID and approved.unpaid_amount == 0
    assert Budget.objects.get(pk=approved.budget_id).paid == Decimal("120000.00")


def test_paying_more_than_unpaid_is_refused_and_nothing_changes(world, approved):
    pay(world, approved, "100000", "V-001")
    with pytest.raises(ValidationError) as caught:
        pay(world, approved, "20000.01", "V-002")
    assert codes(caught.value) == ["over_unpaid"]
    assert "¥20,000.00" in str(caught.value)
    assert LedgerEntry.objects.count() == 1
    approved.refresh_from_db()
    assert approved.paid_amount == Decimal("100000.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [("0", "not_positive"), ("-5", "negative"), ("1.234", "finer_than_fen"), ("abc", "not_a_number")],
)
def test_bad_amounts_are_refused(world, approved, amount, code):
    with pytest.raises(ValidationError) as caught:
        pay(world, approved, amount, "V-X")
    assert codes(caught.value) == [code]
    assert not LedgerEntry.objects.exists()


def test_the_same_voucher_twice_records_once(world, approved):
    first, created = pay(world, approved, "50000", "V-001")
    again, created_again = pay(world, approved, "50000", "V-001")
    assert created and not created_again and again.pk == first.pk
    assert LedgerEntry.objects.count() == 1
    approved.refresh_from_db()
    assert approved.paid_amount == Decimal("50000.00")


def test_a_voucher_used_for_something_else_is_refused(world, approved):
    pay(world, approved, "50000", "V-001")
    for amount, paid_on in [("40000", TODAY()), ("50000", TODAY() - dt.timedelta(days=1))]:
        with pytest.raises(ValidationError) as caught:
            pay(world, approved, amount, "V-001", paid_on=paid_on)
        assert codes(caught.value) == ["voucher_used"]
        assert "V-001" in str(caught.value)
    assert LedgerEntry.objects.count() == 1


def test_a_retried_request_with_the_same_key_records_once(world, approved):
    first, _ = pay(world, approved, "50000", "V-001", idempotency_key="k-123")
    again, created = pay(world, approved, "50000", "V-001", idempotency_key="k-123")
    assert not created and again.pk == first.pk
    with pytest.raises(ValidationError) as caught:  # the same key for another payment
        pay(world, approved, "10000", "V-002", idempotency_key="k-123")
    assert codes(caught.value) == ["request_reused"]
    assert LedgerEntry.objects.count() == 1


def test_reversal_is_a_new_negative_row_and_reopens_the_file(world, approved):
    payment, _ = pay(world, approved, "120000", "V-001")
    approved.refresh_from_db()
    assert approved.status == Status.PAID
    reversal, created = services.payment_reverse(
        actor=world.users["finance"],
        payment=payment,
        voucher_no="R-001",
        reversed_on=TODAY(),
        reason="账户名不符，银行退回",
    )
    assert created and reversal.amount == Decimal("-120000.00") and reversal.reverses == payment
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED and approved.paid_amount == 0
    assert Budget.objects.get(pk=approved.budget_id).paid == 0
    # Reversing twice: the same voucher is a replay, another is refused.
    again, created = services.payment_reverse(
        actor=world.users["finance"], payment=payment, voucher_no="R-001", reversed_on=TODAY(), reason="重复提交"
    )
    assert not created and again.pk == reversal.pk
    with pytest.raises(ValidationError) as caught:
        services.payment_reverse(
            actor=world.users["finance"], payment=payment, voucher_no="R-002", reversed_on=TODAY(), reason="再次"
        )
    assert codes(caught.value) == ["already_reversed"]
    with pytest.raises(ValidationError) as caught:  # a reversal cannot itself be reversed
        services.payment_reverse(
            actor=world.users["finance"], payment=reversal, voucher_no="R-003", reversed_on=TODAY(), reason="x"
        )
    assert codes(caught.value) == ["not_a_payment"]
    pay(world, approved, "120000", "V-002")  # paid again to the right account
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == Decimal("120000.00")


def test_only_finance_records_payments(world, approved):
    for role in ("district", "subdistrict", "community", "other_district"):
        with pytest.raises(PermissionDenied):
            services.payment_record(
                actor=world.users[role], application=approved, amount="1", voucher_no="V-Z", paid_on=TODAY()
            )
    assert not LedgerEntry.objects.exists()


def test_unapproved_files_cannot_be_paid(world, policies, budgets):
    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    with pytest.raises(ValidationError) as caught:
        pay(world, application, "1000", "V-001")
    assert codes(caught.value) == ["not_approved"]


def test_future_payment_dates_are_refused(world, approved):
    with pytest.raises(ValidationError) as caught:
        pay(world, approved, "1000", "V-001", paid_on=TODAY() + dt.timedelta(days=1))
    assert codes(caught.value) == ["future_date"]


def test_batches_group_payments_and_take_their_date(world, approved):
    batch = services.payment_batch_create(actor=world.users["finance"], number="PC-2026-01", paid_on=TODAY())
    entry, _ = services.payment_record(
        actor=world.users["finance"], application=approved, amount="60000", voucher_no="V-001", batch=batch
    )
    assert entry.batch == batch and entry.paid_on == batch.paid_on
    with pytest.raises(ValidationError) as caught:  # a batch has one date
        services.payment_record(
            actor=world.users["finance"],
            application=approved,
            amount="1",
            voucher_no="V-002",
            batch=batch,
            paid_on=TODAY() - dt.timedelta(days=1),
        )
    assert codes(caught.value) == ["batch_date"]
    with pytest.raises(ValidationError) as caught:
        services.payment_batch_create(actor=world.users["finance"], number="PC-2026-01", paid_on=TODAY())
    assert codes(caught.value) == ["batch_used"]
    other = services.payment_batch_create(
        actor=world.users["admin"], number="PC-B-01", paid_on=TODAY(), region=world.regions["B"]
    )
    with pytest.raises(PermissionDenied):  # finance of district A cannot use district B's batch
        services.payment_record(
            actor=world.users["finance"], application=approved, amount="1", voucher_no="V-009", batch=other
        )


def test_the_ledger_cannot_be_edited_or_deleted(world, approved):
    entry, _ = pay(world, approved, "1000", "V-001")
    entry.amount = Decimal("1")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()


def test_the_database_refuses_overpayment_even_past_the_services(world, approved):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyApplication.objects.filter(pk=approved.pk).update(paid_amount=Decimal("120000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=approved.budget_id).update(committed=Decimal("1000000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            application=approved,
            kind=EntryKind.PAYMENT,
            amount=Decimal("-1"),
            voucher_no="V-N",
            paid_on=TODAY(),
            recorded_by=world.users["finance"],
        )


def test_a_payment_names_every_wrong_field_at_once(world, approved):
    with pytest.raises(ValidationError) as caught:
        pay(world, approved, "abc", "", paid_on=None)
    assert set(caught.value.error_dict) == {"amount", "voucher_no", "paid_on"}
    assert LedgerEntry.objects.count() == 0


def test_a_batch_names_every_wrong_field_at_once(world):
    """Issue 13: a missing batch number hid a payment date in the future."""
    with pytest.raises(ValidationError) as caught:
        services.payment_batch_create(actor=world.users["finance"], number=" ", paid_on=TODAY() + dt.timedelta(days=2))
    assert set(caught.value.message_dict) == {"number", "paid_on"}
