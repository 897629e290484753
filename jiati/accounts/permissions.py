"""What each role may do (beyond what it may see, which is `jiati.accounts.scoping`)."""

from __future__ import annotations

from jiati.accounts.models import Role

# Who sees personal data in full. Everyone else sees it masked, in pages, API and exports.
PERSONAL_DATA_ROLES: dict[str, frozenset[str]] = {
    # Community workstations check owners' identity for votes and registrations.
    "id_number": frozenset({Role.COMMUNITY, Role.PLATFORM_ADMIN}),
    # Front-line staff call owners.
    "phone": frozenset({Role.COMMUNITY, Role.PROPERTY, Role.SUBDISTRICT, Role.PLATFORM_ADMIN}),
    # Finance pays subsidies into the account.
    "bank_account": frozenset({Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN}),
}

HOUSING_EDITORS = frozenset(
    {Role.DISTRICT_OFFICE, Role.SUBDISTRICT, Role.COMMUNITY, Role.PROPERTY, Role.PLATFORM_ADMIN}
)
HOUSING_IMPORTERS = frozenset({Role.DISTRICT_OFFICE, Role.SUBDISTRICT, Role.COMMUNITY, Role.PLATFORM_ADMIN})
ORGANISATION_EDITORS = frozenset({Role.DISTRICT_OFFICE, Role.SUBDISTRICT, Role.PLATFORM_ADMIN})


def has_role(user, roles) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.role in roles or user.is_superuser))


def sees_personal_data(user, kind: str) -> bool:
    return has_role(user, PERSONAL_DATA_ROLES[kind])


def can_edit_housing(user) -> bool:
    return has_role(user, HOUSING_EDITORS)


def can_import_housing(user) -> bool:
    return has_role(user, HOUSING_IMPORTERS)


def can_edit_organisation(user) -> bool:
    return has_role(user, ORGANISATION_EDITORS)
