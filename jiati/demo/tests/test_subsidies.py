"""The subsidies demo: a file at every step, payments (a partial one and a reversal), totals that reconcile
to the fen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from jiati.demo import projects as projects_demo
from jiati.demo import subsidies as subsidies_demo
from jiati.demo.bulk import BulkSink
from jiati.demo.housing import generate
from jiati.demo.people import build_people
from jiati.projects.models import Stage
from jiati.projects.stages import missing_to_leave
from jiati.subsidies import selectors
from jiati.subsidies.models import Budget, EntryKind, LedgerEntry, Status, SubsidyApplication, SubsidyPolicy


@pytest.fixture
def demo(transactional_db):
    """Transactional: on PostgreSQL the generator COPYs on a connection of its own, which commits; the flush
    after the test removes those rows so later tests start from an empty database."""
    generated = generate(dwellings=40_000, sink=BulkSink(batch_rows=50_000))
    context = {"generated": generated, "people": build_people(generated=generated)}
    projects_demo.seed(context)
    subsidies_demo.seed(context)
    return context


def test_demo_has_every_step_and_reconciles(demo):
    statuses = set(SubsidyApplication.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert SubsidyPolicy.objects.count() == 2 and set(
        SubsidyApplication.objects.values_list("policy", flat=True)
    ) == set(SubsidyPolicy.objects.values_list("pk", flat=True))  # both versions of the policy decided files
    assert {(b.year, b.source) for b in Budget.objects.all()} == {
        (year, source) for year in {b.year for b in Budget.objects.all()} for source in ("city", "district")
    }
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() >= 2
    partly = SubsidyApplication.objects.filter(status=Status.APPROVED, paid_amount__gt=0)
    assert partly.exists()
    # Every subsidy-stage project has its file; every project in service is settled (the stage guard holds).
    for project in demo["projects"][Stage.IN_SERVICE]:
        assert SubsidyApplication.objects.get(project=project).status in (Status.PAID, Status.NOT_ELIGIBLE)
        project.stage = Stage.SUBSIDY
        assert missing_to_leave(project) == []
    for project in demo["projects"][Stage.SUBSIDY]:
        assert SubsidyApplication.objects.filter(project=project).exists()
    # Reconciliation to the fen: ledger = files' counters = budgets' counters; approvals = budgets' commitments.
    ledger = LedgerEntry.objects.aggregate(total=Sum("amount"))["total"]
    assert ledger == SubsidyApplication.objects.aggregate(total=Sum("paid_amount"))["total"]
    assert ledger == Budget.objects.aggregate(total=Sum("paid"))["total"]
    approved = SubsidyApplication.objects.filter(status__in=[Status.APPROVED, Status.PAID])
    assert (
        approved.aggregate(total=Sum("approved_amount"))["total"] == Budget.objects.aggregate(t=Sum("committed"))["t"]
    )
    figures = selectors.headline(user=demo["people"]["finance"])
    assert figures["reconciled"] and figures["paid"] == ledger and figures["paid"] > Decimal("1000000")
    assert figures["due_unpaid"] > 0
