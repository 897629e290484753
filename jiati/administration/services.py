"""Writes on staff and company logins: create (one, or many from a spreadsheet), change role or unit, deactivate,
reactivate and reset the password. Each checks delegated administration (`permissions`), refuses bad input with
the field named, and writes an audit entry.

`actor=None` means the server's operator at the command line (management commands for the first start, before
anyone can sign in); pages and the API always pass the signed-in user.

A new or reset account has no usable password: the person chooses one through a one-time link (Django's token
generator: the token dies once the password changes), sent by text message. No password is ever shown or sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.models import COMPANY_ROLES, REGION_ROLES, Role, User
from jiati.administration.permissions import MANAGED_ROLES, can_manage, can_manage_user
from jiati.administration.tables import Column, read_table
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, save_if_changed, snapshot
from jiati.companies.models import Company
from jiati.core.errors import Refusals, refuse
from jiati.core.personal_data import mask_phone
from jiati.core.site import absolute_url
from jiati.notifications.channels import get_sms_sender
from jiati.organisation.models import PropertyOffice, Region

logger = logging.getLogger(__name__)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[\w.@+-]{3,150}$")


def _allowed(actor, **unit) -> bool:
    return actor is None or can_manage(actor, **unit)


def _allowed_user(actor, user) -> bool:
    return actor is None or can_manage_user(actor, user)


# --- inputs ---------------------------------------------------------------------------------------------------


def role_from_text(text: str) -> str:
    """A role from its code, or its Chinese or English name (as typed in a spreadsheet)."""
    value = (text or "").strip()
    for role in Role:
        if role not in MANAGED_ROLES:
            continue
        with translation.override("zh-hans"):
            zh = str(role.label)
        if value.lower() in {role.value, str(role.label).lower(), zh, zh.lower()}:
            return role.value
        with translation.override("en"):
            if value.lower() == str(role.label).lower():
                return role.value
    raise refuse(_("Unknown role %(role)s.") % {"role": value}, code="unknown_role", field="role")


def unit_resolve(*, role: str, unit_code: str) -> dict:
    """The unit fields for a role from its unit's code: a division code, a property office's code, or a company's
    unified social credit code. Refuses an unknown code or a unit that does not fit the role."""
    code = (unit_code or "").strip()
    units = {"region": None, "property_office": None, "company": None}
    if role == Role.PLATFORM_ADMIN:
        if code:
            raise refuse(_("A platform administrator belongs to no unit."), code="unit_not_fitting", field="unit")
        return units
    if not code:
        raise refuse(_("Give the unit's code."), code="unit_missing", field="unit")
    if role in REGION_ROLES:
        region = Region.objects.filter(code=code, is_retired=False).first()
        if region is None:
            raise refuse(_("No division has code %(code)s.") % {"code": code}, code="unknown_unit", field="unit")
        if region.level not in REGION_ROLES[role]:
            raise refuse(
                _("%(role)s does not fit %(unit)s (a %(level)s).")
                % {"role": Role(role).label, "unit": region.name, "level": region.get_level_display()},
                code="unit_not_fitting",
                field="unit",
            )
        units["region"] = region
    elif role == Role.PROPERTY:
        office = PropertyOffice.objects.select_related("community").filter(code=code).first()
        if office is None:
            raise refuse(_("No property office has code %(code)s.") % {"code": code}, code="unknown_unit", field="unit")
        units["property_office"] = office
    elif role in COMPANY_ROLES:
        company = Company.objects.filter(credit_code=code).first()
        if company is None:
            raise refuse(_("No company has credit code %(code)s.") % {"code": code}, code="unknown_unit", field="unit")
        fits = company.is_contractor if role == Role.CONTRACTOR else company.is_maintainer
        if not fits:
            raise refuse(
                _("%(company)s is not registered as a %(role)s.") % {"company": company.name, "role": Role(role).label},
                code="unit_not_fitting",
                field="unit",
            )
        units["company"] = company
    return units


def unit_code_of(user) -> str:
    if user.region_id:
        return user.region.code
    if user.property_office_id:
        return user.property_office.code
    if user.company_id:
        return user.company.credit_code
    return ""


def _check_phone(phone: str, *, exclude_pk=None) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not MOBILE_RE.match(phone):
        raise refuse(_("Enter an 11-digit mobile number."), code="invalid_phone", field="phone")
    if User.objects.filter(phone=phone).exclude(pk=exclude_pk).exists():
        raise refuse(_("Another account already has this phone number."), code="duplicate_phone", field="phone")
    return phone


def _check_username(username: str, *, exclude_pk=None) -> str:
    if not USERNAME_RE.match(username):
        raise refuse(
            _("A login has 3 to 150 letters, digits or . @ + - _ characters."), code="invalid_login", field="username"
        )
    if User.objects.filter(username__iexact=username).exclude(pk=exclude_pk).exists():
        raise refuse(_("This login is already taken."), code="duplicate_login", field="username")
    return username


# --- the one-time link ----------------------------------------------------------------------------------------


def set_password_url(user: User) -> str:
    """The one-time address where the person chooses a password (dies once a password is set)."""
    path = reverse(
        "administration:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return absolute_url(path)


def _send_link(user: User) -> None:
    """Text the link once the change is committed (a refused or dry run sends nothing)."""
    if not user.phone:
        return
    url = set_password_url(user)
    text = _("Jiati: choose your password at %(url)s (valid for %(days)s days, once).") % {
        "url": url,
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }

    def send():
        try:
            get_sms_sender().send(phone=user.phone, text=text)
        except Exception:  # the account stays; an administrator can send a new link
            logger.exception("set-password link to %s not sent", mask_phone(user.phone))

    transaction.on_commit(send)


# --- services -------------------------------------------------------------------------------------------------


def _active_platform_admins():
    return User.objects.filter(is_active=True, role=Role.PLATFORM_ADMIN)


@transaction.atomic
def staff_create(
    *,
    actor,
    full_name: str,
    phone: str,
    role: str,
    unit_code: str = "",
    username: str = "",
    is_unit_admin: bool = False,
) -> User:
    """Create a login with no usable password and text the person the link to choose one."""
    full_name = (full_name or "").strip()
    with Refusals() as checked:  # every wrong field at once
        if not full_name:
            checked.add(refuse(_("The name is missing."), code="required", field="full_name"))
        elif len(full_name) > 100:
            checked.add(refuse(_("The name is longer than 100 characters."), code="max_length", field="full_name"))
        phone = checked(_check_phone, phone)
        login = (username or "").strip() or (phone or "")
        username = checked(_check_username, login) if login else None  # no second error for a bad phone
        units = checked(unit_resolve, role=role, unit_code=unit_code) if role in MANAGED_ROLES else None
        if role not in MANAGED_ROLES:
            checked.add(refuse(_("Unknown role %(role)s.") % {"role": role}, code="unknown_role", field="role"))
    if not _allowed(actor, role=role, **units):
        raise PermissionDenied
    if is_unit_admin and role not in COMPANY_ROLES:
        raise refuse(
            _("Only a company login administers its company."),
            code="unit_admin_not_fitting",
            field="is_unit_admin",
        )
    user = User(username=username, full_name=full_name, phone=phone, role=role, is_unit_admin=is_unit_admin, **units)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_created(actor=actor, instance=user, message="account created")
    _send_link(user)
    return user


@transaction.atomic
def staff_change(
    *,
    actor,
    user: User,
    full_name: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    unit_code: str | None = None,
    is_unit_admin: bool | None = None,
) -> User:
    """Change a login's name, phone, role, unit or unit-administrator flag (only what is given)."""
    if not _allowed_user(actor, user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user)
    new_role = role or user.role
    with Refusals() as checked:  # the role, the name and the phone at once
        if new_role not in MANAGED_ROLES:
            checked.add(refuse(_("Unknown role %(role)s.") % {"role": new_role}, code="unknown_role", field="role"))
        if full_name is not None and not full_name.strip():
            checked.add(refuse(_("The name is missing."), code="required", field="full_name"))
        if phone is not None:
            phone = checked(_check_phone, phone, exclude_pk=user.pk)
    if role is not None or unit_code is not None:
        units = unit_resolve(role=new_role, unit_code=unit_code if unit_code is not None else unit_code_of(user))
        if not _allowed(actor, role=new_role, **units):
            raise PermissionDenied
        if user.role == Role.PLATFORM_ADMIN and new_role != Role.PLATFORM_ADMIN and user.is_active:
            _keep_one_platform_admin(user, field="role")
        user.role = new_role
        for key, value in units.items():
            setattr(user, key, value)
    if full_name is not None:
        user.full_name = full_name.strip()
    if phone is not None:
        user.phone = phone
    if is_unit_admin is not None:
        if is_unit_admin and user.role not in COMPANY_ROLES:
            raise refuse(
                _("Only a company login administers its company."),
                code="unit_admin_not_fitting",
                field="is_unit_admin",
            )
        user.is_unit_admin = is_unit_admin
    if user.role not in COMPANY_ROLES:
        user.is_unit_admin = False
    user.full_clean(exclude=["password"])
    save_if_changed(actor=actor, instance=user, before=before, message="account changed")
    return user


def _keep_one_platform_admin(user: User, *, field: str) -> None:
    others = _active_platform_admins().exclude(pk=user.pk).select_for_update()
    if not list(others[:1]):
        raise refuse(
            _("%(name)s is the last platform administrator: appoint another one first.") % {"name": user.display_name},
            code="last_platform_admin",
            field=field,
        )


@transaction.atomic
def staff_deactivate(*, actor, user: User, reason: str = "") -> User:
    """Stop a login from signing in (never deleted: the audit trail keeps the name); its API token dies."""
    if not _allowed_user(actor, user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    if user.role == Role.PLATFORM_ADMIN:
        _keep_one_platform_admin(user, field="is_active")
    user.is_active = False
    user.save(update_fields=["is_active"])
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    audit_record(
        actor=actor, instance=user, action=AuditAction.UPDATE, changes={"is_active": [True, False]}, message=reason
    )
    return user


@transaction.atomic
def staff_reactivate(*, actor, user: User) -> User:
    if not _allowed_user(actor, user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, instance=user, action=AuditAction.UPDATE, changes={"is_active": [False, True]})
    return user


@transaction.atomic
def staff_password_reset(*, actor, user: User) -> User:
    """Void the password and text a new one-time link; the person chooses the new password."""
    if not _allowed_user(actor, user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(actor=actor, instance=user, action=AuditAction.EVENT, message="password reset")
    _send_link(user)
    return user


# --- many from a spreadsheet ----------------------------------------------------------------------------------

STAFF_COLUMNS = [
    Column("full_name", "姓名", gettext_lazy("Name")),
    Column("phone", "手机号", gettext_lazy("Phone")),
    Column("role", "角色", gettext_lazy("Role")),
    Column("unit", "单位代码", gettext_lazy("Unit code"), required=False),
    Column("username", "登录名", gettext_lazy("Login"), required=False),
    Column("is_unit_admin", "单位管理员", gettext_lazy("Unit administrator"), required=False),
]
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√"}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class StaffImportResult:
    dry_run: bool
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors


COLUMN_OF_FIELD = {"full_name": "full_name", "phone": "phone", "role": "role", "unit": "unit", "username": "username"}


def staff_import(*, actor, path: str, name: str, dry_run: bool) -> StaffImportResult:
    """Create the logins of a spreadsheet (name, phone, role, unit code[, login, unit administrator]).

    All or nothing: every row is checked (against the database and against the file's other rows); one bad row,
    or a dry run, writes nothing and texts no one."""
    records = read_table(path, name, STAFF_COLUMNS)
    result = StaffImportResult(dry_run=dry_run, rows=len(records))
    seen_phone: dict[str, int] = {}
    seen_login: dict[str, int] = {}
    labels = {c.key: str(c.en) for c in STAFF_COLUMNS}
    with transaction.atomic():
        for number, values in records:
            phone = re.sub(r"[\s-]", "", values.get("phone", ""))
            login = (values.get("username") or phone).lower()
            if phone in seen_phone:
                result.errors.append(
                    RowError(
                        number, labels["phone"], _("The phone is already on row %(row)s.") % {"row": seen_phone[phone]}
                    )
                )
                continue
            if login in seen_login:
                result.errors.append(
                    RowError(
                        number,
                        labels["username"],
                        _("The login is already on row %(row)s.") % {"row": seen_login[login]},
                    )
                )
                continue
            seen_phone[phone], seen_login[login] = number, number
            try:
                role = role_from_text(values.get("role", ""))
                with transaction.atomic():
                    staff_create(
                        actor=actor,
                        full_name=values.get("full_name", ""),
                        phone=phone,
                        role=role,
                        unit_code=values.get("unit", ""),
                        username=values.get("username", ""),
                        is_unit_admin=values.get("is_unit_admin", "").strip().lower() in TRUE_WORDS,
                    )
            except PermissionDenied:
                result.errors.append(
                    RowError(number, labels["unit"], _("You may not create a login of this role in this unit."))
                )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    column = labels.get(COLUMN_OF_FIELD.get(key, ""), key)
                    for message in messages:
                        result.errors.append(RowError(number, column, message))
            else:
                result.created += 1
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result
