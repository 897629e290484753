"""Reads for supervision: today's sites, the supervisor's lists, and the figures of the weekly review and
the monthly dispatch. Every read starts from the models' `visible_to(user)`, so a subdistrict never sees
another subdistrict's sites, rectifications or numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from jiati.core.hooks import collect
from jiati.projects.models import (
    CONSTRUCTION_STAGES,
    Blocker,
    BlockerStatus,
    EventKind,
    Project,
    ProjectEvent,
    Stage,
    Status,
)
from jiati.supervision.models import CheckKind, Rectification, SiteCheck

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value) -> str:
    """Yuan to the fen, as saved in a report."""
    return str(Decimal(value or 0).quantize(CENT))


# How many routine checks a site needs a day: every site daily (每天一察看); a site whose construction company
# is flagged, black-listed or without a valid licence twice a day. Settings may change both.
CHECKS_PER_DAY = getattr(settings, "JIATI_SITE_CHECKS_PER_DAY", 1)
FLAGGED_CHECKS_PER_DAY = getattr(settings, "JIATI_FLAGGED_SITE_CHECKS_PER_DAY", 2)
# Days the company gets to fix a finding unless the inspector gives another date.
RECTIFY_DAYS = getattr(settings, "JIATI_RECTIFY_DAYS", 3)
STALLED_DAYS = 14
PETITION_HORIZON_DAYS = 7


def construction_sites(*, user):
    """Live projects under construction in the user's area."""
    return Project.objects.visible_to(user).filter(stage__in=CONSTRUCTION_STAGES, status=Status.ACTIVE)


def company_flags(company_ids) -> dict[int, list[dict]]:
    """The flags other apps (companies) raise on these companies; nothing flagged when no app provides them."""
    ids = sorted({c for c in company_ids if c})
    if not ids:
        return {}
    flags: dict[int, list[dict]] = {}
    for flag in collect("flags", "company_flags", company_ids=ids):
        flags.setdefault(flag["company_id"], []).append(flag)
    return flags


def sites_today(*, user, today: dt.date | None = None, mine: bool = False) -> list[dict]:
    """Today's sites with how many checks each needs and has had today, those still due first.

    `mine`: only the sites the user answers for (the project's responsible person).
    """
    today = today or timezone.localdate()
    sites = construction_sites(user=user)
    if mine:
        sites = sites.filter(responsible=user)
    sites = (
        sites.select_related("estate", "stairwell__building", "community", "contractor", "responsible")
        .annotate(
            checks_today=Count(
                "site_checks",
                filter=Q(site_checks__checked_on=today, site_checks__kind=CheckKind.ROUTINE),
                distinct=True,  # the join with rectifications below would multiply the rows
            ),
            last_checked=Max("site_checks__checked_at", filter=Q(site_checks__kind=CheckKind.ROUTINE)),
            open_rectifications=Count(
                "rectifications", filter=Q(rectifications__status__in=("open", "answered")), distinct=True
            ),
        )
        .order_by("community__path", "estate__name", "id")
    )
    sites = list(sites[:2000])
    flags = company_flags(p.contractor_id for p in sites)
    rows = []
    for project in sites:
        project_flags = flags.get(project.contractor_id, [])
        needed = FLAGGED_CHECKS_PER_DAY if project_flags else CHECKS_PER_DAY
        rows.append(
            {
                "project": project,
                "flags": project_flags,
                "needed": needed,
                "done": project.checks_today,
                "due": project.checks_today < needed,
            }
        )
    rows.sort(key=lambda r: (not r["due"], not r["flags"]))
    return rows


def sites_not_checked(*, user, today: dt.date | None = None) -> list[dict]:
    """For the supervisor: sites of the area that have not had today's checks yet."""
    return [row for row in sites_today(user=user, today=today) if row["due"]]


def rectifications_overdue(*, user, today: dt.date | None = None):
    return (
        Rectification.objects.visible_to(user)
        .overdue(today)
        .select_related("project__estate", "project__community", "company")
        .order_by("due_date", "id")
    )


# The rectification list's states; the dashboard's charts link to the same ones.
RECTIFICATION_STATES = ("open", "on_time", "overdue", "closed", "all")


def rectification_state_q(state: str, *, today: dt.date) -> Q:
    """Open (on time or overdue), open and not yet due, open past due, closed, or all."""
    from jiati.supervision.models import OPEN_RECTIFICATION, RectificationStatus

    return {
        "open": Q(status__in=OPEN_RECTIFICATION),
        "on_time": Q(status__in=OPEN_RECTIFICATION, due_date__gte=today),
        "overdue": Q(status__in=OPEN_RECTIFICATION, due_date__lt=today),
        "closed": Q(status=RectificationStatus.CLOSED),
    }.get(state, Q())


def rectifications_listed(
    *, user, state: str = "open", region=None, month: dt.date | None = None, since: dt.date | None = None
):
    """The rectification list: the user's own, in one state, under one region of the user's area, found in one
    month or since the start of one (the dashboard's figures drill down to exactly these rows)."""
    rows = Rectification.objects.visible_to(user).filter(rectification_state_q(state, today=timezone.localdate()))
    if region is not None:
        rows = rows.filter(project__community__path__startswith=region.path)
    if month is not None:
        start, end = month_bounds(month)
        rows = rows.filter(opened_at__gte=start, opened_at__lt=end)
    if since is not None:
        rows = rows.filter(opened_at__gte=month_bounds(since)[0])
    return rows.select_related("project__estate", "company").order_by("due_date", "id")


def checks_of(*, user, project):
    return (
        SiteCheck.objects.visible_to(user).filter(project=project).select_related("inspector").order_by("-checked_at")
    )


# --- the weekly review (每周一研判) ------------------------------------------------------


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _site(project) -> str:
    return f"{project.estate.name} {project.stairwell.building.number}{project.stairwell.number}"


def weekly_review_content(*, user, region, today: dt.date, stalled_days: int = STALLED_DAYS) -> dict:
    """Everything the subdistrict group goes through on Monday, as plain data to be saved as it was.

    Labels are stored as codes (stages, statuses) and rendered in the reader's language.
    """
    from jiati.consultation.models import Petition
    from jiati.subsidies.models import Status as SubsidyStatus
    from jiati.subsidies.models import SubsidyApplication
    from jiati.subsidies.selectors import DUE_Q, late_q

    projects = Project.objects.visible_to(user).filter(community__path__startswith=region.path)
    live = projects.filter(status=Status.ACTIVE).exclude(stage=Stage.IN_SERVICE)
    related = ("estate", "stairwell__building", "community", "responsible")

    def project_row(p, **extra) -> dict:
        return {
            "project_id": p.pk,
            "code": p.code,
            "site": _site(p),
            "community": p.community.name,
            "stage": p.stage,
            "responsible": _name(p.responsible),
            **extra,
        }

    overdue = [
        project_row(p, due=p.stage_due.isoformat(), days=(today - p.stage_due).days)
        for p in live.filter(stage_due__lt=today).select_related(*related).order_by("stage_due", "id")
    ]
    at_risk = [
        project_row(p, due=p.stage_due.isoformat(), days=(p.stage_due - today).days)
        for p in live.filter(stage_due__gte=today, stage_at_risk_from__lte=today)
        .select_related(*related)
        .order_by("stage_due", "id")
    ]
    blockers = [
        {
            "project_id": b.project_id,
            "code": b.project.code,
            "site": _site(b.project),
            "description": b.description,
            "party": b.party,
            "assignee": _name(b.assignee),
            "due": b.due_date.isoformat(),
            "age": (today - timezone.localdate(b.created_at)).days,
        }
        for b in Blocker.objects.filter(status=BlockerStatus.OPEN, project__in=projects.values("pk"))
        .select_related("project__estate", "project__stairwell__building", "assignee")
        .order_by("created_at", "id")
    ]
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=stalled_days), dt.time.min))
    recent_progress = ProjectEvent.objects.filter(
        project=OuterRef("pk"), kind__in=(EventKind.STAGE, EventKind.PROGRESS), at__gte=since
    )
    stalled = [
        project_row(
            p,
            since=timezone.localdate(p.stage_entered_at).isoformat(),
            days=(today - timezone.localdate(p.stage_entered_at)).days,
        )
        for p in live.filter(stage_entered_at__lt=since)
        .exclude(Exists(recent_progress))
        .select_related(*related)
        .order_by("stage_entered_at", "id")
    ]
    petitions = [
        {
            "petition_id": p.pk,
            "reference": p.reference,
            "subject": p.subject,
            "status": p.status,
            "handler": _name(p.handler),
            "due": p.due_date.isoformat(),
            "days_left": (p.due_date - today).days,
        }
        for p in Petition.objects.visible_to(user)
        .open()
        .filter(community__path__startswith=region.path, due_date__lte=today + dt.timedelta(days=PETITION_HORIZON_DAYS))
        .select_related("handler")
        .order_by("due_date", "id")
    ]
    files = SubsidyApplication.objects.visible_to(user).filter(DUE_Q, project__community__path__startswith=region.path)
    unpaid_q = Q(status=SubsidyStatus.APPROVED) | late_q(today)
    subsidies = [
        {
            "project_id": a.project_id,
            "code": a.project.code,
            "site": _site(a.project),
            "status": a.status,
            "due": money(a.approved_amount if a.approved_amount is not None else a.amount_due),
            "paid": money(a.paid_amount),
            "unpaid": money((a.approved_amount if a.approved_amount is not None else a.amount_due) - a.paid_amount),
        }
        for a in files.filter(unpaid_q)
        .select_related("project__estate", "project__stairwell__building")
        .order_by("project__code")
    ]
    rectifications = [
        {
            "rectification_id": r.pk,
            "project_id": r.project_id,
            "code": r.project.code,
            "site": _site(r.project),
            "point": r.code,
            "description": r.description,
            "company": r.company.name if r.company else "",
            "due": r.due_date.isoformat(),
            "days": (today - r.due_date).days,
        }
        for r in Rectification.objects.visible_to(user)
        .overdue(today)
        .filter(project__community__path__startswith=region.path)
        .select_related("project__estate", "project__stairwell__building", "company")
        .order_by("due_date", "id")
    ]
    return {
        "as_of": today.isoformat(),
        "stalled_days": stalled_days,
        "sections": {
            "overdue_milestones": overdue,
            "at_risk_milestones": at_risk,
            "open_blockers": blockers,
            "stalled_projects": stalled,
            "petitions_near_deadline": petitions,
            "subsidies_unpaid": subsidies,
            "rectifications_overdue": rectifications,
        },
    }


# --- the monthly dispatch (每月一调度) ----------------------------------------------------

# The ranking of subdistricts, as printed on the report.
SCORE_WEIGHTS = {
    "started_month": 2,
    "completed_month": 3,
    "votes_passed_month": 1,
    "overdue_projects": -1,
    "overdue_rectifications": -1,
    "overdue_petitions": -2,
}
COMPLETED_STAGES = (Stage.REGISTRATION, Stage.SUBSIDY, Stage.IN_SERVICE)
STARTED_STAGES = tuple(s for s in Stage if list(Stage).index(s) >= list(Stage).index(Stage.FOUNDATION))
TREND_MONTHS = 6
# What the pool's hook gives per subdistrict: the year's targets and the coverage counts.
TARGET_KEYS = (
    "target_started",
    "target_in_service",
    "willing_feasible",
    "willing_feasible_done",
    "feasible",
    "feasible_done",
)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end, dt.time.min), tz),
    )


def months_back(month: dt.date, n: int) -> list[dt.date]:
    months = [month.replace(day=1)]
    while len(months) < n:
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    return months


def _by_subdistrict(queryset, community: str, parents: dict[int, int], subdistricts, **aggregates) -> dict[int, dict]:
    """One grouped query per figure: the aggregates per community, added up per subdistrict."""
    out: dict[int, dict] = {s.pk: dict.fromkeys(aggregates, 0) for s in subdistricts}
    rows = queryset.values(_community=F(community)).annotate(**aggregates).order_by()
    for row in rows:
        pk = parents.get(row.pop("_community"))
        if pk is None:
            continue
        for key, value in row.items():
            out[pk][key] += value or 0
    return out


def monthly_dispatch_content(*, user, region, month: dt.date, today: dt.date | None = None) -> dict:
    """The district's figures for a month, per subdistrict, with the ranking and the trend; plain data to be
    saved as it was. Counts "in the month" come from the projects' stage events and the payment ledger;
    standing counts (in service, overdue, due) are as of the day it is generated."""
    from jiati.consent.models import Vote
    from jiati.consultation.models import Petition
    from jiati.organisation.models import Region
    from jiati.subsidies.models import PENDING, LedgerEntry, SubsidyApplication
    from jiati.subsidies.models import Status as SubsidyStatus
    from jiati.subsidies.selectors import DUE_Q

    today = today or timezone.localdate()
    subdistricts = list(Region.objects.visible_to(user).filter(parent=region, level="subdistrict").order_by("path"))
    parents = dict(Region.objects.filter(level="community", parent__in=subdistricts).values_list("pk", "parent_id"))
    start, end = month_bounds(month)
    projects = Project.objects.visible_to(user).filter(community__path__startswith=region.path)
    events = ProjectEvent.objects.filter(project__in=projects.values("pk"), kind=EventKind.STAGE)

    def stage_events(stage, lo, hi):
        return events.filter(to_stage=stage, at__gte=lo, at__lt=hi)

    month_counts = {}
    for key, stage in (
        ("started_month", Stage.FOUNDATION),
        ("completed_month", Stage.REGISTRATION),
        ("in_service_month", Stage.IN_SERVICE),
    ):
        month_counts[key] = _by_subdistrict(
            stage_events(stage, start, end),
            "project__community_id",
            parents,
            subdistricts,
            n=Count("project", distinct=True),
        )
    votes = _by_subdistrict(
        Vote.objects.filter(project__in=projects.values("pk"), passed=True, closed_at__gte=start, closed_at__lt=end),
        "project__community_id",
        parents,
        subdistricts,
        n=Count("project", distinct=True),
    )
    ledger = LedgerEntry.objects.filter(application__project__in=projects.values("pk"))
    paid_month = _by_subdistrict(
        ledger.filter(paid_on__gte=start.date(), paid_on__lt=end.date()),
        "application__project__community_id",
        parents,
        subdistricts,
        total=Sum("amount"),
    )
    paid_total = _by_subdistrict(
        ledger, "application__project__community_id", parents, subdistricts, total=Sum("amount")
    )
    files = SubsidyApplication.objects.filter(DUE_Q, project__in=projects.values("pk"))
    due = _by_subdistrict(
        files,
        "project__community_id",
        parents,
        subdistricts,
        approved_unpaid=Coalesce(
            Sum(F("approved_amount") - F("paid_amount"), filter=Q(status=SubsidyStatus.APPROVED)), ZERO
        ),
        pending_due=Coalesce(Sum("amount_due", filter=Q(status__in=PENDING)), ZERO),
    )
    live = Q(status=Status.ACTIVE) & ~Q(stage=Stage.IN_SERVICE)
    standing = _by_subdistrict(
        projects,
        "community_id",
        parents,
        subdistricts,
        started_total=Count("id", filter=Q(stage__in=STARTED_STAGES) & ~Q(status=Status.WITHDRAWN)),
        completed_total=Count("id", filter=Q(stage__in=COMPLETED_STAGES) & ~Q(status=Status.WITHDRAWN)),
        in_service_total=Count("id", filter=Q(stage=Stage.IN_SERVICE) & ~Q(status=Status.WITHDRAWN)),
        under_construction=Count("id", filter=Q(stage__in=CONSTRUCTION_STAGES, status=Status.ACTIVE)),
        overdue_projects=Count("id", filter=live & Q(stage_due__lt=today)),
    )
    overdue_rect = _by_subdistrict(
        Rectification.objects.filter(project__in=projects.values("pk")).overdue(today),
        "project__community_id",
        parents,
        subdistricts,
        n=Count("id"),
    )
    overdue_pet = _by_subdistrict(
        Petition.objects.visible_to(user).filter(community__path__startswith=region.path).overdue(today),
        "community_id",
        parents,
        subdistricts,
        n=Count("id"),
    )
    # Against the year's targets (the pool's, same definitions: projects not withdrawn that entered the foundation
    # or service stage this year, up to the end of the month) and the coverage as of today (through a hook).
    year_lo, _ = month_bounds(month.replace(month=1, day=1))
    year_counts = {
        key: _by_subdistrict(
            stage_events(stage, year_lo, end).exclude(project__status=Status.WITHDRAWN),
            "project__community_id",
            parents,
            subdistricts,
            n=Count("project", distinct=True),
        )
        for key, stage in (("started_year", Stage.FOUNDATION), ("in_service_year", Stage.IN_SERVICE))
    }
    targets = {
        t["region_id"]: t
        for t in collect("targets", "region_targets", user=user, regions=subdistricts, year=month.year)
    }
    trend_months = months_back(month, TREND_MONTHS)
    trend_lo, _ = month_bounds(trend_months[0])
    rows = []
    for s in subdistricts:
        row = {
            "region_id": s.pk,
            "name": s.name,
            "started_month": month_counts["started_month"][s.pk]["n"],
            "completed_month": month_counts["completed_month"][s.pk]["n"],
            "in_service_month": month_counts["in_service_month"][s.pk]["n"],
            "votes_passed_month": votes[s.pk]["n"],
            "subsidy_paid_month": money(paid_month[s.pk]["total"]),
            "subsidy_paid_total": money(paid_total[s.pk]["total"]),
            "subsidy_due": money((due[s.pk]["approved_unpaid"] or ZERO) + (due[s.pk]["pending_due"] or ZERO)),
            **standing[s.pk],
            "overdue_rectifications": overdue_rect[s.pk]["n"],
            "overdue_petitions": overdue_pet[s.pk]["n"],
            "started_year": year_counts["started_year"][s.pk]["n"],
            "in_service_year": year_counts["in_service_year"][s.pk]["n"],
            **{key: targets.get(s.pk, {}).get(key) for key in TARGET_KEYS},
        }
        row["score"] = sum(weight * row[key] for key, weight in SCORE_WEIGHTS.items())
        rows.append(row)
    # The trend: started, completed and entered service per month, per subdistrict (one query each).
    index = {m: i for i, m in enumerate(trend_months)}
    for row in rows:
        row["trend"] = [{"month": m.isoformat(), "started": 0, "completed": 0, "in_service": 0} for m in trend_months]
    by_pk = {row["region_id"]: row for row in rows}
    for key, stage in (
        ("started", Stage.FOUNDATION),
        ("completed", Stage.REGISTRATION),
        ("in_service", Stage.IN_SERVICE),
    ):
        counts = (
            stage_events(stage, trend_lo, end)
            .annotate(_month=TruncMonth("at"))
            .values("_month", _community=F("project__community_id"))
            .annotate(n=Count("project", distinct=True))
            .order_by()
        )
        for r in counts:
            sub = parents.get(r["_community"])
            m = r["_month"]
            m = timezone.localdate(m) if isinstance(m, dt.datetime) else m
            if sub in by_pk and m.replace(day=1) in index:
                by_pk[sub]["trend"][index[m.replace(day=1)]][key] += r["n"]
    ranked = sorted(rows, key=lambda r: (-r["score"], -r["completed_month"], r["name"]))
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    totals = {}
    for key in (
        "started_month",
        "completed_month",
        "in_service_month",
        "votes_passed_month",
        "started_total",
        "completed_total",
        "in_service_total",
        "under_construction",
        "overdue_projects",
        "overdue_rectifications",
        "overdue_petitions",
    ):
        totals[key] = sum(r[key] for r in rows)
    for key in ("subsidy_paid_month", "subsidy_paid_total", "subsidy_due"):
        totals[key] = money(sum((Decimal(r[key]) for r in rows), ZERO))
    for key in ("started_year", "in_service_year", *TARGET_KEYS):
        values = [r[key] for r in rows if r[key] is not None]
        totals[key] = sum(values) if values else None
    totals["trend"] = [
        {
            "month": m.isoformat(),
            **{k: sum(r["trend"][i][k] for r in rows) for k in ("started", "completed", "in_service")},
        }
        for i, m in enumerate(trend_months)
    ]
    return {
        "as_of": today.isoformat(),
        "month": month.replace(day=1).isoformat(),
        "weights": SCORE_WEIGHTS,
        "rows": ranked,
        "totals": totals,
    }


def dispatch_view(*, user, dispatch) -> dict:
    """What this user may read of a saved dispatch: all of it for the district, only its own row (and rank)
    for a subdistrict."""
    from jiati.accounts.scoping import sees_everything

    content = dispatch.content
    if sees_everything(user) or (user.region_id and dispatch.region.path.startswith(user.region.path)):
        return {**content, "partial": False}
    own = [r for r in content.get("rows", []) if user.region_id and r["region_id"] == user.region_id]
    return {**content, "rows": own, "totals": None, "partial": True, "of": len(content.get("rows", []))}
