"""An upload's type is read from its whole name, before the name is shortened to fit (issue 19)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from jiati.core.uploads import check_upload

PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_valid_pdf_with_a_long_name_keeps_its_type(settings):
    name = "加装电梯" * 60 + ".pdf"  # 244 characters
    checked = check_upload(SimpleUploadedFile(name, PDF), allowed=(".pdf",), max_bytes=1024)
    assert checked.name.endswith(".pdf") and len(checked.name) == 200
    assert checked.content_type == "application/pdf"
