"""The subsidy rules: which policy applies to a project and why, what it pays, what is still missing.

Pure reads, shared by the services (drafting, recalculating, approving), the cost-sharing hook
(`costs.py`) and the pages. Amounts are Decimal yuan, rounded to the fen half-up at each line.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import DateField, Q, Value, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.core.errors import refuse
from jiati.core.money import FEN
from jiati.core.money import yuan as _yuan
from jiati.core.prepared import PreparedQuery
from jiati.core.stored_text import Message, joined
from jiati.projects.models import Stage
from jiati.projects.selectors import event_summary
from jiati.subsidies.models import (
    DEFAULT_REQUIRED_DOCUMENTS,
    PROJECT_DOCUMENT_KINDS,
    ZERO,
    SubsidyApplication,
    SubsidyDocumentKind,
    SubsidyPolicy,
    _ancestor_paths,
)

# The project date that decides which policy applies, in order of preference: the policy in force when
# the retrofit was filed and approved (新老划断), else when it passed inspection, else when it became
# eligible, else today (an estimate before any of these).
BASIS_FILED = "filed"
BASIS_COMPLETED = "completed"
BASIS_ELIGIBLE = "eligible"
BASIS_TODAY = "today"
MAX_AMOUNT = Decimal("999999999999.99")


def money(value, *, field: str, allow_zero: bool = True, label: str | None = None, percent: bool = False) -> Decimal:
    """An amount from user input — yuan to the fen, or (`percent`) a percentage to two decimals: a number, not
    negative, not finer than 0.01. Refuses anything else with a stable code, naming the field."""
    label = label or field
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
        finite = amount.is_finite()
    except (InvalidOperation, ValueError, TypeError):
        finite = False
    if not finite:
        message = (
            _("%(label)s must be a percentage, e.g. 40.")
            if percent
            else _("%(label)s must be a number of yuan, e.g. 120000.00.")
        )
        raise refuse(message % {"label": label}, code="not_a_number", field=field)
    if amount < 0:
        raise refuse(_("%(label)s cannot be negative.") % {"label": label}, code="negative", field=field)
    if amount == 0 and not allow_zero:
        raise refuse(_("%(label)s must be greater than zero.") % {"label": label}, code="not_positive", field=field)
    if amount != amount.quantize(FEN):
        message = (
            _("%(label)s has more than two decimals.")
            if percent
            else _("%(label)s has more decimals than fen (0.01 yuan).")
        )
        raise refuse(message % {"label": label}, code="finer_than_fen", field=field)
    if amount > MAX_AMOUNT:
        raise refuse(_("%(label)s is too large.") % {"label": label}, code="too_large", field=field)
    return amount.quantize(FEN)


def yuan(value: Decimal | None) -> str:
    """¥1,234,567.89 — exact, to the fen (the one format: `jiati.core.money.yuan`)."""
    return _yuan(value)


def percent(value) -> str:
    """40.00 → "40", 33.50 → "33.5" (no exponent notation)."""
    text = f"{Decimal(value).normalize():f}"
    return text


# --- which policy --------------------------------------------------------------------------


def _stage_left_on(project, stage: str) -> dt.date | None:

    at = event_summary(project).first_left.get(stage)
    return timezone.localdate(at) if at else None


def eligible_date(project) -> dt.date | None:
    """The day the project became eligible: it left registration for use and entered the subsidy stage. Without
    that stage event (data moved in bulk), the day it entered its current stage if that is the subsidy stage or
    a later one; None before."""

    if project.stage not in (Stage.SUBSIDY, Stage.IN_SERVICE):
        return None
    return _stage_left_on(project, Stage.REGISTRATION) or timezone.localdate(project.stage_entered_at)


def reference_date(project) -> tuple[str, dt.date]:
    """The project date that decides its policy, with which date it is (see the BASIS_* constants). The days it
    left approvals, inspection and registration come in one query (issue 18: it was up to three), shared with
    the project page's schedule."""

    wanted = [Stage.APPROVALS, Stage.INSPECTION]
    if project.stage in (Stage.SUBSIDY, Stage.IN_SERVICE):
        wanted.append(Stage.REGISTRATION)
    # The first day it left each: from the projects app's summary of its events, which the project page reads
    # once for its schedule too (issue 18).
    first_left = event_summary(project).first_left
    left = {stage: timezone.localdate(first_left[stage]) for stage in wanted if stage in first_left}
    if left.get(Stage.APPROVALS):
        return BASIS_FILED, left[Stage.APPROVALS]
    if left.get(Stage.INSPECTION):
        return BASIS_COMPLETED, left[Stage.INSPECTION]
    if project.stage in (Stage.SUBSIDY, Stage.IN_SERVICE):
        return BASIS_ELIGIBLE, left.get(Stage.REGISTRATION) or timezone.localdate(project.stage_entered_at)
    return BASIS_TODAY, timezone.localdate()


def applicable_policy(*, community, on: dt.date, extras: bool = True) -> SubsidyPolicy | None:
    """The policy in force on `on` for the community: the most specific scope (a district over its city); its
    extras read with it unless the caller does not offer them (`extras=False`: the project page's estimate)."""
    paths = _ancestor_paths(community.path)
    day = on.isoformat()
    candidates = _policies_in_force(len(paths)).fetch(*paths, day, day)
    chosen = max(candidates, key=lambda p: (len(p.region.path), p.effective_from, p.pk), default=None)
    if extras and chosen is not None:
        prefetch_related_objects([chosen], "extras")
    return chosen


@functools.cache
def _policies_in_force(regions: int) -> PreparedQuery:
    """The policies of `regions` regions (by path) in force on a day (given twice, as ISO text, cast to a date in
    SQL: a prepared query's values are text or integers), with their regions: compiled once per process and number
    of regions above a community (`core.prepared`), as the project page reads it on every view (issue 18)."""

    def build(*values):
        *paths, starting, ending = values
        return (
            SubsidyPolicy.objects.filter(
                Q(effective_to__isnull=True) | Q(effective_to__gte=Cast(Value(ending), DateField())),
                effective_from__lte=Cast(Value(starting), DateField()),
                region__path__in=paths,
            )
            .select_related("region")
            .order_by()
        )

    return PreparedQuery(SubsidyPolicy, build, kinds=(str,) * (regions + 2), server_prepared=True)


@dataclass(frozen=True)
class PolicyChoice:
    policy: SubsidyPolicy | None
    basis: str
    date: dt.date

    def as_json(self) -> dict:
        return {"basis": self.basis, "date": self.date.isoformat()}


def choose_policy(project, *, extras: bool = True) -> PolicyChoice:
    basis, day = reference_date(project)
    policy = applicable_policy(community=project.community, on=day, extras=extras)
    return PolicyChoice(policy=policy, basis=basis, date=day)


def basis_text(basis: dict, policy: SubsidyPolicy | None) -> str:
    """Why this policy, in plain words in the reader's language (and, after a re-evaluation, when and what
    applied before)."""
    return str(basis_message(basis, policy) or "")


def _day(value: str):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""


def basis_message(basis: dict, policy: SubsidyPolicy | None) -> Message | None:
    """Why this policy as msgid + values (what a timeline entry stores: issue 13), from the file's stored basis
    (which date decided, and when) — never a sentence stored in its writer's language."""
    if not basis:
        return None
    text = _basis_message(basis, policy)
    again = basis.get("reevaluated")
    if again:
        values = {"date": _day(again.get("on", "")), "previous": again.get("previous", "")}
        if values["previous"]:
            again_text = Message(gettext_noop("Re-evaluated on %(date)s; before, “%(previous)s” applied."), **values)
        else:
            again_text = Message(gettext_noop("Re-evaluated on %(date)s; before, no policy applied."), **values)
        return joined(text, again_text)
    return text


def _basis_message(basis: dict, policy: SubsidyPolicy | None) -> Message:
    day = _day(basis.get("date", ""))
    what = {
        BASIS_FILED: gettext_noop("the project's filing and approvals were completed on %(date)s"),
        BASIS_COMPLETED: gettext_noop("the elevator passed inspection on %(date)s"),
        BASIS_ELIGIBLE: gettext_noop("the project became eligible on %(date)s"),
        BASIS_TODAY: gettext_noop("no project date is recorded yet, so today (%(date)s) counts"),
    }.get(basis.get("basis"), "%(date)s")
    what = Message(what, date=day)
    if policy is None:
        return Message(gettext_noop("No subsidy policy was in force for this project's area when %(what)s."), what=what)
    values = {"policy": policy.name, "scope": policy.region.name, "start": policy.effective_from, "what": what}
    if policy.effective_to is None:
        return Message(
            gettext_noop("“%(policy)s” (%(scope)s, in force from %(start)s) applies because %(what)s."), **values
        )
    return Message(
        gettext_noop("“%(policy)s” (%(scope)s, in force %(start)s – %(end)s) applies because %(what)s."),
        end=policy.effective_to,
        **values,
    )


# --- how much --------------------------------------------------------------------------


@dataclass
class Calculation:
    total: Decimal = ZERO
    lines: list[dict] = field(default_factory=list)
    unmet: list[dict] = field(default_factory=list)
    cost_missing: bool = False


def _round(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def calculate(
    policy: SubsidyPolicy,
    *,
    storeys: int,
    cost: Decimal | None,
    cost_is_audited: bool = False,
    extras: dict | None = None,
    stops: int | None = None,
) -> Calculation:
    """What the policy pays for a stairwell of `storeys` storeys whose elevator serves `stops` landings (every
    storey when not given) costing `cost`, plus the claimed extras.

    `extras` maps PolicyExtra → claimed amount (already checked against its maximum). A condition the project
    does not meet (fewer storeys than the policy's minimum) makes the amount nothing and is listed in `unmet`.
    """
    result = Calculation()
    base = ZERO
    if policy.fixed_amount:
        base += policy.fixed_amount
        result.lines.append({"code": "fixed", "amount": str(policy.fixed_amount)})
    if policy.per_storey_amount and storeys > policy.storeys_above:
        counted = storeys - policy.storeys_above
        amount = _round(policy.per_storey_amount * counted)
        base += amount
        result.lines.append(
            {
                "code": "per_storey",
                "amount": str(amount),
                "rate": str(policy.per_storey_amount),
                "storeys": counted,
                "above": policy.storeys_above,
            }
        )
    stops = storeys if stops is None else stops
    if policy.per_stop_amount and stops > policy.stops_above:
        counted = stops - policy.stops_above
        amount = _round(policy.per_stop_amount * counted)
        base += amount
        result.lines.append(
            {
                "code": "per_stop",
                "amount": str(amount),
                "rate": str(policy.per_stop_amount),
                "stops": counted,
                "above": policy.stops_above,
            }
        )
    if policy.cost_share_percent:
        if cost is None:
            result.cost_missing = True
        else:
            amount = _round(cost * policy.cost_share_percent / 100)
            base += amount
            result.lines.append(
                {
                    "code": "share",
                    "amount": str(amount),
                    "percent": str(policy.cost_share_percent),
                    "cost": str(cost),
                    "audited": cost_is_audited,
                }
            )
    if policy.cap is not None and base > policy.cap:
        result.lines.append({"code": "cap", "amount": str(policy.cap - base), "cap": str(policy.cap)})
        base = policy.cap
    total = base
    for extra, claimed in (extras or {}).items():
        total += claimed
        result.lines.append({"code": "extra", "amount": str(claimed), "name": extra.name, "max": str(extra.max_amount)})
    if storeys < policy.min_storeys:
        result.unmet.append({"code": "min_storeys", "storeys": storeys, "min": policy.min_storeys})
    result.total = ZERO if result.unmet else total.quantize(FEN)
    return result


def line_text(line: dict) -> str:
    """One line of the calculation, in plain words."""
    code = line.get("code")
    if code == "fixed":
        return _("Fixed amount per elevator")
    if code == "per_storey":
        return _("%(rate)s per storey × %(storeys)s storeys (above storey %(above)s)") % {
            "rate": yuan(Decimal(line["rate"])),
            "storeys": line["storeys"],
            "above": line["above"],
        }
    if code == "per_stop":
        if line["above"]:
            return _("%(rate)s per stop × %(stops)s stops (above stop %(above)s)") % {
                "rate": yuan(Decimal(line["rate"])),
                "stops": line["stops"],
                "above": line["above"],
            }
        return _("%(rate)s per stop × %(stops)s stops") % {"rate": yuan(Decimal(line["rate"])), "stops": line["stops"]}
    if code == "share":
        label = _("audited cost") if line.get("audited") else _("estimated cost")
        return _("%(percent)s%% of the %(label)s %(cost)s") % {
            "percent": percent(line["percent"]),
            "label": label,
            "cost": yuan(Decimal(line["cost"])),
        }
    if code == "cap":
        return _("Capped at %(cap)s") % {"cap": yuan(Decimal(line["cap"]))}
    if code == "extra":
        return _("Extra: %(name)s (at most %(max)s)") % {"name": line["name"], "max": yuan(Decimal(line["max"]))}
    return code or ""


def unmet_text(item: dict) -> str:
    if item.get("code") == "min_storeys":
        return _("The building has %(storeys)s storeys; the policy needs at least %(min)s.") % item
    if item.get("code") == "no_policy":
        return _("No subsidy policy applies.")
    return item.get("code", "")


def cost_for(application_or_project) -> tuple[Decimal | None, bool]:
    """The cost a share-of-cost policy uses: the audited cost when known, else the estimate."""
    audited = getattr(application_or_project, "audited_cost", None)
    if audited is not None:
        return audited, True
    return getattr(application_or_project, "estimated_cost", None), False


def storeys_of(project) -> int:
    return project.stairwell.storeys or project.stairwell.building.storeys


def calculate_application(application: SubsidyApplication, *, extras: dict | None = None) -> Calculation:
    if application.policy is None:
        return Calculation(unmet=[{"code": "no_policy"}])
    if extras is None:
        extras = {e.extra: e.amount for e in application.extras.select_related("extra")}
    cost, audited = cost_for(application)
    return calculate(
        application.policy,
        storeys=application.storeys,
        stops=application.stops,
        cost=cost,
        cost_is_audited=audited,
        extras=extras,
    )


# --- documents ---------------------------------------------------------------------------


def required_documents(policy: SubsidyPolicy | None) -> list[str]:
    """The documents a file under this policy needs. "Not set" (None) means the usual documents; an empty list
    means none at all. A share-of-cost policy with its own or the usual list also needs the audited cost report."""
    if policy is None or policy.required_documents is None:
        kinds = list(DEFAULT_REQUIRED_DOCUMENTS)
    else:
        kinds = list(policy.required_documents)
        if not kinds:
            return []
    if policy and policy.cost_share_percent and SubsidyDocumentKind.AUDITED_COST not in kinds:
        kinds.append(SubsidyDocumentKind.AUDITED_COST.value)
    return [k for k in SubsidyDocumentKind.values if k in kinds]


def documents_status(application: SubsidyApplication) -> list[dict]:
    """Each required document: present (in the application, or as the project's own certificate) or missing."""
    present = set(application.documents.values_list("kind", flat=True))
    project_kinds = set(
        application.project.documents.filter(kind__in=list(PROJECT_DOCUMENT_KINDS)).values_list("kind", flat=True)
    )
    labels = dict(SubsidyDocumentKind.choices)
    return [
        {
            "kind": kind,
            "label": labels[kind],
            "present": kind in present or kind in project_kinds,
            "from_project": kind not in present and kind in project_kinds,
        }
        for kind in required_documents(application.policy)
    ]


def missing_document_kinds(application: SubsidyApplication) -> list[str]:
    return [d["kind"] for d in documents_status(application) if not d["present"]]


def missing_documents(application: SubsidyApplication) -> list[str]:
    return [str(d["label"]) for d in documents_status(application) if not d["present"]]
