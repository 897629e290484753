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


def counts_per_child(rows, children, *, path_field: str, counts: dict) -> dict:
    """`counts` (named aggregates) of `rows` per child region, in one grouped query: {child id: {name: n}}."""
    return {
        row.pop("child"): row
        for row in rows.annotate(child=child_of(children, path_field=path_field))
        .values("child")
        .annotate(**counts)
        .order_by()
    }


def per_child_chart(*, key, title, order, series, children, per_child, url_for, own) -> dict:
    """A dashboard chart (hook `figures.region_charts`) of one bar per child region: `series` is [(key, label)],
    `url_for(region_id, series_key)` the list behind one figure, `own` the region whose total is shown."""
    keys = [k for k, _label in series]
    return {
        "key": key,
        "title": title,
        "order": order,
        "series": [{"key": k, "label": str(label)} for k, label in series],
        "rows": [
            {
                "label": child.name,
                "region_id": child.pk,
                "values": [per_child.get(child.pk, {}).get(k, 0) for k in keys],
                "urls": [url_for(child.pk, k) for k in keys],
            }
            for child in children
        ],
        "total": {
            "values": [sum(row.get(k, 0) for row in per_child.values()) for k in keys],
            "urls": [url_for(own, k) for k in keys],
        },
    }
