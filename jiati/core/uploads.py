"""Uploaded documents: type and size checked by content (not by name), stored once with a checksum.

Every app's document model stores files through `store_upload`; files live under MEDIA_ROOT
and are served only by scoped views (`serve_private_file`), never from a public URL.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# What a document may be, recognised by its first bytes.
SIGNATURES: dict[str, list[bytes]] = {
    "application/pdf": [b"%PDF-"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    # .docx/.xlsx are zip files; accepted only with those extensions.
    "application/zip": [b"PK\x03\x04"],
}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/zip",
    ".xlsx": "application/zip",
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    size: int
    sha256: str
    content_type: str


def check_upload(
    upload, *, field: str = "file", allowed: tuple[str, ...] = tuple(EXTENSIONS), max_bytes: int | None = None
) -> CheckedUpload:
    """Refuse a file whose extension or content is not allowed, or that is too large; return its facts."""

    max_bytes = max_bytes or settings.JIATI_UPLOAD_MAX_BYTES
    full = upload.name.rsplit("/", 1)[-1]
    # The type is read from the whole name; only then is the stem shortened to fit, keeping the extension.
    extension = ("." + full.rsplit(".", 1)[-1].lower()) if "." in full else ""
    name = full if len(full) <= 200 else full[: 200 - len(extension[:20])] + extension[:20]
    if extension not in allowed or extension not in EXTENSIONS:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("Files of type “%(ext)s” are not accepted; use %(allowed)s."),
                        code="file_type",
                        params={"ext": extension or name, "allowed": ", ".join(allowed)},
                    )
                ]
            }
        )
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("The file is %(size)s; the limit is %(limit)s."),
                        code="file_size",
                        params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
                    )
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({field: [ValidationError(_("The file is empty."), code="file_empty")]})
    upload.seek(0)
    head = upload.read(16)
    expected = EXTENSIONS[extension]
    if not any(head.startswith(sig) for sig in SIGNATURES[expected]):
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("The file's content does not match its type “%(ext)s”."),
                        code="file_content",
                        params={"ext": extension},
                    )
                ]
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return CheckedUpload(name=name, size=upload.size, sha256=digest.hexdigest(), content_type=content_type)


def serve_private_file(field_file, *, filename: str, content_type: str | None = None, inline: bool = True):
    """Stream a stored file to a user the calling view has already authorised."""
    return FileResponse(
        field_file.open("rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
    )
