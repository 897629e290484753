"""Who may do what with companies: district staff keep the registry and the red/black list; a company's own
administrator keeps its contacts and submits renewed licences (which the district confirms)."""

from __future__ import annotations

from jiati.accounts.models import COMPANY_ROLES, Role

DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})


def is_district_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in DISTRICT_ROLES))


def can_edit_registry(user) -> bool:
    """Add and edit companies and licences, confirm renewals, review and publish the lists, decide appeals."""
    return is_district_staff(user)


def is_company_admin(user, company) -> bool:
    """The company's own administrator (the `is_unit_admin` flag the accounts app keeps on a user)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in COMPANY_ROLES
        and company is not None
        and user.company_id == company.pk
        and getattr(user, "is_unit_admin", False)
    )


def can_keep_contacts(user, company) -> bool:
    return can_edit_registry(user) or is_company_admin(user, company)


def can_submit_licence(user, company) -> bool:
    return can_edit_registry(user) or is_company_admin(user, company)


def can_appeal(user, company) -> bool:
    return is_company_admin(user, company)
