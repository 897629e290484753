"""Reads on the housing stock. Callers pass objects already fetched through `visible_to`."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, Sum

from jiati.housing.models import Dwelling, Estate, Ownership, Stairwell


def estate_stats(*, estate: Estate) -> dict:
    stairwells = Stairwell.objects.filter(estate=estate).aggregate(
        total=Count("id"), without_elevator=Count("id", filter=Q(has_elevator=False))
    )
    dwellings = Dwelling.objects.filter(estate=estate).aggregate(total=Count("id"), area=Sum("exclusive_area"))
    return {
        "buildings": estate.buildings.count(),
        "stairwells": stairwells["total"],
        "stairwells_without_elevator": stairwells["without_elevator"],
        "dwellings": dwellings["total"],
        "area": dwellings["area"],
    }


def stairwell_roll(*, stairwell: Stairwell):
    """The stairwell's dwellings, top floor first, each with its owners (two queries)."""
    return (
        Dwelling.objects.filter(stairwell=stairwell)
        .prefetch_related(
            Prefetch("ownerships", queryset=Ownership.objects.select_related("owner").order_by("-is_primary", "id"))
        )
        .order_by("-floor", "room")
    )
