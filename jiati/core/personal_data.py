"""Personal data: validation, masking and redaction in one place.

ID numbers and phone numbers are shown in full only to roles whose work needs
them (see `jiati.accounts.permissions.sees_personal_data`); everywhere else —
pages, API, exports, audit entries, logs — they pass through these masks.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from jiati.core.errors import refuse

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


@lru_cache(maxsize=4096)
def _birth_place_known(area: str, year: int) -> None:
    """stdnum's area-code check (a lookup in a large table), once per area and year."""
    ric.get_birth_place(f"{area}{year:04d}0101" + "0000")


# Why a number was refused, in the user's language (python-stdnum's own messages are English only).
_RESIDENT_ID_REASONS = {
    InvalidLength: _("it must have 18 characters"),
    InvalidFormat: _("only digits, with an X allowed at the end"),
    InvalidChecksum: _("the check character does not match: a character is probably mistyped"),
    InvalidComponent: _("the birth date or the area code in it does not exist"),
}
_CREDIT_CODE_REASONS = {
    **_RESIDENT_ID_REASONS,
    InvalidFormat: _("only digits and the capital letters a credit code uses (no I, O, S, V or Z)"),
    InvalidComponent: _("a part of the code is not valid"),
}


def _reason(exc: StdnumError, reasons: dict):
    """Lazy, like the message it goes into: both are put in the language of whoever reads them."""
    return next((text for kind, text in reasons.items() if isinstance(exc, kind)), exc.message)


def validate_resident_id(value: str) -> str:
    """A mainland resident ID number (18 characters, GB 11643 checksum, a real birth date, an area code that
    existed then). The same checks as `stdnum.cn.ric.validate`, with the area lookup cached for imports."""
    number = normalise_id_number(value)
    try:
        if len(number) != 18 or not number[:-1].isdigit():
            ric.validate(number)  # raises the precise error
        if number[-1] != ric.calc_check_digit(number):
            ric.validate(number)
        birth = ric.get_birth_date(number)
        _birth_place_known(number[:6], birth.year)
        return number
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid resident ID number (%(reason)s)."),
            code="invalid_id_number",
            params={"value": mask_id_number(number), "reason": _reason(exc, _RESIDENT_ID_REASONS)},
        ) from exc


def validate_credit_code(value: str) -> str:
    """A unified social credit code (organisations and developers, GB 32100 checksum)."""
    number = normalise_id_number(value)
    try:
        return uscc.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code (%(reason)s)."),
            code="invalid_credit_code",
            params={"value": mask_id_number(number), "reason": _reason(exc, _CREDIT_CODE_REASONS)},
        ) from exc


def validate_phone(value: str) -> str:
    phone = re.sub(r"[\s()]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            _("“%(value)s” is not a valid mobile or landline number."),
            code="invalid_phone",
            params={"value": mask_phone(phone)},
        )
    return phone


def phone_or_refuse(phone: str, *, field: str = "phone", required: bool = False) -> str:
    """For a service: the number checked by `validate_phone` ("" when none is given and none is required), else
    a refusal naming the field (gathered with `core.errors.Refusals` beside the other checks)."""
    phone = (phone or "").strip()
    if not phone:
        if required:
            raise refuse(_("Give a phone number."), code="required", field=field)
        return ""
    try:
        return validate_phone(phone)
    except ValidationError as exc:
        raise refuse(exc.messages[0], code="invalid_phone", field=field) from exc


def mask_id_number(value: str | None) -> str:
    """Keep the first 3 and last 2 characters: 440***********123X → “440*************3X”."""
    if not value:
        return ""
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits: 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str | None) -> str:
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


MASKS = {"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account}

# The kinds of personal data the person this request is for sees in full (set per request by
# `accounts.middleware.PersonalDataViewerMiddleware`); outside a request, none: masked is the default.
_seen_in_full: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "jiati_seen_in_full", default=frozenset()
)


def kind_of_field(name: str) -> str | None:
    """The personal data a field holds, read from its name (the audit trail's masks read it the same way)."""
    return next((kind for kind in MASKS if name.endswith(kind)), None)


# A resident or a visitor: the only personal data a form of theirs holds is their own (what they typed, their own
# owner record), which nobody is shown masked.
_OWN_DATA = "own data only"


def viewer_sees(kind: str) -> bool:
    seen = _seen_in_full.get()
    return kind in seen or _OWN_DATA in seen


@contextmanager
def seen_in_full(kinds, *, own_data_only: bool = False) -> Iterator[None]:
    token = _seen_in_full.set(frozenset(kinds) | ({_OWN_DATA} if own_data_only else set()))
    try:
        yield
    finally:
        _seen_in_full.reset(token)


# Patterns that look like a resident ID or a mobile number inside free text.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def redact_text(text: str) -> str:
    text = _ID_IN_TEXT.sub(lambda m: m.group(1)[:3] + "*" * 13 + m.group(3)[-2:], text)
    return _MOBILE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class RedactingLogFilter(logging.Filter):
    """Masks anything shaped like an ID number or a mobile number before a log line is written: in the message,
    in the traceback of `logger.exception` (formatted here into `exc_text`, which handlers then print as is) and
    in the stack of `stack_info=True`."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
