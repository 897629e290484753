"""Exports to .xlsx: streamed from the database, personal data masked, formulas neutralised, audited."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jiati.accounts.permissions import sees_personal_data
from jiati.audit.models import AuditAction, DisclosureChannel
from jiati.audit.services import build_entry
from jiati.core.money import FEN
from jiati.core.personal_data import MASKS
from jiati.core.text_policy import printable
from jiati.web.columns import Column
from jiati.web.personal import personal_value

# Excel stops at 1,048,576 rows; a larger export must be filtered first.
MAX_EXPORT_ROWS = 1_000_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value Excel will show and never evaluate (CSV/Excel formula injection), and can store (no control
    characters: one would make the whole workbook fail)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(FEN) else str(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, dt.date)):
        return value
    text = printable(str(value))  # rows stored before the text policy may hold control characters
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_xlsx(rows: Iterable[Iterable[Any]], headers: list[str], sheet_title: str = "Sheet1"):
    """Write rows to a temporary .xlsx in constant memory (openpyxl write-only mode); returns the open file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([printable(str(h)) for h in headers])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response streams and closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def export_queryset(*, request, queryset, columns: list[Column], name: str, model, include_personal: bool):
    """Stream a scoped queryset into an .xlsx download and record the export in the audit trail."""
    user = request.user
    columns = [c for c in columns if c.export]
    # Only the personal data this export holds (and the audit entry records) in full.
    unmasked = {c.personal for c in columns if c.personal and include_personal and sees_personal_data(user, c.personal)}

    def cell(column: Column, row):
        value = column.get(row)
        if column.personal and column.personal not in unmasked:
            return MASKS[column.personal](value)
        if column.personal:
            return personal_value(
                user, value, column.personal, subject=column.subject_of(row), channel=DisclosureChannel.EXPORT
            )
        return value

    count = 0

    def rows():
        nonlocal count
        for row in queryset.iterator(chunk_size=2000):
            count += 1
            if count > MAX_EXPORT_ROWS:
                break
            yield [cell(c, row) for c in columns]

    handle = write_xlsx(rows(), [c.header for c in columns], sheet_title=str(model._meta.verbose_name_plural))
    entry = build_entry(
        actor=user,
        instance=user,
        action=AuditAction.EXPORT,
        changes={"model": model._meta.label, "rows": min(count, MAX_EXPORT_ROWS), "personal_data": sorted(unmasked)},
        message=request.GET.urlencode()[:255],
    )
    entry.save()
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
