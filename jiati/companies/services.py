"""Writes on companies: the registry, licences and contacts, reminders before a licence expires.

The scores and the red/black list have their own module, `ranking.py`. Every write checks who may do it,
validates everything before writing (one ValidationError naming each field), locks the row and is audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.accounts.models import Role, User
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record, diff, save_if_changed, snapshot
from jiati.companies import permissions
from jiati.companies.models import KIND_FIELDS, Company, CompanyContact, Licence, LicenceStatus
from jiati.core.errors import Refusals, refuse
from jiati.core.personal_data import validate_credit_code, validate_phone
from jiati.core.stored_text import Message
from jiati.core.uploads import check_upload
from jiati.notifications.services import notify

COMPANY_FIELDS = (
    "name",
    "credit_code",
    "brand",
    *KIND_FIELDS.values(),
    "contact_name",
    "contact_phone",
    "hotline",
    "address",
)
LICENCE_FIELDS = ("company", "kind", "number", "scope", "issued_on", "expires_on", "status", "confirmed_by")
# Reminders go out this many days before a licence expires (and again on the day it has expired).
LICENCE_REMINDER_DAYS = 30


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _clean_company(data: dict, *, instance: Company | None) -> dict:
    """Every problem at once, each on its field."""
    errors: dict[str, list] = {}
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in COMPANY_FIELDS}
    if not cleaned.get("name"):
        errors["name"] = [ValidationError(_("Give the company's name."), code="required")]
    try:
        cleaned["credit_code"] = validate_credit_code(cleaned.get("credit_code") or "")
    except ValidationError as exc:
        errors["credit_code"] = [exc]
    else:
        duplicate = Company.objects.filter(credit_code=cleaned["credit_code"])
        if instance is not None:
            duplicate = duplicate.exclude(pk=instance.pk)
        other = duplicate.first()
        if other is not None:
            errors["credit_code"] = [
                ValidationError(
                    _("“%(name)s” is already registered with this credit code."),
                    code="duplicate_credit_code",
                    params={"name": other.name},
                )
            ]
    for field in ("contact_phone", "hotline"):
        if cleaned.get(field):
            try:
                cleaned[field] = validate_phone(cleaned[field])
            except ValidationError as exc:
                errors[field] = [exc]
    if not any(cleaned.get(field) for field in KIND_FIELDS.values()):
        errors["kinds"] = [ValidationError(_("Tick at least one kind of company."), code="no_kind")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def company_create(*, actor, **data) -> Company:
    """Register a company (district staff)."""
    _require(permissions.can_edit_registry(actor))
    cleaned = _clean_company(data, instance=None)
    try:
        with transaction.atomic():
            company = Company.objects.create(**cleaned)
    except IntegrityError:  # registered by someone else at the same moment
        raise refuse(
            _("A company with this credit code is already registered."),
            code="duplicate_credit_code",
            field="credit_code",
        ) from None
    audit_record(actor=actor, instance=company, action=AuditAction.CREATE, changes=diff({}, snapshot(company)))
    return company


@transaction.atomic
def company_update(*, actor, company: Company, **data) -> Company:
    _require(permissions.can_edit_registry(actor))
    company = Company.objects.select_for_update().get(pk=company.pk)
    before = snapshot(company)
    cleaned = _clean_company({**snapshot(company, COMPANY_FIELDS), **data}, instance=company)
    for name, value in cleaned.items():
        setattr(company, name, value)
    save_if_changed(actor=actor, instance=company, before=before)
    return company


# --- licences ------------------------------------------------------------------------------------------


def _district_staff():
    return User.objects.filter(role=Role.DISTRICT_OFFICE, is_active=True)


@transaction.atomic
def licence_add(
    *,
    actor,
    company: Company,
    kind: str,
    number: str,
    issued_on: dt.date | None,
    expires_on: dt.date | None,
    scope: str = "",
    upload=None,
) -> Licence:
    """Record a licence. District staff record it confirmed; a company's administrator submits a renewal,
    which counts once the district confirms it."""
    _require(permissions.can_submit_licence(actor, company))
    with Refusals() as checked:  # every wrong field at once
        if not (number or "").strip():
            checked.add(refuse(_("Give the licence number."), code="required", field="number"))
        if issued_on is None:
            checked.add(refuse(_("Give the date of issue."), code="required", field="issued_on"))
        if expires_on is None:
            checked.add(refuse(_("Give the expiry date."), code="required", field="expires_on"))
        elif issued_on is not None and expires_on <= issued_on:
            checked.add(
                refuse(
                    _("The licence cannot expire (%(expires)s) on or before the day it was issued (%(issued)s)."),
                    code="expiry_before_issue",
                    params={"expires": expires_on.isoformat(), "issued": issued_on.isoformat()},
                    field="expires_on",
                )
            )
        if upload is not None:
            checked(check_upload, upload, field="file", allowed=(".pdf", ".png", ".jpg", ".jpeg"))
    by_district = permissions.can_edit_registry(actor)
    licence = Licence(
        company=company,
        kind=kind,
        number=number.strip(),
        scope=(scope or "").strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        submitted_by=actor,
        status=LicenceStatus.CONFIRMED if by_district else LicenceStatus.PENDING,
        confirmed_by=actor if by_district else None,
        confirmed_at=timezone.now() if by_district else None,
    )
    if upload is not None:
        licence.file.save(upload.name, upload, save=False)
    licence.save()
    audit_record(
        actor=actor, instance=licence, action=AuditAction.CREATE, changes=diff({}, snapshot(licence, LICENCE_FIELDS))
    )
    if not by_district:
        notify(
            recipients=_district_staff(),
            kind="licence_submitted",
            title=Message(gettext_noop("%(company)s submitted a licence to confirm"), company=company.name),
            url=reverse("companies:detail", args=[company.pk]),
            dedupe_key=f"licence-submitted-{licence.pk}",
        )
    return licence


@transaction.atomic
def licence_confirm(*, actor, licence: Licence, approve: bool, note: str = "") -> Licence:
    """The district confirms (or rejects) a licence a company submitted."""
    _require(permissions.can_edit_registry(actor))
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    if licence.status != LicenceStatus.PENDING:
        raise refuse(_("This licence has already been decided."), code="licence_decided")
    if not approve and not note.strip():
        raise refuse(_("Say why the licence is rejected."), code="reason_required", field="note")
    before = snapshot(licence, LICENCE_FIELDS)
    licence.status = LicenceStatus.CONFIRMED if approve else LicenceStatus.REJECTED
    licence.confirmed_by, licence.confirmed_at = actor, timezone.now()
    licence.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(
        actor=actor,
        instance=licence,
        action=AuditAction.UPDATE,
        changes=diff(before, snapshot(licence, LICENCE_FIELDS)),
        message=note,
    )
    notify(
        recipients=licence.company.staff.filter(is_active=True),
        kind="licence_decided",
        title=Message(
            gettext_noop("Your licence %(number)s was confirmed")
            if approve
            else gettext_noop("Your licence %(number)s was rejected"),
            number=licence.number,
        ),
        body=note,
        url=reverse("companies:detail", args=[licence.company_id]),
        dedupe_key=f"licence-decided-{licence.pk}",
    )
    return licence


def licence_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell the company's staff and the district office about confirmed licences that expire within
    LICENCE_REMINDER_DAYS and have no newer confirmed licence of the same kind. Once per licence and expiry."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=LICENCE_REMINDER_DAYS)
    sent = 0
    expiring = (
        Licence.objects.filter(status=LicenceStatus.CONFIRMED, expires_on__lte=horizon)
        .exclude(reminded_for=today)
        .select_related("company")
    )
    for licence in expiring:
        newer = Licence.objects.filter(
            company_id=licence.company_id,
            kind=licence.kind,
            status=LicenceStatus.CONFIRMED,
            expires_on__gt=licence.expires_on,
        ).exists()
        if newer or licence.expires_on < today - dt.timedelta(days=LICENCE_REMINDER_DAYS):
            continue
        stage = "expired" if licence.expires_on < today else "expiring"
        title = Message(
            gettext_noop("%(company)s: licence %(number)s expired on %(date)s")
            if stage == "expired"
            else gettext_noop("%(company)s: licence %(number)s expires on %(date)s"),
            company=licence.company.name,
            number=licence.number,
            date=licence.expires_on,
        )
        created = notify(
            recipients=[*licence.company.staff.filter(is_active=True), *_district_staff()],
            kind="licence_expiry",
            title=title,
            url=reverse("companies:detail", args=[licence.company_id]),
            dedupe_key=f"licence-{licence.pk}-{stage}-{licence.expires_on.isoformat()}",
        )
        sent += len(created)
    return sent


# --- contacts ------------------------------------------------------------------------------------------


@transaction.atomic
def contact_save(
    *, actor, company: Company, name: str, phone: str, position: str = "", email: str = "", contact=None
) -> CompanyContact:
    """Add a contact, or change one (`contact`), for district staff or the company's administrator."""
    _require(permissions.can_keep_contacts(actor, company))
    errors: dict[str, list] = {}
    if not (name or "").strip():
        errors["name"] = [ValidationError(_("Give the contact's name."), code="required")]
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = [exc]
    if errors:
        raise ValidationError(errors)
    if contact is None:
        contact = CompanyContact(company=company)
        before = {}
    else:
        contact = CompanyContact.objects.select_for_update().get(pk=contact.pk, company=company)
        before = snapshot(contact)
    contact.name, contact.phone, contact.position, contact.email = name.strip(), phone, position.strip(), email.strip()
    contact.save()
    audit_record(
        actor=actor,
        instance=contact,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        changes=diff(before, snapshot(contact)),
    )
    return contact


@transaction.atomic
def contact_remove(*, actor, contact: CompanyContact) -> None:
    _require(permissions.can_keep_contacts(actor, contact.company))
    audit_record(actor=actor, instance=contact, action=AuditAction.DELETE, changes=diff(snapshot(contact), {}))
    contact.delete()
