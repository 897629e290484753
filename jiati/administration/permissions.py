"""Delegated administration, least privilege: who may create or change whose login.

- The platform administrator manages every account.
- A district office manages the accounts of its district (region staff, property offices in it) and the logins of
  companies (construction teams and maintainers work across the district).
- A subdistrict group manages, inside its subdistrict, only roles at or below its own (subdistrict, community,
  property office).
- A company's own administrator (`User.is_unit_admin`) manages its company's logins, and no one else's.

A change is allowed only if the actor may manage the account both as it is and as it would be, so no one can raise
a login above their own reach.
"""

from __future__ import annotations

from jiati.accounts.models import COMPANY_ROLES, REGION_ROLES, Role

# Roles a subdistrict group may give: its own and those below it.
SUBDISTRICT_GIVES = frozenset({Role.SUBDISTRICT, Role.COMMUNITY, Role.PROPERTY})
# Roles a district office may give: everything but the platform administrator (and residents, who sign in on the
# portal with a one-time code).
DISTRICT_GIVES = frozenset({*REGION_ROLES, Role.PROPERTY, *COMPANY_ROLES})
MANAGED_ROLES = frozenset({*DISTRICT_GIVES, Role.PLATFORM_ADMIN})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_platform_admin(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.PLATFORM_ADMIN)


def can_load_divisions(user) -> bool:
    return is_platform_admin(user)


def can_administer(user) -> bool:
    """Whether the user administers any accounts at all (shows the administration pages)."""
    if not _active(user):
        return False
    if is_platform_admin(user) or user.role in (Role.DISTRICT_OFFICE, Role.SUBDISTRICT):
        return bool(is_platform_admin(user) or user.region_id)
    return bool(user.is_unit_admin and user.role in COMPANY_ROLES and user.company_id)


def _region_path_of(*, role, region=None, property_office=None) -> str | None:
    if role in REGION_ROLES:
        return region.path if region is not None else None
    if role == Role.PROPERTY:
        return property_office.community.path if property_office is not None else None
    return None


def can_manage(actor, *, role: str, region=None, property_office=None, company=None) -> bool:
    """May `actor` hold an account with this role and unit (create it, change it, or change an account into it)?"""
    if not _active(actor) or role not in MANAGED_ROLES:
        return False
    if is_platform_admin(actor):
        return True
    if actor.role in COMPANY_ROLES:
        return bool(
            actor.is_unit_admin and role in COMPANY_ROLES and company is not None and company.pk == actor.company_id
        )
    if actor.role == Role.DISTRICT_OFFICE and actor.region_id:
        if role in COMPANY_ROLES:
            return company is not None
        gives = DISTRICT_GIVES
    elif actor.role == Role.SUBDISTRICT and actor.region_id:
        gives = SUBDISTRICT_GIVES
    else:
        return False
    if role not in gives:
        return False
    path = _region_path_of(role=role, region=region, property_office=property_office)
    return bool(path and path.startswith(actor.region.path))


def can_manage_user(actor, target) -> bool:
    """May `actor` change this account as it is now (deactivate, reset, change)?"""
    if target.is_superuser and not actor.is_superuser:
        return False
    return can_manage(
        actor,
        role=target.role,
        region=target.region,
        property_office=target.property_office,
        company=target.company,
    )


def second_factor_roles() -> frozenset[str]:
    """Roles that must sign in with a second factor: the platform administrator, every role that reaches a whole
    district (district office, finance) and every role that sees money or full ID numbers."""
    from jiati.accounts.permissions import PERSONAL_DATA_ROLES

    return frozenset(
        {Role.PLATFORM_ADMIN, Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE}
        | PERSONAL_DATA_ROLES["id_number"]
        | PERSONAL_DATA_ROLES["bank_account"]
    )


def requires_second_factor(user) -> bool:
    return bool(_active(user) and (user.is_superuser or user.role in second_factor_roles()))
