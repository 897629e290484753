"""Summary = live, after many random changes made through the services (new projects, stage moves, suspensions,
withdrawals, reopenings, subsidy approvals, payments and reversals)."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.projects import services as project_services
from jiati.projects.models import DocumentKind, Project, Stage, Status, stage_index
from jiati.stats import selectors
from jiati.subsidies import services as subsidy_services
from jiati.subsidies.models import LedgerEntry, SubsidyApplication
from jiati.subsidies.models import Status as FileStatus
from jiati.subsidies.tests.conftest import approve_path, complete, pdf


def _regions(world):
    return [None, *(world.regions[k] for k in ("A", "B", "A1", "A2", "A1a", "A1b", "A2a", "B1a"))]


def _assert_equal(world):
    for region in _regions(world):
        summary = selectors.figures(user=world.users["admin"], region=region)
        live = selectors.live_figures(region=region)
        assert summary == live, region


def _step(world, rng: random.Random, counter: list[int]) -> None:
    admin, finance = world.users["admin"], world.users["finance"]
    projects = list(Project.objects.order_by("pk"))
    roll = rng.random()
    if roll < 0.25 or not projects:
        estate = world.estates[rng.choice(["a1a", "a1b", "a2a", "b1a"])]
        counter[0] += 1
        stairwell = stairwell_with_dwellings(estate=estate, number=f"R{counter[0]}", storeys=6, per_floor=1)
        project_services.project_open(actor=admin, stairwell=stairwell)
        return
    project = rng.choice(projects)
    if roll < 0.6:
        if rng.random() < 0.5:  # push the furthest live project on, so that some reach service and subsidy
            live = [p for p in projects if p.status == Status.ACTIVE and p.stage != Stage.IN_SERVICE]
            project = max(live, key=lambda p: stage_index(p.stage), default=project)
        for _ in range(rng.randint(1, 6)):  # several stages at once, so that some projects reach service
            if project.status == Status.ACTIVE and project.stage != Stage.IN_SERVICE:
                project = project_services.project_advance(project=project, actor=admin)
    elif roll < 0.66:
        if project.status == Status.ACTIVE and project.stage != Stage.IN_SERVICE:
            project_services.project_withdraw(project=project, actor=admin, reason="业主撤回")
    elif roll < 0.72:
        if project.status == Status.ACTIVE and project.stage != Stage.IN_SERVICE:
            project_services.project_suspend(project=project, actor=admin, reason="暂停施工")
    elif roll < 0.78:
        if project.status != Status.ACTIVE:
            project_services.project_reopen(project=project, actor=admin, reason="恢复")
    else:
        _money_step(world, rng, counter, admin, finance)


def _money_step(world, rng, counter, admin, finance) -> None:
    files = list(SubsidyApplication.objects.filter(project__community__path__startswith=world.regions["A"].path))
    if not files:
        return
    application = rng.choice(files)
    counter[0] += 1
    if application.status == FileStatus.DRAFT and application.project.status == Status.ACTIVE:
        for kind in (DocumentKind.INSPECTION_CERTIFICATE, DocumentKind.REGISTRATION_CERTIFICATE):
            project_services.document_add(project=application.project, actor=admin, kind=kind, upload=pdf())
        application = complete(application, admin, audited_cost=Decimal("300000"))
        approve_path(world, application)
    elif application.status == FileStatus.APPROVED:
        unpaid = application.unpaid_amount
        amount = unpaid if rng.random() < 0.5 else (unpaid / 3).quantize(Decimal("0.01"))
        subsidy_services.payment_record(
            actor=finance,
            application=application,
            amount=amount,
            voucher_no=f"V{counter[0]}",
            paid_on=timezone.localdate(),
        )
    else:
        payment = LedgerEntry.objects.filter(application=application, kind="payment", reversal__isnull=True).first()
        if payment is not None:
            subsidy_services.payment_reverse(
                actor=finance,
                payment=payment,
                voucher_no=f"RV{counter[0]}",
                reversed_on=timezone.localdate(),
                reason="退票",
            )


def test_summary_equals_live_after_random_changes(world, policies, budgets, no_guards, committed):
    rng = random.Random(16)
    counter = [0]
    for _batch in range(10):
        with committed():
            for _ in range(12):
                _step(world, rng, counter)
        _assert_equal(world)
    # The run did exercise every kind of change.
    assert Project.objects.filter(status=Status.WITHDRAWN).exists()
    assert Project.objects.filter(stage=Stage.IN_SERVICE).exists(), list(Project.objects.values_list("stage", "status"))
    assert LedgerEntry.objects.filter(kind="payment").exists()
    total = selectors.figures(user=world.users["admin"], region=None)
    assert total.subsidy_paid > 0
    assert total.total + total.withdrawn == Project.objects.count()
