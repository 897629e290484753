"""Payments: batches and ledger entries (append-only; reversals are negative entries), recorded idempotently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record, snapshot
from jiati.core.errors import Refusals, refuse
from jiati.core.services import require
from jiati.core.stored_text import Message
from jiati.organisation.models import Region
from jiati.subsidies import permissions, rules, selectors
from jiati.subsidies.models import (
    Budget,
    EntryKind,
    LedgerEntry,
    PaymentBatch,
    Status,
    SubsidyApplication,
)
from jiati.subsidies.services.common import (
    APPLICATION_AUDIT_FIELDS,
    _audit,
    _event,
    _locked,
    _not_future,
    _tell,
    _tell_holders,
    _text,
    district_of,
)


@transaction.atomic
def payment_batch_create(*, actor, number: str, paid_on: dt.date, note: str = "", region=None) -> PaymentBatch:
    """Open a batch of payments made together (one transfer list, printed as the payment list)."""
    require(permissions.can_pay(actor))
    region = region or (district_of(actor.region) if actor.region_id else None)
    with Refusals() as checked:  # every wrong field at once (issue 13)
        if region is None:
            checked.add(refuse(_("Choose the district that pays."), code="region_required", field="region"))
        elif not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
            raise PermissionDenied
        number = checked(_text, number, field="number", label=_("batch number"), max_length=40)
        checked(_not_future, paid_on, field="paid_on")
    if PaymentBatch.objects.filter(number=number).exists():
        raise refuse(
            _("Batch number %(number)s is already used.") % {"number": number}, code="batch_used", field="number"
        )
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(
                number=number, region=region, paid_on=paid_on, note=note.strip()[:255], created_by=actor
            )
    except IntegrityError:
        raise refuse(
            _("Batch number %(number)s is already used.") % {"number": number}, code="batch_used", field="number"
        ) from None
    audit_created(actor=actor, instance=batch)
    return batch


def _same(entry: LedgerEntry, *, application, kind, amount, voucher_no, paid_on, reverses=None) -> bool:
    return (
        entry.application_id == application.pk
        and entry.kind == kind
        and entry.amount == amount
        and entry.voucher_no == voucher_no
        and entry.paid_on == paid_on
        and entry.reverses_id == (reverses.pk if reverses else None)
    )


def _replay(*, idempotency_key: str, voucher_no: str, **expected) -> LedgerEntry | None:
    """The row an identical earlier request created, or None; a conflicting reuse is refused."""
    if idempotency_key:
        entry = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if entry is not None:
            if _same(entry, voucher_no=voucher_no, **expected):
                return entry
            raise refuse(
                _("This request was already used to record voucher %(voucher)s; reload the page and start again.")
                % {"voucher": entry.voucher_no},
                code="request_reused",
            )
    entry = LedgerEntry.objects.select_related("application__project").filter(voucher_no=voucher_no).first()
    if entry is not None:
        if _same(entry, voucher_no=voucher_no, **expected):
            return entry
        raise refuse(
            _("Voucher number %(voucher)s is already used (%(code)s, %(amount)s on %(date)s).")
            % {
                "voucher": voucher_no,
                "code": entry.application.project.code,
                "amount": rules.yuan(entry.amount),
                "date": entry.paid_on.isoformat(),
            },
            code="voucher_used",
            field="voucher_no",
        )
    return None


def _insert(entry: LedgerEntry, replay_kwargs: dict) -> tuple[LedgerEntry, bool]:
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        # Another request wrote the same voucher or key between our check and our insert.
        existing = _replay(**replay_kwargs)
        if existing is not None:
            return existing, False
        raise
    return entry, True


def _clean_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if len(key) > 64:
        raise refuse(_("The request key is too long."), code="request_key_too_long")
    return key


def payment_record(
    *,
    actor,
    application: SubsidyApplication,
    amount,
    voucher_no: str,
    paid_on: dt.date | None = None,
    batch: PaymentBatch | None = None,
    idempotency_key: str = "",
    note: str = "",
) -> tuple[LedgerEntry, bool]:
    """Record money paid on an approved file (all of what is unpaid, or part of it).

    The same voucher with the same details, or a retried request with the same key, returns the first row
    (created=False) instead of paying twice; the same voucher for anything else is refused.
    """
    require(permissions.can_pay(actor))
    with Refusals() as checked:  # every wrong field at once
        amount = checked(rules.money, amount, field="amount", allow_zero=False, label=_("The amount"))
        voucher_no = checked(_text, voucher_no, field="voucher_no", label=_("voucher number"), max_length=40)
        if paid_on is None and batch is None:
            checked.add(refuse(_("Enter the payment date."), code="required", field="paid_on"))
    key = _clean_key(idempotency_key)
    with transaction.atomic():
        application = _locked(application, actor)
        if batch is not None:
            batch = PaymentBatch.objects.visible_to(actor).filter(pk=batch.pk).first()
            if batch is None:
                raise PermissionDenied
            if paid_on is not None and paid_on != batch.paid_on:
                raise refuse(
                    _("Batch %(number)s was paid on %(date)s; leave the date empty or choose another batch.")
                    % {"number": batch.number, "date": batch.paid_on.isoformat()},
                    code="batch_date",
                    field="paid_on",
                )
            paid_on = batch.paid_on
        if paid_on is None:
            raise refuse(_("Enter the payment date."), code="required", field="paid_on")
        replay_kwargs = {
            "idempotency_key": key,
            "voucher_no": voucher_no,
            "application": application,
            "kind": EntryKind.PAYMENT,
            "amount": amount,
            "paid_on": paid_on,
        }
        existing = _replay(**replay_kwargs)
        if existing is not None:
            return existing, False
        if application.status not in (Status.APPROVED, Status.PAID):
            raise refuse(
                _("Only an approved subsidy can be paid; this file is “%(status)s”.")
                % {"status": application.get_status_display()},
                code="not_approved",
            )
        with Refusals() as checked:  # the amount, the date and the batch at once (issue 13)
            if application.status == Status.PAID:
                checked.add(refuse(_("This subsidy is already paid in full."), code="already_paid", field="amount"))
            elif amount > application.unpaid_amount:
                checked.add(
                    refuse(
                        _("%(amount)s is more than the %(unpaid)s approved and not yet paid.")
                        % {"amount": rules.yuan(amount), "unpaid": rules.yuan(application.unpaid_amount)},
                        code="over_unpaid",
                        field="amount",
                    )
                )
            checked(_not_future, paid_on, field="paid_on")
            if batch is not None and batch.region_id != application.budget.region_id:
                checked.add(refuse(_("This batch belongs to another district."), code="other_district", field="batch"))
        entry, created = _insert(
            LedgerEntry(
                application=application,
                batch=batch,
                kind=EntryKind.PAYMENT,
                amount=amount,
                voucher_no=voucher_no,
                paid_on=paid_on,
                idempotency_key=key,
                note=note.strip()[:255],
                recorded_by=actor,
            ),
            replay_kwargs,
        )
        if not created:
            return entry, False
        _move_money(application, actor, amount, entry)
        _tell(
            selectors.holders_for(Status.COMMUNITY, application.project.community)
            + ([application.project.responsible] if application.project.responsible_id else []),
            application,
            Message(
                gettext_noop("Subsidy paid: %(code)s, %(amount)s"),
                code=application.project.code,
                amount=rules.yuan(amount),
            ),
        )
        return entry, True


def _move_money(application: SubsidyApplication, actor, amount: Decimal, entry: LedgerEntry) -> None:
    """Keep the application's and the budget's paid counters in step with a new ledger row."""
    before = snapshot(application, APPLICATION_AUDIT_FIELDS)
    application.paid_amount += amount
    status = Status.PAID if application.paid_amount == application.approved_amount else Status.APPROVED
    if status != application.status:
        application.status, application.status_since = status, timezone.now()
    application.save(update_fields=["paid_amount", "status", "status_since", "updated_at"])
    Budget.objects.filter(pk=application.budget_id).update(paid=F("paid") + amount)
    audit_record(
        actor=actor,
        instance=entry,
        action=AuditAction.CREATE,
        changes={
            "kind": [None, entry.kind],
            "amount": [None, str(entry.amount)],
            "voucher_no": [None, entry.voucher_no],
            "paid_on": [None, entry.paid_on.isoformat()],
        },
    )
    _audit(actor, application, before, entry.voucher_no)
    if entry.kind == EntryKind.PAYMENT:
        msgid = gettext_noop("Subsidy paid: %(amount)s, voucher %(voucher)s on %(date)s; %(unpaid)s still to pay.")
    else:
        msgid = gettext_noop(
            "Subsidy payment reversed: %(amount)s, voucher %(voucher)s on %(date)s; %(unpaid)s still to pay."
        )
    _event(
        application,
        actor,
        Message(
            msgid,
            amount=rules.yuan(abs(entry.amount)),
            voucher=entry.voucher_no,
            date=entry.paid_on,
            unpaid=rules.yuan(application.unpaid_amount),
        ),
        entry.kind,
        entry=entry.pk,
    )


def payment_reverse(
    *,
    actor,
    payment: LedgerEntry,
    voucher_no: str,
    reversed_on: dt.date,
    reason: str,
    idempotency_key: str = "",
) -> tuple[LedgerEntry, bool]:
    """Undo a payment (returned by the bank, paid to a wrong account…) with a new, negative row."""
    require(permissions.can_pay(actor))
    voucher_no = _text(voucher_no, field="voucher_no", label=_("voucher number"), max_length=40)
    reason = _text(reason, field="reason", label=_("reason"), max_length=255)
    key = _clean_key(idempotency_key)
    with transaction.atomic():
        application = _locked(payment.application, actor)
        payment = LedgerEntry.objects.get(pk=payment.pk)
        if payment.kind != EntryKind.PAYMENT:
            raise refuse(_("Only a payment can be reversed."), code="not_a_payment")
        replay_kwargs = {
            "idempotency_key": key,
            "voucher_no": voucher_no,
            "application": application,
            "kind": EntryKind.REVERSAL,
            "amount": -payment.amount,
            "paid_on": reversed_on,
            "reverses": payment,
        }
        existing = _replay(**replay_kwargs)
        if existing is not None:
            return existing, False
        if LedgerEntry.objects.filter(reverses=payment).exists():
            raise refuse(_("This payment is already reversed."), code="already_reversed")
        _not_future(reversed_on, field="reversed_on")
        if reversed_on < payment.paid_on:
            raise refuse(
                _("A reversal cannot be dated before the payment."), code="before_payment", field="reversed_on"
            )
        entry, created = _insert(
            LedgerEntry(
                application=application,
                batch=None,
                kind=EntryKind.REVERSAL,
                amount=-payment.amount,
                voucher_no=voucher_no,
                paid_on=reversed_on,
                reverses=payment,
                idempotency_key=key,
                note=reason,
                recorded_by=actor,
            ),
            replay_kwargs,
        )
        if created:
            _move_money(application, actor, -payment.amount, entry)
            _tell_holders(
                application,
                Message(
                    gettext_noop("Subsidy payment reversed, to pay again: %(code)s"), code=application.project.code
                ),
            )
        return entry, created
