"""Reads on users, scoped like everything else."""

from __future__ import annotations

from jiati.accounts.models import STAFF_ROLES, User
from jiati.accounts.scoping import area_q, sees_everything


def staff_visible_to(*, user):
    """Staff in the user's area: those of their region's subtree and of the property offices in it."""
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("full_name", "username")
    if sees_everything(user):
        return staff
    in_regions = area_q(user, region_path="region__path", property_office="property_office")
    in_offices = area_q(user, region_path="property_office__community__path", property_office="property_office")
    return staff.filter(in_regions | in_offices)
