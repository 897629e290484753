"""Scores from evidence, and the red/black list (红黑榜).

Each month (the period), every company's score is computed from the events the platform recorded about it,
gathered from every app through the hook `<app>/scoring.py: company_score_events(*, start, end, company_ids)`.
The arithmetic (`score_from_events`) is a pure function of the events and the scheme, so a score recomputed
from the same events is the same number. The district reviews the ranking of each kind of company, adds serious
violations (black list whatever the score), and publishes; a published list is frozen. An appeal upheld within
the scheme's time publishes a corrected list beside the original.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record, diff, snapshot
from jiati.companies import permissions
from jiati.companies.models import (
    KIND_FIELDS,
    Appeal,
    AppealStatus,
    Colour,
    Company,
    CompanyKind,
    CompanyScore,
    ListEntry,
    ListStatus,
    RankingList,
    ScoreArea,
    ScoreScheme,
    SeriousViolation,
)
from jiati.core.errors import Refusals, refuse
from jiati.core.hooks import collect
from jiati.core.stored_text import Choice, Message
from jiati.notifications.services import notify

VIOLATION_FIELDS = ("company", "period", "kind", "description", "evidence_note")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# The areas that judge each kind of company; a company of several kinds is judged on all of theirs.
KIND_AREAS = {
    CompanyKind.MAKER: (ScoreArea.QUALITY_CONTROL, ScoreArea.OPERATION_MAINTENANCE),
    CompanyKind.CONTRACTOR: (ScoreArea.CIVILISED_CONSTRUCTION, ScoreArea.QUALITY_CONTROL),
    CompanyKind.MAINTAINER: (ScoreArea.OPERATION_MAINTENANCE,),
    CompanyKind.DESIGNER: (ScoreArea.QUALITY_CONTROL,),
    CompanyKind.SUPERVISOR: (ScoreArea.CIVILISED_CONSTRUCTION, ScoreArea.QUALITY_CONTROL),
    CompanyKind.COST_CONSULTANT: (ScoreArea.QUALITY_CONTROL,),
}
# The kinds a list is drawn up for (the ones the seven ones choose).
LIST_KINDS = (CompanyKind.MAKER, CompanyKind.CONTRACTOR, CompanyKind.MAINTAINER)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def period_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_period(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes in the district's time zone: [first day 00:00, next first day 00:00)."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(period, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(next_period(period), dt.time.min, tzinfo=zone)


# --- the sources of evidence -----------------------------------------------------------------------------


def event_kinds() -> dict[str, dict]:
    """{kind: {"label", "unit"}}: the evidence the apps give, each declared by the app that records it
    (`<app>/scoring.py: score_event_kinds()` beside `company_score_events`). A new source is a new module;
    nothing here changes."""
    return {item["kind"]: item for item in collect("scoring", "score_event_kinds")}


# --- the scheme ------------------------------------------------------------------------------------------


def _number(value, *, field: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise refuse(
            _("“%(value)s” is not a number (%(what)s).") % {"value": value, "what": what},
            code="not_a_number",
            field=field,
        ) from None
    if not number.is_finite():
        raise refuse(
            _("“%(value)s” is not a number (%(what)s).") % {"value": value, "what": what},
            code="not_a_number",
            field=field,
        )
    return number


def scheme_validate(*, area_weights: dict, deductions: dict, red_min_score, black_below_score) -> dict:
    """The scheme's numbers, checked: weights at least 0 and not all 0, deductions at least 0, 0 ≤ black ≤ red ≤ 100."""
    weights, points = {}, {}
    with Refusals() as checked:  # every bad weight, every bad deduction and both thresholds at once
        for area in ScoreArea.values:
            weight = checked(_number, area_weights.get(area, 0), field="area_weights", what=str(ScoreArea(area).label))
            if weight is None:
                continue
            if weight < 0:
                checked.add(
                    refuse(
                        _("The weight of “%(area)s” is negative (%(value)s).")
                        % {"area": ScoreArea(area).label, "value": weight},
                        code="negative",
                        field="area_weights",
                    )
                )
            weights[area] = str(weight)
        unknown = set(area_weights) - set(ScoreArea.values)
        if unknown:
            checked.add(
                refuse(
                    _("Unknown area(s): %(areas)s.") % {"areas": ", ".join(sorted(unknown))},
                    code="unknown_area",
                    field="area_weights",
                )
            )
        weights_wrong = any("area_weights" in getattr(e, "error_dict", {}) for e in checked.errors)
        if not weights_wrong and not any(Decimal(w) for w in weights.values()):
            checked.add(
                refuse(_("At least one area must weigh more than zero."), code="all_zero", field="area_weights")
            )
        known = event_kinds()
        for kind in sorted(set(deductions) - set(known)):
            checked.add(
                refuse(
                    _("“%(kind)s” is no kind of evidence the platform records.") % {"kind": kind},
                    code="unknown_kind",
                    field="deductions",
                )
            )
        for kind, value in deductions.items():
            number = checked(_number, value, field="deductions", what=kind)
            if number is None:
                continue
            if number < 0:
                checked.add(
                    refuse(
                        _("The points for “%(kind)s” are negative (%(value)s).") % {"kind": kind, "value": number},
                        code="negative",
                        field="deductions",
                    )
                )
            points[kind] = str(number)
        red = checked(_number, red_min_score, field="red_min_score", what=_("red list from score"))
        black = checked(_number, black_below_score, field="black_below_score", what=_("black list below score"))
        if red is not None and black is not None and not (0 <= black <= red <= HUNDRED):
            checked.add(
                refuse(
                    _("The thresholds must satisfy 0 ≤ black ≤ red ≤ 100."),
                    code="thresholds",
                    field="black_below_score",
                )
            )
    return {"area_weights": weights, "deductions": points, "red_min_score": red, "black_below_score": black}


@transaction.atomic
def scheme_create(
    *,
    actor,
    name: str,
    valid_from: dt.date,
    area_weights: dict,
    deductions: dict,
    red_min_score=90,
    black_below_score=60,
    appeal_days: int = 15,
) -> ScoreScheme:
    """A new version of the scoring rules (earlier versions stay as they were for the periods they scored)."""
    _require(permissions.can_edit_registry(actor))
    values = scheme_validate(
        area_weights=area_weights,
        deductions=deductions,
        red_min_score=red_min_score,
        black_below_score=black_below_score,
    )
    last = ScoreScheme.objects.select_for_update().order_by("-version").first()
    scheme = ScoreScheme.objects.create(
        version=(last.version + 1) if last else 1,
        name=name,
        valid_from=valid_from,
        appeal_days=appeal_days,
        created_by=actor,
        **values,
    )
    audit_record(actor=actor, instance=scheme, action=AuditAction.CREATE, changes=diff({}, snapshot(scheme)))
    return scheme


def scheme_for(period: dt.date) -> ScoreScheme:
    scheme = ScoreScheme.objects.filter(valid_from__lte=period).order_by("-valid_from", "-version").first()
    if scheme is None:
        raise refuse(_("No score scheme is in force for %(period)s.") % {"period": f"{period:%Y-%m}"}, code="no_scheme")
    return scheme


# --- the arithmetic ----------------------------------------------------------------------------------------


def areas_of(kinds) -> list[str]:
    areas = {area for kind in kinds for area in KIND_AREAS.get(kind, ())}
    return [a for a in ScoreArea.values if a in areas] or list(ScoreArea.values)


def score_from_events(*, events: list[dict], scheme: ScoreScheme, kinds) -> tuple[Decimal, dict]:
    """Each area starts at 100 and loses `deductions[kind] × value` per event (not below 0); the score is the
    weighted mean of the company's areas. Pure: the same events and scheme always give the same number."""
    weights = {area: Decimal(str(scheme.area_weights.get(area, 0))) for area in areas_of(kinds)}
    if not any(weights.values()):  # the company's areas carry no weight in this scheme: every area counts equally
        weights = {area: Decimal(1) for area in weights}
    lost = {area: Decimal(0) for area in weights}
    for event in events:
        if event["area"] in lost:
            lost[event["area"]] += Decimal(str(scheme.deductions.get(event["kind"], 0))) * Decimal(str(event["value"]))
    areas = {area: max(Decimal(0), HUNDRED - lost[area]).quantize(CENT, ROUND_HALF_UP) for area in weights}
    total_weight = sum(weights.values())
    score = (sum(weights[a] * areas[a] for a in weights) / total_weight).quantize(CENT, ROUND_HALF_UP)
    return score, {area: str(value) for area, value in areas.items()}


def _plain_event(event: dict) -> dict:
    return {
        "company_id": event["company_id"],
        "area": event["area"],
        "kind": event["kind"],
        "value": str(event["value"]),
        "source": event["source"],
        "occurred_at": event["occurred_at"].isoformat(),
    }


def period_events(*, period: dt.date, company_ids: list[int] | None = None) -> dict[int, list[dict]]:
    """The period's evidence from every app, per company, in a fixed order."""
    start, end = period_bounds(period)
    by_company: dict[int, list[dict]] = {}
    for event in collect("scoring", "company_score_events", start=start, end=end, company_ids=company_ids):
        if start <= event["occurred_at"] < end and (company_ids is None or event["company_id"] in company_ids):
            by_company.setdefault(event["company_id"], []).append(_plain_event(event))
    for events in by_company.values():
        events.sort(key=lambda e: (e["occurred_at"], e["source"], e["kind"]))
    return by_company


@transaction.atomic
def scores_compute(*, period: dt.date, company_ids: list[int] | None = None) -> list[CompanyScore]:
    """Compute (or recompute) the period's scores of these companies (default: every company of a listed kind)."""
    period = period_start(period)
    scheme = scheme_for(period)
    companies = Company.objects.all()
    if company_ids is not None:
        companies = companies.filter(pk__in=company_ids)
    else:
        companies = companies.filter(Q(is_manufacturer=True) | Q(is_contractor=True) | Q(is_maintainer=True))
    companies = list(companies.order_by("pk"))
    events = period_events(period=period, company_ids=[c.pk for c in companies])
    scores = []
    for company in companies:
        company_events = events.get(company.pk, [])
        score, areas = score_from_events(events=company_events, scheme=scheme, kinds=company.kinds)
        row, _created = CompanyScore.objects.update_or_create(
            company=company,
            period=period,
            defaults={
                "scheme": scheme,
                "score": score,
                "areas": areas,
                "events": company_events,
                "computed_at": timezone.now(),
            },
        )
        scores.append(row)
    return scores


# --- the lists ---------------------------------------------------------------------------------------------


def _black_list_months() -> int:
    return int(getattr(settings, "JIATI_BLACK_LIST_MONTHS", 6))


def _build_entries(ranking: RankingList) -> None:
    field = KIND_FIELDS[ranking.kind]
    companies = Company.objects.filter(**{field: True})
    company_ids = list(companies.values_list("pk", flat=True))
    scores = {s.company_id: s for s in scores_compute(period=ranking.period, company_ids=company_ids)}
    violations: dict[int, list[SeriousViolation]] = {}
    for violation in SeriousViolation.objects.filter(period=ranking.period, company_id__in=company_ids):
        violations.setdefault(violation.company_id, []).append(violation)
    ordered = sorted(scores.values(), key=lambda s: (-s.score, s.company.name, s.company_id))
    kept = []
    for rank, score in enumerate(ordered, start=1):
        found = violations.get(score.company_id)
        if found:
            colour = Colour.BLACK
            reason = "violation:" + ",".join(sorted({v.kind for v in found}))
        elif score.score < ranking.scheme.black_below_score:
            colour, reason = Colour.BLACK, ""
        elif score.score >= ranking.scheme.red_min_score:
            colour, reason = Colour.RED, ""
        else:
            colour, reason = Colour.NONE, ""
        entry, _created = ListEntry.objects.update_or_create(
            ranking=ranking,
            company_id=score.company_id,
            defaults={"rank": rank, "score": score.score, "colour": colour, "reason": reason},
        )
        kept.append(entry.pk)
    ranking.entries.exclude(pk__in=kept).delete()  # a company no longer of this kind


@transaction.atomic
def ranking_list_draft(*, actor, period: dt.date, kind: str) -> RankingList:
    """Draw up (or redraw) the period's list for one kind of company from freshly computed scores."""
    _require(permissions.can_edit_registry(actor))
    period = period_start(period)
    with Refusals() as checked:  # every wrong field at once
        if kind not in LIST_KINDS:
            checked.add(
                refuse(
                    _("Lists are drawn up for makers, construction teams and maintainers."), code="kind", field="kind"
                )
            )
        if period >= period_start(timezone.localdate()):
            checked.add(
                refuse(_("A list can be drawn up only once its month is over."), code="period_open", field="period")
            )
    ranking = RankingList.objects.select_for_update().filter(period=period, kind=kind, corrects__isnull=True).first()
    if ranking is not None and ranking.status != ListStatus.DRAFT:
        raise refuse(_("This list is published and frozen."), code="list_frozen")
    if ranking is None:
        ranking = RankingList.objects.create(period=period, kind=kind, scheme=scheme_for(period))
        audit_record(actor=actor, instance=ranking, action=AuditAction.CREATE, changes=diff({}, snapshot(ranking)))
    else:
        ranking.scheme = scheme_for(period)
        ranking.save(update_fields=["scheme"])
    _build_entries(ranking)
    return ranking


@transaction.atomic
def violation_add(
    *, actor, company: Company, period: dt.date, kind: str, description: str, evidence_note: str = "", upload=None
) -> SeriousViolation:
    """Record a serious violation with its evidence; it black-lists the company in the period's lists."""
    _require(permissions.can_edit_registry(actor))
    period = period_start(period)
    errors: dict[str, list] = {}
    if not (description or "").strip():
        errors["description"] = [ValidationError(_("Say what happened."), code="required")]
    if not (evidence_note or "").strip() and upload is None:
        errors["evidence_note"] = [ValidationError(_("Give the evidence: a reference or a file."), code="required")]
    if (
        RankingList.objects.filter(period=period, status__in=[ListStatus.PUBLISHED, ListStatus.SUPERSEDED])
        .filter(kind__in=company.kinds)
        .exists()
    ):
        errors["period"] = [ValidationError(_("The list of this period is already published."), code="list_frozen")]
    if errors:
        raise ValidationError(errors)
    violation = SeriousViolation(
        company=company,
        period=period,
        kind=kind,
        description=description.strip(),
        evidence_note=evidence_note.strip(),
        recorded_by=actor,
    )
    if upload is not None:
        violation.evidence.save(upload.name, upload, save=False)
    violation.save()
    audit_record(
        actor=actor,
        instance=violation,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(violation, VIOLATION_FIELDS)),
    )
    for ranking in RankingList.objects.filter(period=period, status=ListStatus.DRAFT, kind__in=company.kinds):
        _build_entries(ranking)
    return violation


@transaction.atomic
def ranking_list_publish(*, actor, ranking: RankingList) -> RankingList:
    """Approve and publish: the list is frozen, the companies are told, the appeal time starts."""
    _require(permissions.can_edit_registry(actor))
    ranking = RankingList.objects.select_for_update().get(pk=ranking.pk)
    if ranking.status != ListStatus.DRAFT:
        raise refuse(_("This list is already published."), code="list_frozen")
    if not ranking.entries.exists():
        raise refuse(_("The list is empty: draw it up first."), code="list_empty")
    ranking.status, ranking.published_at, ranking.published_by = ListStatus.PUBLISHED, timezone.now(), actor
    ranking.appeal_until = timezone.localdate() + dt.timedelta(days=ranking.scheme.appeal_days)
    ranking.save(update_fields=["status", "published_at", "published_by", "appeal_until"])
    audit_record(actor=actor, instance=ranking, action=AuditAction.UPDATE, changes={"status": ["draft", "published"]})
    for entry in ranking.entries.select_related("company"):
        notify(
            recipients=entry.company.staff.filter(is_active=True),
            kind="ranking_published",
            title=Message(
                gettext_noop("%(period)s list: %(company)s is ranked %(rank)s (%(colour)s)"),
                period=f"{ranking.period:%Y-%m}",
                company=entry.company.name,
                rank=entry.rank,
                colour=Choice.of(entry, "colour"),
            ),
            url=reverse("companies:ranking", args=[ranking.pk]),
            dedupe_key=f"ranking-{ranking.pk}-{entry.company_id}",
        )
    return ranking


@transaction.atomic
def appeal_submit(*, actor, entry: ListEntry, grounds: str) -> Appeal:
    """The company's administrator appeals against its place, within the appeal time of a published list."""
    _require(permissions.can_appeal(actor, entry.company))
    ranking = RankingList.objects.select_for_update().get(pk=entry.ranking_id)
    if ranking.status != ListStatus.PUBLISHED:
        raise refuse(_("Only a published list can be appealed against."), code="not_published")
    if ranking.appeal_until and timezone.localdate() > ranking.appeal_until:
        raise refuse(
            _("The time to appeal ended on %(date)s.") % {"date": ranking.appeal_until.isoformat()},
            code="appeal_late",
        )
    if not (grounds or "").strip():
        raise refuse(_("Give the grounds of the appeal."), code="required", field="grounds")
    if entry.appeals.filter(status=AppealStatus.PENDING).exists():
        raise refuse(_("An appeal against this entry is already pending."), code="appeal_pending")
    appeal = Appeal.objects.create(entry=entry, company=entry.company, grounds=grounds.strip(), submitted_by=actor)
    audit_record(actor=actor, instance=appeal, action=AuditAction.CREATE, changes=diff({}, snapshot(appeal)))
    notify(
        recipients=permissions_district_staff(),
        kind="appeal_submitted",
        title=Message(
            gettext_noop("%(company)s appeals against the %(period)s list"),
            company=entry.company.name,
            period=f"{ranking.period:%Y-%m}",
        ),
        url=reverse("companies:ranking", args=[ranking.pk]),
        dedupe_key=f"appeal-{appeal.pk}",
    )
    return appeal


def permissions_district_staff():
    from jiati.accounts.models import Role, User

    return User.objects.filter(role=Role.DISTRICT_OFFICE, is_active=True)


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, upheld: bool, reason: str, corrected_colour: str = Colour.NONE) -> Appeal:
    """Decide with a reason. Upheld: a corrected list is published beside the original (which stays readable,
    marked as superseded), with the company's colour changed to `corrected_colour`."""
    _require(permissions.can_edit_registry(actor))
    appeal = Appeal.objects.select_for_update().select_related("entry__ranking").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise refuse(_("This appeal has already been decided."), code="appeal_decided")
    with Refusals() as checked:  # every wrong field at once
        if not (reason or "").strip():
            checked.add(refuse(_("Give the reason for the decision."), code="required", field="reason"))
        if upheld and corrected_colour == appeal.entry.colour:
            checked.add(
                refuse(
                    _("An upheld appeal changes the company's place: choose another list."),
                    code="same_colour",
                    field="corrected_colour",
                )
            )
    before = snapshot(appeal)
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.corrected_colour = corrected_colour if upheld else ""
    appeal.decision_reason, appeal.decided_by, appeal.decided_at = reason.strip(), actor, timezone.now()
    appeal.save()
    audit_record(actor=actor, instance=appeal, action=AuditAction.UPDATE, changes=diff(before, snapshot(appeal)))
    if upheld:
        _publish_correction(actor=actor, appeal=appeal)
    notify(
        recipients=appeal.company.staff.filter(is_active=True),
        kind="appeal_decided",
        title=Message(gettext_noop("Your appeal was upheld") if upheld else gettext_noop("Your appeal was dismissed")),
        body=appeal.decision_reason,
        url=reverse("companies:ranking", args=[appeal.entry.ranking_id]),
        dedupe_key=f"appeal-decided-{appeal.pk}",
    )
    return appeal


def _publish_correction(*, actor, appeal: Appeal) -> RankingList:
    original = RankingList.objects.select_for_update().get(pk=appeal.entry.ranking_id)
    corrected = RankingList.objects.create(
        period=original.period,
        kind=original.kind,
        scheme=original.scheme,
        corrects=original,
        status=ListStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=actor,
        appeal_until=original.appeal_until,
    )
    entries = []
    for entry in original.entries.all():
        colour, why = entry.colour, entry.reason
        if entry.company_id == appeal.company_id:
            colour = appeal.corrected_colour
            why = f"appeal:{appeal.decision_reason}"
        entries.append(
            ListEntry(
                ranking=corrected,
                company_id=entry.company_id,
                rank=entry.rank,
                score=entry.score,
                colour=colour,
                reason=why[:255],
            )
        )
    ListEntry.objects.bulk_create(entries)
    original.status = ListStatus.SUPERSEDED
    original.save(update_fields=["status"])
    audit_record(actor=actor, instance=corrected, action=AuditAction.CREATE, changes={"corrects": [None, original.pk]})
    return corrected


# --- what the lists mean elsewhere ------------------------------------------------------------------------


def current_lists() -> list[RankingList]:
    """The latest published list of each kind (a correction, when there is one, stands for its original)."""
    lists = []
    for kind in LIST_KINDS:
        latest = (
            RankingList.objects.filter(kind=kind, status=ListStatus.PUBLISHED)
            .order_by("-period", "-published_at", "-id")
            .first()
        )
        if latest is not None:
            lists.append(latest)
    return lists


def black_listed(*, company_ids) -> dict[int, tuple[str, dt.date]]:
    """Companies black-listed on a published list whose consequence still runs: {id: (reason, until)}."""
    today = timezone.localdate()
    months = _black_list_months()
    found: dict[int, tuple[str, dt.date]] = {}
    entries = (
        ListEntry.objects.filter(
            company_id__in=list(company_ids), colour=Colour.BLACK, ranking__status=ListStatus.PUBLISHED
        )
        .select_related("ranking__scheme")
        .order_by("ranking__period")
    )
    for entry in entries:
        until = entry.ranking.period
        for _i in range(months + 1):
            until = next_period(until)
        until -= dt.timedelta(days=1)
        if until >= today:
            found[entry.company_id] = (
                _("black-listed on the %(period)s list (%(reason)s)")
                % {"period": f"{entry.ranking.period:%Y-%m}", "reason": entry.display_reason},
                until,
            )
    return found


def current_red_black(*, user) -> list[dict]:
    """The companies on the red and the black list of each kind's current list (published lists are public),
    black first; a company links to its page only for a user who may open it."""
    lists = {r.pk: r for r in current_lists()}
    entries = list(
        ListEntry.objects.filter(ranking_id__in=lists, colour__in=[Colour.BLACK, Colour.RED])
        .select_related("company", "ranking__scheme")
        .order_by("colour", "ranking__kind", "rank")  # "black" sorts before "red"
    )
    openable = set(
        Company.objects.visible_to(user).filter(pk__in={e.company_id for e in entries}).values_list("pk", flat=True)
    )
    return [
        {
            "entry": e,
            "company": e.company.name,
            "company_url": reverse("companies:detail", args=[e.company_id]) if e.company_id in openable else None,
            "colour": e.colour,
            "colour_label": e.get_colour_display(),
            "kind": e.ranking.get_kind_display(),
            "period": e.ranking.period,
            "score": e.score,
            "rank": e.rank,
            "reason": e.display_reason,
            "list_url": reverse("companies:ranking", args=[e.ranking_id]),
        }
        for e in entries
    ]
