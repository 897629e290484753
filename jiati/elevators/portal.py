"""The resident portal: my stairwell's elevator — whom to call, where to report a fault, my running-cost shares."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiati.core.formatting import format_money


def portal_sections(*, request, owner) -> list[dict]:
    from jiati.elevators.models import Elevator, ElevatorStatus, RunningCostShare
    from jiati.housing.models import Ownership

    dwellings = Ownership.objects.filter(owner=owner).values("dwelling_id")
    elevators = list(
        Elevator.objects.filter(
            status=ElevatorStatus.IN_SERVICE,
            stairwell_id__in=Ownership.objects.filter(owner=owner).values("dwelling__stairwell_id"),
        ).select_related("maintainer", "estate", "stairwell__building")
    )
    if not elevators:
        return []
    shares = list(
        RunningCostShare.objects.filter(dwelling_id__in=dwellings, cost__elevator__in=elevators)
        .select_related("cost", "dwelling")
        .order_by("-cost__year")[:10]
    )
    return [
        {
            "order": 40,
            "template": "elevators/_portal_section.html",
            "elevators": elevators,
            "shares": shares,
            "emergency_number": settings.JIATI_EMERGENCY_NUMBER,
        }
    ]


def portal_matters(*, request, owner) -> list[dict]:
    """The fault reports he made (from his phone) on his stairwells' elevators, an open one first, and his
    dwellings' running-cost shares with what is still unpaid."""
    from jiati.elevators.models import OPEN_FAULT_STATUSES, FaultReport, RunningCostShare
    from jiati.housing.models import Ownership

    matters = []
    stairwells = Ownership.objects.filter(owner=owner).values("dwelling__stairwell_id")
    if owner.phone:
        faults = FaultReport.objects.filter(phone=owner.phone, elevator__stairwell_id__in=stairwells).select_related(
            "elevator"
        )
        for fault in faults.order_by("-reported_at")[:10]:
            matters.append(
                {
                    "title": _("Fault report: %(kind)s") % {"kind": fault.get_kind_display()},
                    "status": fault.get_status_display(),
                    "url": reverse("elevators:follow", args=[fault.follow_token]),
                    "urgent": fault.status in OPEN_FAULT_STATUSES,
                    "order": 30,
                }
            )
    shares = RunningCostShare.objects.filter(dwelling__ownerships__owner=owner).select_related("cost", "dwelling")
    for share in shares.order_by("-cost__year")[:10]:
        unpaid = share.amount - share.paid
        matters.append(
            {
                "title": _("Running costs %(year)s: %(room)s") % {"year": share.cost.year, "room": share.dwelling.room},
                "status": _("Still to pay: %(amount)s") % {"amount": format_money(unpaid)}
                if unpaid > 0
                else pgettext("running costs", "Paid in full"),
                "url": reverse("elevators:my-running-cost", args=[share.pk]),
                "order": 35,
            }
        )
    return matters
