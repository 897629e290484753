"""Writes on cost sharing: calculate a new version of the project's scheme (never edit an old one), and
recalculate the current one as a new version when the subsidies app's approved amount differs from the
subsidy it deducted."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.consent import permissions, selectors
from jiati.consent.models import CostMethod, CostScheme, CostShare
from jiati.consent.sharing import ShareInputError, Unit, share_costs
from jiati.core.errors import Refusals, refuse
from jiati.core.money import FEN
from jiati.core.services import lock_visible
from jiati.core.stored_text import Choice, Message
from jiati.housing.models import Dwelling
from jiati.projects.models import EventKind, Project
from jiati.projects.services import project_event_add


def stairwell_units(project: Project) -> list[Unit]:
    return [
        Unit(dwelling_id=d["id"], floor=d["floor"], room=d["room"], area=d["exclusive_area"])
        for d in Dwelling.objects.filter(stairwell_id=project.stairwell_id).values(
            "id", "floor", "room", "exclusive_area"
        )
    ]


@transaction.atomic
def cost_scheme_create(
    *,
    project: Project,
    actor,
    method: str = CostMethod.AREA,
    total_cost: Decimal | None = None,
    parameters: dict | None = None,
    note: str = "",
    recalculated_from: CostScheme | None = None,
) -> CostScheme:
    """Split the owners' part of the cost (total − subsidy, plus any compensation to low floors) over the
    stairwell's dwellings, to the fen. The subsidy comes from the subsidies app through the "costs" hook."""
    if not permissions.can_share_costs(actor):
        raise PermissionDenied
    project = lock_visible(Project, user=actor, pks=project.pk)
    total_cost = total_cost if total_cost is not None else project.estimated_cost
    with Refusals() as checked:  # every wrong field at once
        if method not in CostMethod.values:
            checked.add(refuse(_("Choose a method."), code="invalid_method", field="method"))
        if total_cost is None:
            checked.add(
                refuse(_("Give the total cost (the project has no estimate)."), code="required", field="total_cost")
            )
    parameters = dict(parameters or {})
    subsidy, subsidy_status = selectors.subsidy_for(project)
    try:
        result = share_costs(
            units=stairwell_units(project),
            total_cost=Decimal(total_cost),
            subsidy=subsidy,
            method=method,
            parameters=parameters,
        )
    except ShareInputError as exc:
        raise refuse(exc.message, code="invalid_sharing", field=exc.field) from None
    version = (CostScheme.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0) + 1
    CostScheme.objects.filter(project=project, is_current=True).update(is_current=False)
    scheme = CostScheme.objects.create(
        project=project,
        version=version,
        method=method,
        total_cost=Decimal(total_cost).quantize(FEN),
        subsidy=subsidy.quantize(FEN),
        subsidy_status=subsidy_status,
        compensation_total=result.compensation_total,
        owners_pay=result.owners_pay,
        parameters=parameters,
        note=(note or "").strip(),
        created_by=actor,
    )
    CostShare.objects.bulk_create(
        CostShare(
            scheme=scheme,
            dwelling_id=line.unit.dwelling_id,
            floor=line.unit.floor,
            room=line.unit.room,
            area=line.unit.area,
            weight=line.weight_text[:60],
            share=line.share,
            covered=line.covered,
            compensation=line.compensation,
        )
        for line in result.lines
    )
    project_event_add(
        project=project,
        actor=actor,
        kind=EventKind.OTHER,
        message=Message(
            gettext_noop(
                "Cost sharing v%(version)s: %(method)s; owners pay %(pay)s yuan (cost %(cost)s, subsidy %(subsidy)s)"
            ),
            version=version,
            method=Choice.of(scheme, "method"),
            pay=scheme.owners_pay,
            cost=scheme.total_cost,
            subsidy=scheme.subsidy,
        ),
        data={"consent": "cost_scheme", "scheme": scheme.pk},
    )
    audit_record(
        actor=actor,
        instance=scheme,
        action=AuditAction.CREATE,
        changes={
            "method": [None, method],
            "total_cost": [None, str(scheme.total_cost)],
            "subsidy": [str(recalculated_from.subsidy) if recalculated_from else None, str(scheme.subsidy)],
            "subsidy_status": [recalculated_from.subsidy_status if recalculated_from else None, subsidy_status],
            "owners_pay": [str(recalculated_from.owners_pay) if recalculated_from else None, str(scheme.owners_pay)],
            "replaces": [None, f"v{recalculated_from.version}"] if recalculated_from else [None, None],
        },
        message=(
            _("Recalculated from v%(version)s with the subsidy now offered") % {"version": recalculated_from.version}
            if recalculated_from
            else ""
        ),
    )
    return scheme


@transaction.atomic
def cost_scheme_recalculate(*, scheme: CostScheme, actor) -> CostScheme:
    """The current scheme again, as a new version with the subsidy the subsidies app offers now (its approved
    amount): same method, total cost and parameters. Refused when the scheme is not current or the subsidy has
    not changed."""
    if not permissions.can_share_costs(actor):
        raise PermissionDenied
    project = lock_visible(Project, user=actor, pks=scheme.project.pk)
    scheme = CostScheme.objects.select_for_update().get(pk=scheme.pk)
    if not scheme.is_current:
        raise refuse(_("Only the current scheme can be recalculated."), code="stale_scheme")
    change = selectors.subsidy_change(scheme)
    if change is None:
        raise refuse(
            _("The subsidy has not changed since this scheme was calculated; nothing to recalculate."),
            code="subsidy_unchanged",
        )
    note = _("v%(version)s recalculated: the approved subsidy is %(new)s yuan (v%(version)s deducted %(old)s).") % {
        "version": scheme.version,
        "new": change["amount"],
        "old": scheme.subsidy,
    }
    return cost_scheme_create(
        project=project,
        actor=actor,
        method=scheme.method,
        total_cost=scheme.total_cost,
        parameters=scheme.parameters,
        note=f"{note}\n{scheme.note}".strip(),
        recalculated_from=scheme,
    )
