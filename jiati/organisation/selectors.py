"""Reads on the organisation tree."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Value, When

from jiati.accounts.scoping import sees_everything
from jiati.organisation.models import Region


def home_region_for(*, user) -> Region | None:
    """Where a user's organisation view starts: their own unit (or the top of the tree for administrators)."""
    if sees_everything(user):
        return Region.objects.filter(parent__isnull=True).order_by("path").first()
    if user.region_id:
        return user.region
    if user.property_office_id:
        return user.property_office.community
    return None


def region_children(*, region: Region):
    """Children with how many estates each holds (one grouped query over the subtree)."""
    children = list(region.children.order_by("code"))
    counts = dict(  # estates hang off communities (housing.Estate.community, related name "estates")
        Region.objects.filter(path__startswith=region.path)
        .annotate(n=Count("estates"))
        .filter(n__gt=0)
        .values_list("path", "n")
    )
    for child in children:
        child.estate_count = sum(n for path, n in counts.items() if path.startswith(child.path))
    return children


def child_of(regions, *, path_field: str):
    """An expression naming which of `regions` (siblings: none is under another) a row's region path falls under,
    by id (None outside them): group by it to count per child region in one query (dashboard charts)."""
    whens = [When(**{f"{path_field}__startswith": r.path}, then=Value(r.pk)) for r in regions]
    none = Value(None, output_field=IntegerField())
    return Case(*whens, default=none, output_field=IntegerField()) if whens else none
