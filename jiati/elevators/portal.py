"""The resident portal: my stairwell's elevator — whom to call, where to report a fault, my running-cost shares."""

from __future__ import annotations

from django.conf import settings


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
