"""Reads for administration: the accounts an administrator manages."""

from __future__ import annotations

from django.db.models import Q

from jiati.accounts.models import COMPANY_ROLES, REGION_ROLES, Role, User
from jiati.accounts.scoping import NOTHING, area_q
from jiati.administration.permissions import DISTRICT_GIVES, MANAGED_ROLES, SUBDISTRICT_GIVES, is_platform_admin
from jiati.audit.models import Disclosure


def accounts_manageable_by(*, actor):
    """The staff and company logins `actor` administers (the same rule as `permissions.can_manage`, as a query)."""
    users = User.objects.select_related("region", "property_office", "company").order_by("full_name", "username")
    if is_platform_admin(actor):
        return users.filter(role__in=MANAGED_ROLES)
    if not (actor.is_authenticated and actor.is_active):
        return users.none()
    if actor.role in COMPANY_ROLES:
        if actor.is_unit_admin and actor.company_id:
            return users.filter(role__in=COMPANY_ROLES, company_id=actor.company_id)
        return users.none()
    if actor.role == Role.DISTRICT_OFFICE:
        gives, companies = DISTRICT_GIVES, Q(role__in=COMPANY_ROLES)
    elif actor.role == Role.SUBDISTRICT:
        gives, companies = SUBDISTRICT_GIVES, NOTHING
    else:
        return users.none()
    in_regions = Q(role__in=[r for r in REGION_ROLES if r in gives]) & area_q(
        actor, region_path="region__path", property_office=None
    )
    in_offices = Q(role=Role.PROPERTY) & area_q(
        actor, region_path="property_office__community__path", property_office=None
    )
    return users.filter(in_regions | in_offices | companies)


def staff_by_phone_or_login(*, actor, key: str):
    """An active staff member of the actor's area, by phone or login (None if there is none)."""
    from jiati.accounts.selectors import staff_visible_to

    key = (key or "").strip()
    if not key:
        return None
    return staff_visible_to(user=actor).filter(Q(phone=key) | Q(username__iexact=key)).first()


def disclosures_visible_to(*, actor):
    """Who was shown full ID numbers and bank accounts: the platform administrator sees every display, another
    administrator the displays to the logins they administer (`accounts_manageable_by`)."""
    records = Disclosure.objects.select_related("viewer").order_by("-id")
    if is_platform_admin(actor):
        return records
    return records.filter(viewer__in=accounts_manageable_by(actor=actor).values("pk"))
