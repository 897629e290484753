"""Subsidy policies (versioned, no overlap per region and source) and yearly budgets."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiati.audit.services import audit_created, snapshot
from jiati.core.errors import Refusals, refuse
from jiati.core.services import require
from jiati.core.text import list_text
from jiati.organisation.models import Region, RegionLevel
from jiati.subsidies import permissions, rules
from jiati.subsidies.models import (
    Budget,
    PolicyExtra,
    Source,
    SubsidyDocumentKind,
    SubsidyPolicy,
)
from jiati.subsidies.services.applications import applications_reevaluate
from jiati.subsidies.services.common import _audit, _in_own_area, _text, _whole


def _overlapping(region, start: dt.date, end: dt.date | None, exclude_pk: int | None = None):
    overlap = SubsidyPolicy.objects.filter(region=region).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    )
    if end is not None:
        overlap = overlap.filter(effective_from__lte=end)
    if exclude_pk:
        overlap = overlap.exclude(pk=exclude_pk)
    return overlap.order_by("effective_from").first()


def _overlap_refusal(other: SubsidyPolicy):
    return refuse(
        _("The dates overlap “%(name)s” (in force %(start)s – %(end)s) for the same area; close it first.")
        % {
            "name": other.name,
            "start": other.effective_from.isoformat(),
            "end": other.effective_to.isoformat() if other.effective_to else _("until replaced"),
        },
        code="overlap",
        field="effective_from",
    )


@transaction.atomic
def policy_create(
    *,
    actor,
    region,
    name: str,
    source: str,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    fixed_amount=0,
    per_storey_amount=0,
    storeys_above: int = 0,
    per_stop_amount=0,
    stops_above: int = 0,
    cost_share_percent=0,
    cap=None,
    min_storeys: int = 4,
    application_deadline_days: int | None = None,
    required_documents: list[str] | None = None,
    extras: list[tuple[str, object]] | None = None,
    note: str = "",
) -> SubsidyPolicy:
    """Define a policy for a city or district. Policies of one area may not overlap in time.

    `required_documents`: None (not set) means the usual documents, an empty list that none are required.
    Files not yet submitted whose dates this policy now covers pick it up (see `applications_reevaluate`).
    """

    require(permissions.can_edit_policies(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    with Refusals() as checked:  # every wrong field at once (issue 13)
        if region.level not in (RegionLevel.CITY, RegionLevel.DISTRICT):
            checked.add(refuse(_("A policy covers a city or a district."), code="scope_level", field="region"))
        elif not _in_own_area(actor, region):
            checked.add(
                refuse(_("You can define policies only for your own area."), code="scope_outside", field="region")
            )
        name = checked(_text, name, field="name", label=_("name"))
        if source not in Source.values:
            checked.add(refuse(_("Choose where the money comes from."), code="invalid_source", field="source"))
        if effective_to is not None and effective_to < effective_from:
            checked.add(
                refuse(_("The end date is before the start date."), code="dates_reversed", field="effective_to")
            )
        fixed = checked(rules.money, fixed_amount, field="fixed_amount", label=_("The fixed amount"))
        per_storey = checked(
            rules.money, per_storey_amount, field="per_storey_amount", label=_("The amount per storey")
        )
        per_stop = checked(rules.money, per_stop_amount, field="per_stop_amount", label=_("The amount per stop"))
        share = checked(
            rules.money, cost_share_percent, field="cost_share_percent", label=_("The share of the cost"), percent=True
        )
        if share is not None and share > 100:
            checked.add(
                refuse(
                    _("The share of the cost cannot exceed 100%."), code="share_over_100", field="cost_share_percent"
                )
            )
        cap_amount = (
            None if cap in (None, "") else checked(rules.money, cap, field="cap", allow_zero=False, label=_("The cap"))
        )
        amounts = (fixed, per_storey, per_stop, share)
        if None not in amounts and not any(amounts):  # only once every amount is readable
            checked.add(
                refuse(
                    _(
                        "Give at least one amount: a fixed amount, an amount per storey, an amount per stop "
                        "or a share of the cost."
                    ),
                    code="no_amount_rule",
                    field="fixed_amount",
                )
            )
        for value, field in (
            (storeys_above, "storeys_above"),
            (min_storeys, "min_storeys"),
            (stops_above, "stops_above"),
        ):
            if _whole(value) is None or not (0 <= _whole(value) <= 200):
                message = (
                    _("Enter a number of stops between 0 and 200.")
                    if field == "stops_above"
                    else _("Enter a number of storeys between 0 and 200.")
                )
                checked.add(
                    refuse(message, code="stops_range" if field == "stops_above" else "storeys_range", field=field)
                )
        if application_deadline_days is not None and not (0 < int(application_deadline_days) <= 3650):
            checked.add(
                refuse(
                    _("The deadline is a number of days between 1 and 3650."),
                    code="deadline_range",
                    field="application_deadline_days",
                )
            )
        documents = list(required_documents) if required_documents is not None else None
        if documents is not None and set(documents) - set(SubsidyDocumentKind.values):
            checked.add(
                refuse(_("Choose documents from the list."), code="invalid_document", field="required_documents")
            )
        extra_rows = []
        for extra_name, extra_max in extras or []:
            extra_name = checked(_text, extra_name, field="extras", label=_("extra"), max_length=80)
            if extra_name is not None and any(extra_name == n for n, _m in extra_rows):
                checked.add(refuse(_("Each extra needs its own name."), code="duplicate_extra", field="extras"))
            extra_rows.append(
                (
                    extra_name,
                    checked(rules.money, extra_max, field="extras", allow_zero=False, label=_("The extra's maximum")),
                )
            )
    Region.objects.select_for_update().filter(pk=region.pk).first()  # one writer per area: no overlapping inserts
    other = _overlapping(region, effective_from, effective_to)
    if other is not None:
        raise _overlap_refusal(other)
    policy = SubsidyPolicy.objects.create(
        region=region,
        name=name,
        source=source,
        effective_from=effective_from,
        effective_to=effective_to,
        fixed_amount=fixed,
        per_storey_amount=per_storey,
        storeys_above=int(storeys_above),
        per_stop_amount=per_stop,
        stops_above=int(stops_above),
        cost_share_percent=share,
        cap=cap_amount,
        min_storeys=int(min_storeys),
        application_deadline_days=application_deadline_days,
        required_documents=[k for k in SubsidyDocumentKind.values if k in documents] if documents is not None else None,
        note=note,
        created_by=actor,
    )
    PolicyExtra.objects.bulk_create(PolicyExtra(policy=policy, name=n, max_amount=m) for n, m in extra_rows)
    audit_created(actor=actor, instance=policy, message=", ".join(f"{n} ≤ {m}" for n, m in extra_rows))
    applications_reevaluate(actor=actor, region=region, only_policy=policy)
    return policy


@transaction.atomic
def policy_close(*, actor, policy: SubsidyPolicy, effective_to: dt.date) -> SubsidyPolicy:
    """End a policy on a date (to replace it by a new version). Files it already decided keep it."""

    require(permissions.can_edit_policies(actor))
    Region.objects.select_for_update().filter(pk=policy.region_id).first()
    try:
        policy = SubsidyPolicy.objects.visible_to(actor).select_for_update().get(pk=policy.pk)
    except SubsidyPolicy.DoesNotExist:
        raise PermissionDenied from None
    if not _in_own_area(actor, policy.region):
        raise PermissionDenied
    if effective_to < policy.effective_from:
        raise refuse(_("The end date is before the start date."), code="dates_reversed", field="effective_to")
    if policy.effective_to is not None and effective_to > policy.effective_to:
        other = _overlapping(policy.region, policy.effective_from, effective_to, exclude_pk=policy.pk)
        if other is not None:
            raise _overlap_refusal(other)
    used_after = [
        a.project.code
        for a in policy.applications.select_related("project")
        if a.policy_basis.get("date") and dt.date.fromisoformat(a.policy_basis["date"]) > effective_to
    ]
    if used_after:
        raise refuse(
            _("Projects dated after that day already use this policy: %(codes)s.") % {"codes": list_text(used_after)},
            code="in_use_after",
            field="effective_to",
        )
    before = snapshot(policy, ["effective_to"])
    policy.effective_to = effective_to
    policy.save(update_fields=["effective_to"])
    _audit(actor, policy, before)
    return policy


# --- budgets ----------------------------------------------------------------------------


@transaction.atomic
def budget_set(*, actor, region, year: int, source: str, amount) -> Budget:
    """Set the budget of one district for one year and source. It cannot drop below what is already approved."""

    require(permissions.can_set_budgets(actor))
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    if region.level == RegionLevel.DISTRICT and not _in_own_area(actor, region):
        raise PermissionDenied
    with Refusals() as checked:  # every wrong field at once
        if region.level != RegionLevel.DISTRICT:
            checked.add(refuse(_("Budgets are kept per district."), code="scope_level", field="region"))
        if not (2000 <= int(year) <= 2100):
            checked.add(refuse(_("Enter a year between 2000 and 2100."), code="year_range", field="year"))
        if source not in Source.values:
            checked.add(refuse(_("Choose where the money comes from."), code="invalid_source", field="source"))
        amount = checked(rules.money, amount, field="amount", label=_("The budget"))
    budget = Budget.objects.select_for_update().filter(region=region, year=year, source=source).first()
    if budget is None:
        try:
            with transaction.atomic():
                budget = Budget.objects.create(region=region, year=year, source=source, amount=amount)
        except IntegrityError:  # set at the same moment by someone else: change theirs instead
            budget = Budget.objects.select_for_update().get(region=region, year=year, source=source)
        else:
            audit_created(actor=actor, instance=budget)
            return budget
    if amount < budget.committed:
        raise refuse(
            _("%(amount)s is less than the %(committed)s already approved from this budget.")
            % {"amount": rules.yuan(amount), "committed": rules.yuan(budget.committed)},
            code="below_committed",
            field="amount",
        )
    before = snapshot(budget, ["amount"])
    budget.amount = amount
    budget.save(update_fields=["amount", "updated_at"])
    _audit(actor, budget, before)
    return budget
