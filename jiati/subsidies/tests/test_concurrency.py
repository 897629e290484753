"""Races: two approvals against one budget, and retried or doubled payments. Real threads, real transactions,
on SQLite (IMMEDIATE transactions) and PostgreSQL (row locks), with the constraints as the backstop."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from jiati.core.tests.factories import build_world
from jiati.subsidies import services
from jiati.subsidies.models import Budget, LedgerEntry, Status, SubsidyApplication
from jiati.subsidies.tests.conftest import OLD_FROM, OLD_TO, complete, eligible_project

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls):
    """Start every call at the same moment; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def setup(budget_amount: str, files: int = 2):
    world = build_world()
    district, finance = world.users["district"], world.users["finance"]
    services.policy_create(
        actor=district,
        region=world.regions["A"],
        name="定额补贴",
        source="district",
        effective_from=OLD_FROM,
        effective_to=OLD_TO,
        fixed_amount=Decimal("100000"),
        per_storey_amount=Decimal("10000"),
        storeys_above=4,
    )
    services.budget_set(
        actor=finance,
        region=world.regions["A"],
        year=timezone.localdate().year,
        source="district",
        amount=budget_amount,
    )
    applications = []
    for key in ("a1a", "a1b")[:files]:
        application = complete(eligible_project(world, key, filed_on=OLD_TO).subsidy_application, world.users["admin"])
        services.application_submit(application=application, actor=world.users["admin"])
        services.application_review(
            application=application, actor=world.users["admin"], decision="forward", comment="ok"
        )
        services.application_review(
            application=application, actor=world.users["admin"], decision="forward", comment="ok"
        )
        applications.append(application)
    return world, applications


def test_two_approvals_racing_cannot_exceed_the_budget():
    world, (first, second) = setup("200000")  # room for one ¥120,000 approval, not two
    finance = world.users["finance"]
    results = run_together(
        [
            lambda: services.application_approve(application=first, actor=finance, comment="核定"),
            lambda: services.application_approve(application=second, actor=finance, comment="核定"),
        ]
    )
    approved = [r for r in results if isinstance(r, SubsidyApplication)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert "over_budget" in str(refused[0].error_dict["amount"][0].code)
    budget = Budget.objects.get()
    assert budget.committed == Decimal("120000.00")
    assert SubsidyApplication.objects.filter(status=Status.APPROVED).count() == 1
    assert SubsidyApplication.objects.filter(status=Status.DISTRICT).count() == 1


def test_many_approvals_racing_fill_the_budget_exactly():
    world, files = setup("240000")  # exactly two approvals fit
    finance = world.users["finance"]
    results = run_together(
        [lambda a=a: services.application_approve(application=a, actor=finance, comment="核定") for a in files]
    )
    assert all(isinstance(r, SubsidyApplication) for r in results), results
    assert Budget.objects.get().committed == Budget.objects.get().amount


def _approved():
    world, (application,) = setup("1000000", files=1)
    services.application_approve(application=application, actor=world.users["finance"], comment="核定")
    return world, SubsidyApplication.objects.get(pk=application.pk)


def test_a_payment_submitted_many_times_at_once_is_recorded_once():
    world, application = _approved()
    finance = world.users["finance"]
    calls = [
        lambda: services.payment_record(
            actor=finance,
            application=application,
            amount="50000",
            voucher_no="V-RACE",
            paid_on=timezone.localdate(),
            idempotency_key="same-request",
        )
        for _ in range(6)
    ]
    results = run_together(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for _entry, created in results if created) == 1
    assert len({entry.pk for entry, _created in results}) == 1
    assert LedgerEntry.objects.count() == 1
    application.refresh_from_db()
    assert application.paid_amount == Decimal("50000.00")


def test_two_payments_racing_cannot_pay_more_than_approved():
    world, application = _approved()
    finance = world.users["finance"]
    results = run_together(
        [
            lambda v=v: services.payment_record(
                actor=finance, application=application, amount="70000", voucher_no=v, paid_on=timezone.localdate()
            )
            for v in ("V-A", "V-B")
        ]
    )
    assert sum(1 for r in results if isinstance(r, tuple)) == 1, results
    assert sum(1 for r in results if isinstance(r, ValidationError)) == 1
    application.refresh_from_db()
    assert application.paid_amount == Decimal("70000.00")
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == Decimal("70000.00")
