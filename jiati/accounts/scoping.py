"""What a user may see, derived from their place in the organisation tree.

Every model's `QuerySet.visible_to(user)` is built from `area_q` below, so the
rule lives in one place: staff see everything under their region (a district
sees its subdistricts and communities), property-office staff see the estates
their office manages, platform administrators see all, and everyone else sees
nothing unless a model adds its own rule (contractors: their projects).
"""

from __future__ import annotations

from django.db.models import Q

from jiati.accounts.models import REGION_ROLES, Role

NOTHING = Q(pk__in=[])


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.PLATFORM_ADMIN))


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
        return Q(**{f"{region_path}__startswith": user.region.path})
    if user.role == Role.PROPERTY and user.property_office_id and property_office:
        return Q(**{property_office: user.property_office_id})
    return NOTHING
