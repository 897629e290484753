"""Demo subsidies: a policy history, budgets for two years and two sources, a file at every step, payments in
batches (one partial, one reversed) — all made through the services, so the totals reconcile to the fen.

Runs after the projects demo: `context["projects"]` maps each stage to its projects. Files of projects in the
subsidy stage are spread over every step; those in service are paid in full (or recorded as not eligible),
as the stage guard demands. Dates are then moved back so the tracker shows real waiting times.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jiati.accounts.models import Role, User
from jiati.projects import services as project_services
from jiati.projects.models import Project, ProjectEvent, Stage
from jiati.subsidies import rules, services
from jiati.subsidies.models import (
    ApplicantKind,
    LedgerEntry,
    Review,
    Source,
    Status,
    SubsidyApplication,
    SubsidyDocumentKind,
)

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
BANKS = ["中国工商银行深圳龙岗支行", "中国建设银行深圳布吉支行", "深圳农村商业银行横岗支行", "招商银行深圳坂田支行"]
# Where each subsidy-stage file is left, in order (the showcase community's project first: waiting for it).
SUBSIDY_STEPS = [
    Status.COMMUNITY,
    Status.DRAFT,
    Status.RETURNED,
    Status.SUBDISTRICT,
    Status.DISTRICT,
    "approved_unpaid",
    "partly_paid",
    "reversed",
    Status.DRAFT,
    Status.COMMUNITY,
    Status.SUBDISTRICT,
    Status.DISTRICT,
    "partly_paid",
    "late_draft",
    Status.NOT_ELIGIBLE,
]


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed(context: dict) -> None:
    rng = random.Random(26)
    people = context["people"]
    district_user, finance = people["district"], people["finance"]
    district = district_user.region
    projects = context.get("projects") or {
        stage: list(Project.objects.filter(stage=stage).order_by("id")) for stage in (Stage.SUBSIDY, Stage.IN_SERVICE)
    }
    today = timezone.localdate()
    # The policy history: a fixed amount with storey extras, then (from the 1st of the month some 200 days ago)
    # a share of the audited cost with a cap and a pipe-relocation extra.
    switch = _day(200).replace(day=1)
    services.policy_create(
        actor=district_user,
        region=district,
        name="龙岗区既有住宅加装电梯资助办法（2019版）",
        source=Source.DISTRICT,
        effective_from=dt.date(2019, 1, 1),
        effective_to=switch - dt.timedelta(days=1),
        fixed_amount=Decimal("100000"),
        per_storey_amount=Decimal("10000"),
        storeys_above=4,
        min_storeys=4,
        application_deadline_days=365,
        note="每台电梯定额资助10万元；4层以上每层另加1万元。",
    )
    services.policy_create(
        actor=district_user,
        region=district,
        name=f"龙岗区既有住宅加装电梯资助办法（{switch:%Y}修订）",
        source=Source.CITY,
        effective_from=switch,
        cost_share_percent=Decimal("40"),
        cap=Decimal("200000"),
        min_storeys=4,
        application_deadline_days=180,
        extras=[("管线迁改", Decimal("30000"))],
        note="按审计造价的40%资助，每台最高20万元；管线迁改另行资助，最高3万元。",
    )
    for year, amounts in ((today.year - 1, ("6000000", "9000000")), (today.year, ("8000000", "12000000"))):
        for source, amount in zip((Source.CITY, Source.DISTRICT), amounts, strict=True):
            services.budget_set(actor=finance, region=district, year=year, source=source, amount=amount)

    staff = _staff(district)
    batch_days = [70, 52, 38, 24, 9]
    batches = _Batches(finance)
    voucher = iter(range(1, 10_000))

    def next_voucher(prefix: str = "PZ") -> str:
        return f"{prefix}{today:%Y}-{next(voucher):04d}"

    # In service: paid in full (one in two parts, one reversed and paid again), one recorded not eligible.
    for index, project in enumerate(projects.get(Stage.IN_SERVICE, [])):
        entered = timezone.localdate(project.stage_entered_at)
        paid_days = next((d for d in sorted(batch_days) if _day(d) < entered), None)
        if index == 7 or paid_days is None:
            _not_eligible(project, people, rng, staff, eligible=entered - dt.timedelta(days=30))
            continue
        paid_on = _day(paid_days)
        approved_on = paid_on - dt.timedelta(days=rng.randint(4, 9))
        application = _through_review(project, people, rng, staff, approved_on=approved_on)
        if application is None:
            continue
        if index == 3:  # two instalments
            first = (application.approved_amount * Decimal("0.6")).quantize(Decimal("0.01"), ROUND_HALF_UP)
            earlier = next((d for d in sorted(batch_days) if d > paid_days), None)
            _pay(application, finance, first, next_voucher(), batches[earlier] if earlier else batches[paid_days])
            _pay(application, finance, application.unpaid_amount, next_voucher(), batches[paid_days])
        elif index == 5:  # returned by the bank, paid again
            earlier = next((d for d in sorted(batch_days) if d > paid_days), paid_days)
            entry = _pay(application, finance, application.approved_amount, next_voucher(), batches[earlier])
            services.payment_reverse(
                actor=finance,
                payment=entry,
                voucher_no=next_voucher("CZ"),
                reversed_on=min(_day(earlier) + dt.timedelta(days=3), paid_on),
                reason="户名与账号不符，银行退回",
            )
            _pay(application, finance, application.approved_amount, next_voucher(), batches[paid_days])
        else:
            _pay(application, finance, application.approved_amount, next_voucher(), batches[paid_days])

    # In the subsidy stage: a file at every step.
    by_step: dict[str, list[SubsidyApplication]] = {}
    for index, project in enumerate(projects.get(Stage.SUBSIDY, [])):
        step = SUBSIDY_STEPS[index % len(SUBSIDY_STEPS)]
        eligible = timezone.localdate(project.stage_entered_at) - dt.timedelta(days=rng.randint(10, 40))
        if step == Status.NOT_ELIGIBLE:
            _not_eligible(project, people, rng, staff, eligible=eligible)
            continue
        application = _draft(project, eligible=eligible)
        by_step.setdefault(step, []).append(application)
        if step == "late_draft":
            SubsidyApplication.objects.filter(pk=application.pk).update(deadline=_day(4))
            continue
        if step == Status.DRAFT:
            _prepare(application, staff, rng, documents=False)
            continue
        _prepare(application, staff, rng)
        if step == Status.RETURNED:
            _review_to(application, people, staff, Status.SUBDISTRICT, start=eligible)
            services.application_review(
                application=application,
                actor=staff.subdistrict(project),
                decision="return",
                comment="发票金额与审计报告不一致，请补正后重新提交",
            )
            _backdate_status(application, _day(rng.randint(3, 9)))
            continue
        if step in (Status.COMMUNITY, Status.SUBDISTRICT, Status.DISTRICT):
            _review_to(application, people, staff, step, start=eligible)
            continue
        approved_on = min(eligible + dt.timedelta(days=20), _day(12))
        application = _approve(application, people, staff, approved_on=approved_on, start=eligible)
        if application is None:
            continue
        if step == "partly_paid":
            half = (application.approved_amount / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
            _pay(application, finance, half, next_voucher(), batches[batch_days[-1]])
        elif step == "reversed":
            entry = _pay(application, finance, application.approved_amount, next_voucher(), batches[batch_days[-1]])
            services.payment_reverse(
                actor=finance,
                payment=entry,
                voucher_no=next_voucher("CZ"),
                reversed_on=_day(5),
                reason="收款账户已销户，银行退回，待更正账户后重新拨付",
            )
    _withdrawn_and_suspended(by_step, district_user)
    _lead_owner_account(by_step, people)
    services.applications_draft_missing()


def _withdrawn_and_suspended(by_step: dict, actor) -> None:
    """A withdrawn project with money paid on it (shown apart, not due) and a suspended one (still due)."""

    partly_paid = by_step.get("partly_paid", [])
    if len(partly_paid) > 1:
        project_services.project_withdraw(
            project=partly_paid[-1].project, actor=actor, reason="业主协商一致终止加梯，已拨付部分待追回"
        )
    waiting = by_step.get(Status.COMMUNITY, [])
    if len(waiting) > 1:
        project_services.project_suspend(
            project=waiting[-1].project, actor=actor, reason="低层业主提起诉讼，等待法院判决"
        )


def _lead_owner_account(by_step: dict, people: dict) -> None:
    """A resident account for the lead owner of a drafted file: he fills it in and submits it on the portal
    (username "lead_owner", the demo residents' password)."""
    resident = people.get("resident")
    for application in by_step.get(Status.DRAFT, []):
        owner = application.project.lead_owner
        if owner is None or User.objects.filter(owner=owner).exists() or resident is None:
            continue
        people["lead_owner"] = User.objects.create(
            username="lead_owner",
            password=resident.password,
            role=Role.RESIDENT,
            full_name=owner.name,
            owner=owner,
        )
        return


class _Batches(dict):
    """The payment batches, opened on first use (one transfer list a date)."""

    def __init__(self, finance):
        super().__init__()
        self.finance = finance

    def __missing__(self, days: int):
        batch = services.payment_batch_create(
            actor=self.finance, number=f"BF{_day(days):%Y%m%d}", paid_on=_day(days), note="区财政集中拨付"
        )
        self[days] = batch
        return batch


class _Staff:
    """The staff who act on a project's file: its community's window, its subdistrict group."""

    def __init__(self, district):
        self.community_users: dict[int, User] = {}
        self.subdistrict_users: dict[int, User] = {}
        users = User.objects.filter(region__path__startswith=district.path, is_active=True).order_by("username")
        for user in users:
            if user.role == Role.COMMUNITY:
                self.community_users.setdefault(user.region_id, user)
            elif user.role == Role.SUBDISTRICT:
                self.subdistrict_users.setdefault(user.region_id, user)
        self.fallback = User.objects.filter(role=Role.PLATFORM_ADMIN).order_by("pk").first()

    def community(self, project) -> User:
        return self.community_users.get(project.community_id, self.fallback)

    def subdistrict(self, project) -> User:
        return self.subdistrict_users.get(project.community.parent_id, self.fallback)


def _staff(district) -> _Staff:
    return _Staff(district)


def _draft(project, *, eligible: dt.date) -> SubsidyApplication:
    application = services.application_draft(project=project, actor=None)
    days = application.policy.application_deadline_days if application.policy else None
    SubsidyApplication.objects.filter(pk=application.pk).update(
        eligible_on=eligible,
        deadline=eligible + dt.timedelta(days=days) if days else None,
        status_since=_at(eligible),
        created_at=_at(eligible),
    )
    # Backdating demo history on purpose: the base manager, the one way past the append-only guard.
    ProjectEvent._base_manager.filter(project=project, data__subsidy_application=application.pk).update(
        at=_at(eligible)
    )
    application.refresh_from_db()
    return application


def _prepare(application, staff, rng, *, documents: bool = True) -> None:
    project = application.project
    window = staff.community(project)
    owner = project.lead_owner
    by_body = project.pk % 4 == 0 and project.contractor_id
    fields = {
        "applicant_kind": ApplicantKind.IMPLEMENTING_BODY if by_body else ApplicantKind.LEAD_OWNER,
        "applicant_owner": owner,
        "applicant_name": project.contractor.name if by_body else "",
        "payee_name": project.contractor.name
        if by_body
        else f"{project.estate.name}{project.stairwell.building.number}{project.stairwell.number}加梯业主共同账户",
        "payee_bank_name": rng.choice(list(BANKS)),
        "payee_bank_account": f"6222{project.pk:08d}{rng.randint(1000000, 9999999)}",
    }
    if application.policy and application.policy.cost_share_percent:
        cost = application.estimated_cost or Decimal("500000")
        fields["audited_cost"] = (cost * Decimal(rng.randint(93, 101)) / 100).quantize(Decimal("0.01"))
        extra = application.policy.extras.first()
        if extra is not None and project.pk % 3 == 0:
            fields["extras"] = {extra.pk: Decimal(rng.randint(8, 28) * 1000)}
    services.application_update(application=application, actor=window, **fields)
    if not documents:
        return
    application.refresh_from_db()

    for status in rules.documents_status(application):
        if not status["present"]:
            services.application_document_add(
                application=application,
                actor=window,
                kind=status["kind"],
                upload=ContentFile(DEMO_PDF, name=f"{status['kind']}.pdf"),
            )
    if project.pk % 5 == 0:
        services.application_document_add(
            application=application,
            actor=window,
            kind=SubsidyDocumentKind.OTHER,
            upload=ContentFile(DEMO_PDF, name="业主委托书.pdf"),
        )


def _review_to(application, people, staff, target: str, *, start: dt.date) -> None:
    """Submit and pass the file on until it waits at `target`; then spread the dates after `start`."""
    project = application.project
    window = staff.community(project)
    services.application_submit(application=application, actor=window)
    order = [Status.COMMUNITY, Status.SUBDISTRICT, Status.DISTRICT]
    comments = {
        Status.COMMUNITY: "材料齐全，情况属实，同意上报",
        Status.SUBDISTRICT: "经核查符合资助条件，同意报区财政",
    }
    actors = {Status.COMMUNITY: window, Status.SUBDISTRICT: staff.subdistrict(project)}
    for step in order[: order.index(target)]:
        services.application_review(
            application=application, actor=actors[step], decision="forward", comment=comments[step]
        )
    # Dates: submitted a few days after eligibility, each step a few days later; the current one waits since.
    day = min(start + dt.timedelta(days=4), _day(8))
    SubsidyApplication.objects.filter(pk=application.pk).update(submitted_at=_at(day))
    for review in Review.objects.filter(application=application).order_by("id"):
        day = min(day + dt.timedelta(days=3), _day(2))
        _backdate_review([review.pk], _at(day, 15))
    _backdate_status(application, day)


def _backdate_review(review_ids, at) -> None:
    """Review decisions are append-only for the application (their queryset refuses updates); the demo alone
    spreads its made-up history over past dates, through the plain base manager."""
    Review._base_manager.filter(pk__in=list(review_ids)).update(at=at)


def _backdate_status(application, day: dt.date) -> None:
    SubsidyApplication.objects.filter(pk=application.pk).update(status_since=_at(day, 16))


def _approve(application, people, staff, *, approved_on: dt.date, start: dt.date):
    _review_to(application, people, staff, Status.DISTRICT, start=start)
    try:
        services.application_approve(
            application=application, actor=people["finance"], comment="经审核，同意按核定金额拨付"
        )
    except Exception:
        return None
    application = SubsidyApplication.objects.get(pk=application.pk)
    SubsidyApplication.objects.filter(pk=application.pk).update(
        approved_at=_at(approved_on, 11), status_since=_at(approved_on, 11)
    )
    _backdate_review(
        Review.objects.filter(application=application, decision="approve").values_list("pk", flat=True),
        _at(approved_on, 11),
    )
    return SubsidyApplication.objects.get(pk=application.pk)


def _through_review(project, people, rng, staff, *, approved_on: dt.date):
    eligible = approved_on - dt.timedelta(days=rng.randint(18, 30))
    application = _draft(project, eligible=eligible)
    _prepare(application, staff, rng)
    application.refresh_from_db()
    approved = _approve(application, people, staff, approved_on=approved_on, start=eligible)
    if approved is not None:
        # The review dates of a file approved long ago: spread between eligibility and approval.
        reviews = list(Review.objects.filter(application=approved).exclude(decision="approve").order_by("id"))
        SubsidyApplication.objects.filter(pk=approved.pk).update(submitted_at=_at(eligible + dt.timedelta(days=3)))
        for n, review in enumerate(reviews, start=1):
            _backdate_review([review.pk], _at(eligible + dt.timedelta(days=3 + 4 * n), 15))
    return approved


def _pay(application, finance, amount: Decimal, voucher_no: str, batch) -> LedgerEntry:
    entry, _created = services.payment_record(
        actor=finance, application=application, amount=amount, voucher_no=voucher_no, batch=batch
    )
    application.refresh_from_db()
    if application.status == Status.PAID:
        SubsidyApplication.objects.filter(pk=application.pk).update(status_since=_at(batch.paid_on, 17))
    return entry


def _not_eligible(project, people, rng, staff, *, eligible: dt.date) -> None:
    application = _draft(project, eligible=eligible)
    services.application_mark_not_eligible(
        application=application,
        actor=people["district"],
        reason=rng.choice(["该楼栋已纳入老旧小区改造资金，不重复资助", "业主自愿放弃申请资助（附书面声明）"]),
    )
    _backdate_status(application, min(eligible + dt.timedelta(days=6), _day(3)))
