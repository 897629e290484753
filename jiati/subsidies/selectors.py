"""Reads on subsidies: what blocks a submission, who holds a file, and the "due" tracker (应发尽发)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.models import Role, User
from jiati.accounts.scoping import ShapedQuery, sees_everything
from jiati.core.text import list_text
from jiati.organisation.models import Region
from jiati.projects.models import Project, Stage
from jiati.projects.models import Status as ProjectStatus
from jiati.subsidies import permissions, rules
from jiati.subsidies.models import (
    DEADLINE_STATUSES,
    IN_REVIEW,
    NOT_APPLIED,
    PENDING,
    ZERO,
    ApplicantKind,
    LedgerEntry,
    Status,
    SubsidyApplication,
    _ancestor_paths,
)

# --- which files count as due ------------------------------------------------------------------
# One rule everywhere (tracker, headline, reminders, "waiting for me", the deadline list): a withdrawn project's
# file is not due — it is left out of every bucket and sum of what is due, and shown apart only if money was
# approved or paid on it; a suspended project's file is still due (counted, and its holders reminded).


def project_application(*, user, project) -> SubsidyApplication | None:
    """The project's subsidy file if `user` may see it (`visible_to`), with its policy and the policy's region; the
    statement compiled once per scope shape (`accounts.scoping.ShapedQuery`): the project page reads it on every
    view, and compiling it cost more than running it (issue 18)."""
    found = _PROJECT_APPLICATION.fetch(user, project.pk)
    return found[0] if found else None


_PROJECT_APPLICATION = ShapedQuery(
    SubsidyApplication,
    lambda applications, project_pk: (
        applications.filter(project_id=project_pk)
        .select_related("policy__region")
        .order_by(*SubsidyApplication._meta.ordering)[:1]
    ),
    kinds=(int,),
    server_prepared=True,
)

WITHDRAWN = ProjectStatus.WITHDRAWN
DUE_Q = ~Q(project__status=WITHDRAWN)
WITHDRAWN_WITH_MONEY_Q = Q(project__status=WITHDRAWN, status__in=(Status.APPROVED, Status.PAID))
# The deadline is for the first submission only.
LATE_Q = Q(status__in=DEADLINE_STATUSES, submitted_at__isnull=True, deadline__isnull=False)


def late_q(today: dt.date | None = None) -> Q:
    """Files past their application deadline (drafts never submitted; a returned file is never late)."""
    return LATE_Q & Q(deadline__lt=today or timezone.localdate()) & DUE_Q


# --- which policy a file not yet submitted should have ------------------------------------------
# A draft (never submitted), or a returned file that has no policy, follows the policy its dates choose now.
REEVALUABLE_Q = Q(status=Status.DRAFT, submitted_at__isnull=True) | Q(status=Status.RETURNED, policy__isnull=True)


def reevaluable(application: SubsidyApplication) -> bool:
    return (application.status == Status.DRAFT and application.submitted_at is None) or (
        application.status == Status.RETURNED and application.policy_id is None
    )


def policy_change(application: SubsidyApplication) -> rules.PolicyChoice | None:
    """The policy the file's dates choose now, when a file that may still change policy has another one (or
    none): e.g. a policy defined after the file was drafted. None when nothing would change. A file never
    loses its policy this way (a policy that no longer covers the dates is not replaced by nothing)."""
    if not reevaluable(application):
        return None
    choice = rules.choose_policy(application.project)
    if choice.policy is None or choice.policy.pk == application.policy_id:
        return None
    return choice


# --- what stops a submission ------------------------------------------------------------


def submission_problems(
    application: SubsidyApplication, *, today: dt.date | None = None, actor=None
) -> list[tuple[str, str]]:
    """Everything that must be put right before the file can be submitted, as (code, message).

    With the project's lead owner as `actor` (on the portal): he is the applicant, so the file needs no other
    applicant named; a file the implementing body applies for is submitted at the window, not by him.
    """

    today = today or timezone.localdate()
    by_lead_owner = actor is not None and permissions.is_lead_owner(actor, application)
    problems: list[tuple[str, str]] = []
    if application.policy is None:
        problems.append(
            (
                "no_policy",
                _(
                    "No subsidy policy applies to this project: ask the district office to define one, "
                    "or record the project as not eligible."
                ),
            )
        )
        return problems
    calculation = rules.calculate_application(application)
    problems.extend(("condition", rules.unmet_text(item)) for item in calculation.unmet)
    if application.deadline_applies and today > application.deadline:
        problems.append(
            ("deadline_passed", _("The application deadline passed on %(date)s.") % {"date": application.deadline})
        )
    if by_lead_owner and application.applicant_kind == ApplicantKind.IMPLEMENTING_BODY:
        problems.append(
            (
                "applicant_is_body",
                _("The implementing body applies for this file; it is submitted at the service window."),
            )
        )
    elif application.applicant_kind == ApplicantKind.LEAD_OWNER and not (
        application.applicant_owner_id or by_lead_owner
    ):
        problems.append(("applicant", _("Name the lead owner who applies.")))
    if application.applicant_kind == ApplicantKind.IMPLEMENTING_BODY and not application.applicant_name.strip():
        problems.append(("applicant", _("Name the implementing body that applies.")))
    if not (application.payee_name and application.payee_bank_name and application.payee_bank_account):
        problems.append(("payee", _("Enter the payee, the bank and the account number.")))
    if application.policy.cost_share_percent and application.audited_cost is None:
        problems.append(("audited_cost", _("Enter the audited cost: this policy pays a share of it.")))
    missing = rules.missing_documents(application)
    if missing:
        problems.append(("documents", _("Still needed: %(documents)s.") % {"documents": list_text(missing)}))
    if not calculation.unmet and calculation.total <= 0:
        problems.append(("no_amount", _("The policy pays nothing for this project.")))
    return problems


# --- who holds a file -------------------------------------------------------------------

HOLDER_ROLE = {
    Status.DRAFT: Role.COMMUNITY,
    Status.RETURNED: Role.COMMUNITY,
    Status.COMMUNITY: Role.COMMUNITY,
    Status.SUBDISTRICT: Role.SUBDISTRICT,
    Status.DISTRICT: Role.DISTRICT_FINANCE,
    Status.APPROVED: Role.DISTRICT_FINANCE,
}


def holders_for(status: str, community) -> list[User]:
    """The staff who hold a file in this status: the community's window, the subdistrict, district finance."""
    role = HOLDER_ROLE.get(status)
    if role is None:
        return []
    return list(
        User.objects.filter(is_active=True, role=role, region__path__in=_ancestor_paths(community.path)).order_by("pk")
    )


def holder_label(application: SubsidyApplication) -> str:
    """Who holds the file now, from what is already loaded (no query)."""
    community = application.project.community
    if application.status in (Status.DRAFT, Status.RETURNED, Status.COMMUNITY):
        return community.name
    if application.status == Status.SUBDISTRICT:
        return community.parent.name if community.parent_id else ""
    if application.status in (Status.DISTRICT, Status.APPROVED):
        return str(Role.DISTRICT_FINANCE.label)
    return ""


def days_waiting(application: SubsidyApplication, today: dt.date | None = None) -> int:
    """Days in the current step: a draft since the project became eligible, a returned file since its return,
    a file in review or approved since it got there."""
    today = today or timezone.localdate()
    since = (
        application.eligible_on if application.status == Status.DRAFT else timezone.localdate(application.status_since)
    )
    return max((today - since).days, 0)


# --- the tracker (应发尽发) -----------------------------------------------------------------

BUCKETS = [
    ("not_applied", gettext_lazy("Eligible, not applied"), (Status.DRAFT,)),
    ("returned", gettext_lazy("Returned for correction"), (Status.RETURNED,)),
    ("community", gettext_lazy("Waiting: community"), (Status.COMMUNITY,)),
    ("subdistrict", gettext_lazy("Waiting: subdistrict"), (Status.SUBDISTRICT,)),
    ("district", gettext_lazy("Waiting: district finance"), (Status.DISTRICT,)),
    ("approved_unpaid", gettext_lazy("Approved, not fully paid"), (Status.APPROVED,)),
    ("paid", gettext_lazy("Paid"), (Status.PAID,)),
    ("not_eligible", gettext_lazy("Not eligible"), (Status.NOT_ELIGIBLE,)),
]
BUCKET_STATUSES = {key: statuses for key, _label, statuses in BUCKETS}
STATUS_BUCKET = {status: key for key, _label, statuses in BUCKETS for status in statuses}
# Withdrawn projects' files with money approved or paid: not a step, shown apart (not due).
WITHDRAWN_BUCKET = ("withdrawn", gettext_lazy("Withdrawn projects with money approved or paid"))


def in_bucket(queryset, key: str):
    """The files of one tracker bucket, as the tracker counts them."""
    if key == WITHDRAWN_BUCKET[0]:
        return queryset.filter(WITHDRAWN_WITH_MONEY_Q)
    return queryset.filter(DUE_Q, status__in=BUCKET_STATUSES.get(key, ()))


def orphan_projects(*, user):
    """Projects in the subsidy stage with no application yet (drafted by the daily run or a button)."""

    return (
        Project.objects.visible_to(user)
        .filter(stage=Stage.SUBSIDY, subsidy_application__isnull=True)
        .exclude(status=WITHDRAWN)
    )


def tracker_level(user) -> str:
    """Rows per subdistrict for a district and below; per district for a city, a province or the platform."""

    if sees_everything(user) or (user.region_id and user.region.level in ("province", "city")):
        return "district"
    return "subdistrict"


def tracker(*, user) -> dict:
    """Counts and sums per bucket and per subdistrict (per district above district level), in two grouped
    queries plus one for the names.

    Money: `due` is the amount worked out for files not yet approved, `unpaid` what approved files still
    wait for, `paid` what the ledger paid on them. Every figure is exact to the fen. Withdrawn projects' files
    are not due: they are in no bucket; those with money approved or paid are counted apart (`withdrawn`,
    with `withdrawn_paid` and `withdrawn_unpaid`), so `paid + withdrawn_paid` is the ledger's total.
    """

    level = tracker_level(user)
    group = "community__parent_id" if level == "subdistrict" else "community__parent__parent_id"
    rows = (
        SubsidyApplication.objects.visible_to(user)
        .annotate(withdrawn=ExpressionWrapper(~DUE_Q, output_field=BooleanField()))
        .values("status", "withdrawn", subdistrict=F(f"project__{group}"))
        .annotate(
            n=Count("id"),
            due=Coalesce(Sum("amount_due"), ZERO),
            approved=Coalesce(Sum("approved_amount"), ZERO),
            paid=Coalesce(Sum("paid_amount"), ZERO),
            oldest_since=Min("status_since"),
            oldest_eligible=Min("eligible_on"),
        )
        .order_by()
    )
    orphans = orphan_projects(user=user).values(subdistrict=F(group)).annotate(n=Count("id")).order_by()
    empty = {key: 0 for key, _label, _statuses in BUCKETS}
    money = ("due", "unpaid", "paid", "withdrawn_paid", "withdrawn_unpaid")

    def blank() -> dict:
        return {"counts": dict(empty), **dict.fromkeys(money, ZERO), "no_application": 0, "withdrawn": 0}

    by_subdistrict: dict[int | None, dict] = defaultdict(blank)
    today = timezone.localdate()
    longest = dict.fromkeys(empty, 0)
    for row in rows:
        entry = by_subdistrict[row["subdistrict"]]
        if row["withdrawn"]:
            if row["status"] in (Status.APPROVED, Status.PAID):
                entry["withdrawn"] += row["n"]
                entry["withdrawn_paid"] += row["paid"]
                entry["withdrawn_unpaid"] += row["approved"] - row["paid"]
            continue
        bucket = STATUS_BUCKET[row["status"]]
        since = row["oldest_eligible"] if row["status"] == Status.DRAFT else timezone.localdate(row["oldest_since"])
        if row["status"] not in (Status.PAID, Status.NOT_ELIGIBLE):
            longest[bucket] = max(longest[bucket], (today - since).days)
        entry["counts"][bucket] += row["n"]
        entry["paid"] += row["paid"]
        if row["status"] in PENDING:
            entry["due"] += row["due"]
        if row["status"] == Status.APPROVED:
            entry["unpaid"] += row["approved"] - row["paid"]
    for row in orphans:
        entry = by_subdistrict[row["subdistrict"]]
        entry["counts"]["not_applied"] += row["n"]
        entry["no_application"] += row["n"]
    regions = {
        pk: (path, name)
        for pk, path, name in Region.objects.filter(pk__in=[k for k in by_subdistrict if k]).values_list(
            "pk", "path", "name"
        )
    }
    subdistricts = [
        {"id": pk, "name": regions.get(pk, ("", "—"))[1], **values}
        for pk, values in sorted(by_subdistrict.items(), key=lambda item: regions.get(item[0], ("", ""))[0])
    ]
    totals = blank()
    for entry in subdistricts:
        for key in empty:
            totals["counts"][key] += entry["counts"][key]
        for key in (*money, "no_application", "withdrawn"):
            totals[key] += entry[key]
    return {
        "level": level,
        "buckets": [{"key": key, "label": label} for key, label, _statuses in BUCKETS],
        "withdrawn_bucket": {"key": WITHDRAWN_BUCKET[0], "label": WITHDRAWN_BUCKET[1]},
        "subdistricts": subdistricts,
        "totals": totals,
        # The longest any file of each bucket has waited there, in days: a draft since the project became
        # eligible, a returned file since its return, the others since they reached their step.
        "longest": longest,
    }


def headline(*, user) -> dict:
    """The three figures: elevators completed, subsidy paid (from the ledger), subsidy due but unpaid.

    `reconciled` says whether the files' paid counters add up to the ledger, to the fen. Withdrawn projects
    are not completed and their files are not due; what was paid on them stays in `paid` (the ledger) and is
    also given apart (`withdrawn_paid`), with what was approved on them and not paid (`withdrawn_unpaid`).
    """

    completed = (
        Project.objects.visible_to(user)
        .filter(stage__in=[Stage.REGISTRATION, Stage.SUBSIDY, Stage.IN_SERVICE])
        .exclude(status=WITHDRAWN)
        .count()
    )
    ledger_paid = LedgerEntry.objects.visible_to(user).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    approved = Q(status=Status.APPROVED)
    sums = SubsidyApplication.objects.visible_to(user).aggregate(
        counter_paid=Coalesce(Sum("paid_amount"), ZERO),
        approved_unpaid=Coalesce(Sum(F("approved_amount") - F("paid_amount"), filter=approved & DUE_Q), ZERO),
        pending_due=Coalesce(Sum("amount_due", filter=Q(status__in=PENDING) & DUE_Q), ZERO),
        pending=Count("id", filter=Q(status__in=PENDING) & DUE_Q),
        withdrawn_paid=Coalesce(Sum("paid_amount", filter=~DUE_Q), ZERO),
        withdrawn_unpaid=Coalesce(Sum(F("approved_amount") - F("paid_amount"), filter=approved & ~DUE_Q), ZERO),
        withdrawn_files=Count("id", filter=WITHDRAWN_WITH_MONEY_Q),
    )
    return {
        "completed": completed,
        "paid": ledger_paid,
        "approved_unpaid": sums["approved_unpaid"],
        "pending_due": sums["pending_due"],
        "due_unpaid": sums["approved_unpaid"] + sums["pending_due"],
        "pending": sums["pending"],
        "reconciled": sums["counter_paid"] == ledger_paid,
        "counter_paid": sums["counter_paid"],
        "withdrawn_paid": sums["withdrawn_paid"],
        "withdrawn_unpaid": sums["withdrawn_unpaid"],
        "withdrawn_files": sums["withdrawn_files"],
    }


def waiting_for(*, user):
    """The files waiting for this user's action: their review step, or (window staff) drafts and returns."""

    statuses = [
        step for step in (Status.COMMUNITY, Status.SUBDISTRICT, Status.DISTRICT) if permissions.can_review(user, step)
    ]
    if user.role in (Role.COMMUNITY,):
        statuses += list(NOT_APPLIED)
    if permissions.can_pay(user):
        statuses.append(Status.APPROVED)
    return SubsidyApplication.objects.visible_to(user).filter(DUE_Q, status__in=statuses)


# --- the exit guard of the subsidy stage -------------------------------------------------


def guard_subsidy_settled(project) -> list[str]:
    """A project leaves the subsidy stage when its approved subsidy is paid in full, or it is recorded as not
    eligible with a reason. Otherwise: what is still open, in plain words."""
    application = (
        SubsidyApplication.objects.filter(project=project).select_related("project__community__parent").first()
    )
    if application is None:
        return [_("No subsidy application has been drafted yet.")]
    status = application.status
    if status in (Status.PAID, Status.NOT_ELIGIBLE):
        return []
    if status == Status.DRAFT:
        reason = _("The subsidy application has not been submitted yet.")
    elif status == Status.RETURNED:
        reason = _("The subsidy application was returned for correction and has not been submitted again.")
    elif status in IN_REVIEW:
        reason = _("The subsidy application is waiting for review by %(holder)s.") % {
            "holder": holder_label(application)
        }
    else:
        reason = _("The approved subsidy of %(approved)s has been paid %(paid)s; %(unpaid)s is still to pay.") % {
            "approved": rules.yuan(application.approved_amount),
            "paid": rules.yuan(application.paid_amount),
            "unpaid": rules.yuan(application.unpaid_amount),
        }
    return [reason, _("(Or record the project as not eligible for a subsidy, with the reason.)")]
