"""Rows stored before the input policy may hold control characters: the audit log's export (and every list's)
still opens, the characters dropped."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from jiati.audit.models import AuditAction
from jiati.audit.services import build_entry


def test_the_audit_export_survives_a_control_character_in_old_rows(world, client_for):
    admin = world.users["admin"]
    build_entry(
        actor=admin,
        instance=admin,
        action=AuditAction.EVENT,
        changes={"subject": ["旧\x01标题", "新\x0b标题"]},
        label="请愿\x01人",
    ).save()
    response = client_for(admin).get(reverse("audit:list"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
    cells = [str(c) for row in rows for c in row if c is not None]
    assert "请愿人" in cells
    assert not any("\x01" in c or "\x0b" in c for c in cells)
