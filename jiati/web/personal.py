"""The one place personal data is unmasked, for pages, exports and the API alike.

A role that needs a value sees it in full (`accounts.permissions.sees_personal_data`); everyone else sees the mask
(`core.personal_data.MASKS`). A full ID number or bank account is shown only with whose it is, so that the display
is recorded (`audit.disclosures`, PIPL).
"""

from __future__ import annotations

from jiati.accounts.permissions import sees_personal_data
from jiati.audit.disclosures import RECORDED_KINDS, note_disclosure
from jiati.audit.models import DisclosureChannel
from jiati.core.personal_data import MASKS


def personal_value(user, value, kind: str, *, subject=None, channel: str = DisclosureChannel.PAGE, label=None):
    """`value` as `user` may see it; a full ID number or bank account is recorded as shown to them."""
    if not value or user is None or not sees_personal_data(user, kind):
        return MASKS[kind](value)
    if kind in RECORDED_KINDS:
        if subject is None:
            raise ValueError(f"A full {kind} is shown only with the object it belongs to, so that it is recorded.")
        note_disclosure(viewer=user, subject=subject, kind=kind, channel=channel, label=label)
    return value
