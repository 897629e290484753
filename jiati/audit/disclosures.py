"""Who looked at what (PIPL): every display of a full ID number or bank account is recorded.

Displays are noted while a response is built (`note_disclosure`, called by the one place that unmasks personal
data, `jiati.web.personal.personal_value`) and written together once the response is ready, by
`RequestContextMiddleware`: one insert per page, export or API response, one row per subject and kind however
many times the value appears in it. Outside a request (a command), a note is written at once.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from jiati.audit.middleware import current_request_context
from jiati.audit.models import Disclosure, DisclosureKind

RECORDED_KINDS = frozenset(DisclosureKind.values)


def note_disclosure(*, viewer, subject: models.Model, kind: str, channel: str, label: str | None = None) -> None:
    """`viewer` was shown `subject`'s full `kind` through `channel`; phone numbers are not recorded."""
    if kind not in RECORDED_KINDS or viewer is None or not viewer.is_authenticated:
        return
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    key = (viewer.pk, content_type.pk, str(subject.pk), kind, channel)
    context = current_request_context()
    pending = context.get("disclosures")
    if pending is None:
        write_disclosures({key: label if label is not None else str(subject)}, context=context)
    elif key not in pending:
        pending[key] = label if label is not None else str(subject)


def write_disclosures(pending: dict, *, context: dict, path: str = "") -> None:
    now = timezone.now()
    Disclosure.objects.bulk_create(
        [
            Disclosure(
                timestamp=now, viewer_id=viewer_id, content_type_id=content_type_id, object_id=object_id,
                object_repr=label[:200], kind=kind, channel=channel, path=path[:255],
                request_id=context.get("request_id", ""), ip_address=context.get("ip_address"),
            )
            for (viewer_id, content_type_id, object_id, kind, channel), label in pending.items()
        ],
        batch_size=2000,
    )  # fmt: skip
