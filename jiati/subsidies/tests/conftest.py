"""Fixtures for subsidies: a policy history for district A, this year's budgets, and projects made eligible
by the real stage move (so the stage-entry listener drafts their files)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.core.tests.factories import EstateFactory, make_user, stairwell_with_dwellings
from jiati.projects import services as project_services
from jiati.projects.models import DocumentKind, EventKind, Project, ProjectEvent, Stage
from jiati.subsidies import services
from jiati.subsidies.models import Source, SubsidyApplication, SubsidyDocumentKind

PDF = b"%PDF-1.4 test document"
OLD_FROM, OLD_TO, NEW_FROM = dt.date(2019, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1)


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def aware(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def policies(world):
    """District A: ¥100,000 a lift + ¥10,000 a storey above the 4th until mid-2025; then 40% of the cost, capped
    at ¥200,000, with pipe relocation up to ¥30,000."""
    district = world.users["district"]
    old = services.policy_create(
        actor=district,
        region=world.regions["A"],
        name="龙岗区加梯补贴（2019版）",
        source=Source.DISTRICT,
        effective_from=OLD_FROM,
        effective_to=OLD_TO,
        fixed_amount=Decimal("100000"),
        per_storey_amount=Decimal("10000"),
        storeys_above=4,
        application_deadline_days=180,
    )
    new = services.policy_create(
        actor=district,
        region=world.regions["A"],
        name="龙岗区加梯补贴（2025版）",
        source=Source.CITY,
        effective_from=NEW_FROM,
        cost_share_percent=Decimal("40"),
        cap=Decimal("200000"),
        extras=[("管线迁改", Decimal("30000"))],
    )
    return {"old": old, "new": new}


@pytest.fixture
def budgets(world):
    finance, year = world.users["finance"], timezone.localdate().year
    return {
        source: services.budget_set(
            actor=finance, region=world.regions["A"], year=year, source=source, amount=Decimal("1000000")
        )
        for source in Source.values
    }


def eligible_project(
    world, key: str = "a1a", *, filed_on: dt.date | None = None, cost=Decimal("550000"), stairwell=None
):
    """A project moved for real from registration into the subsidy stage (the listener drafts its file)."""
    admin = world.users["admin"]
    project = project_services.project_open(actor=admin, stairwell=stairwell or world.stairwells[key])
    Project.objects.filter(pk=project.pk).update(stage=Stage.REGISTRATION, estimated_cost=cost)
    if filed_on:
        ProjectEvent.objects.create(
            project=project,
            kind=EventKind.STAGE,
            from_stage=Stage.APPROVALS,
            to_stage=Stage.CONSTRUCTION_NOTICE,
            at=aware(filed_on),
        )
    project.refresh_from_db()
    for kind in (DocumentKind.INSPECTION_CERTIFICATE, DocumentKind.REGISTRATION_CERTIFICATE):
        project_services.document_add(project=project, actor=admin, kind=kind, upload=pdf())
    return project_services.project_advance(project=project, actor=admin)


def complete(application, actor, *, audited_cost=None, payee_account="6222020200012345678"):
    """Fill the file as the window does: applicant from the lead owner, payee, documents."""
    from jiati.housing.models import Ownership

    owner = Ownership.objects.filter(dwelling__stairwell=application.project.stairwell).first().owner
    fields = {
        "applicant_owner": owner,
        "payee_name": "长江花园加梯业主共同账户",
        "payee_bank_name": "中国工商银行深圳龙岗支行",
        "payee_bank_account": payee_account,
    }
    if audited_cost is not None:
        fields["audited_cost"] = audited_cost
    services.application_update(application=application, actor=actor, **fields)
    for kind in (SubsidyDocumentKind.APPLICATION_FORM, SubsidyDocumentKind.INVOICE, SubsidyDocumentKind.BANK_ACCOUNT):
        services.application_document_add(application=application, actor=actor, kind=kind, upload=pdf())
    if application.policy and application.policy.cost_share_percent:
        services.application_document_add(
            application=application, actor=actor, kind=SubsidyDocumentKind.AUDITED_COST, upload=pdf()
        )
    return SubsidyApplication.objects.get(pk=application.pk)


def approve_path(world, application, *, amount=None):
    """Submit, pass community and subdistrict, approve at district finance (each by the staff of that step)."""
    from jiati.subsidies.models import Status
    from jiati.subsidies.selectors import holders_for

    community = application.project.community
    window = (holders_for(Status.COMMUNITY, community) or [world.users["admin"]])[0]
    group = (holders_for(Status.SUBDISTRICT, community) or [world.users["admin"]])[0]
    services.application_submit(application=application, actor=window)
    services.application_review(application=application, actor=window, decision="forward", comment="材料齐全")
    services.application_review(application=application, actor=group, decision="forward", comment="同意")
    return services.application_approve(
        application=application, actor=world.users["finance"], comment="核定", amount=amount
    )


@pytest.fixture
def make_community_user():
    def make(region, username):
        return make_user(username, Role.COMMUNITY, region=region)

    return make


@pytest.fixture
def extra_stairwell(world):
    def make(number: str, estate_key: str = "a1a", storeys: int = 6):
        estate = world.estates[estate_key]
        return stairwell_with_dwellings(estate=estate, number=number, storeys=storeys, per_floor=1)

    return make


def new_estate_stairwell(world, region_key: str, number: str, storeys: int = 6):
    estate = EstateFactory(community=world.regions[region_key])
    return stairwell_with_dwellings(estate=estate, number=number, storeys=storeys, per_floor=1)
