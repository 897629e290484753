"""What a user may see, derived from their place in the organisation tree.

Every model's `QuerySet.visible_to(user)` is built from `area_q` below, so the
rule lives in one place: staff see everything under their region (a district
sees its subdistricts and communities), property-office staff see the estates
their office manages, platform administrators see all, and everyone else sees
nothing unless a model adds its own rule (contractors: their projects).
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q

from jiati.accounts.models import REGION_ROLES, Role

NOTHING = Q(pk__in=[])


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.PLATFORM_ADMIN))


# Up to this many communities, scoping lists them by id (an IN list the planner can estimate) instead of
# joining the region table on a path prefix.
COMMUNITY_LIST_LIMIT = 5000
NARROW_LEVELS = frozenset({"district", "subdistrict", "community"})


def community_ids_of(user) -> list[int] | None:
    """The ids of the communities under a region user's unit (cached on the user), or None if there are too many."""
    if not hasattr(user, "_jiati_community_ids"):
        region_model = apps.get_model("organisation", "Region")
        ids = list(
            region_model.objects.filter(level="community", path__startswith=user.region.path).values_list(
                "id", flat=True
            )[: COMMUNITY_LIST_LIMIT + 1]
        )
        user._jiati_community_ids = ids if len(ids) <= COMMUNITY_LIST_LIMIT else None
    return user._jiati_community_ids


def has_narrow_scope(user) -> bool:
    """A district or smaller: its rows are a small, clustered share of a national table.

    Lists then sort the scoped rows themselves rather than walk the whole table's id index
    (`web.lists`, `web.pagination`).
    """
    if not user.is_authenticated or sees_everything(user):
        return False
    if user.role == Role.PROPERTY:
        return True
    return bool(user.region_id and user.region.level in NARROW_LEVELS)


def area_q(user, *, region_path: str | None, property_office: str | None) -> Q:
    """A filter limiting a queryset to the user's area.

    `region_path` is the lookup to the object's community path (e.g. "community__path"),
    `property_office` the lookup to its property office id (e.g. "estate__property_office");
    either may be None when the model has no such link.
    """
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if sees_everything(user):
        return Q()
    if user.role in REGION_ROLES and user.region_id and region_path:
        if region_path.endswith("community__path"):
            ids = community_ids_of(user)
            if ids is not None:
                return Q(**{f"{region_path[: -len('__path')]}__in": ids})
        return Q(**{f"{region_path}__startswith": user.region.path})
    if user.role == Role.PROPERTY and user.property_office_id and property_office:
        return Q(**{property_office: user.property_office_id})
    return NOTHING
