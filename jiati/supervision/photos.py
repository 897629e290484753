"""Site photos: recognised as images by Pillow (not by their name), turned upright, shrunk and stored as JPEG.

A phone photo is 3–8 MB; a site check needs what the eye sees on a screen, so the long side is cut to
`PHOTO_MAX_SIDE` pixels and the file re-encoded (typically 150–400 KB), which also drops the location
and other EXIF data the phone wrote.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_MAX_PIXELS = 60_000_000  # larger claims are decompression bombs, not photos
PHOTOS_PER_UPLOAD = 12
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "HEIF", "HEIC"}


@dataclass(frozen=True)
class ResizedPhoto:
    content: ContentFile
    original_name: str
    width: int
    height: int
    size: int
    sha256: str


def _refuse(message, *, field: str, params: dict, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params)]})


def photo_prepare(upload, *, field: str = "photos") -> ResizedPhoto:
    """Check one uploaded file is a photo within the limits, and return it resized as JPEG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = (upload.name or "photo").rsplit("/", 1)[-1][:200]
    if upload.size > PHOTO_MAX_BYTES:
        raise _refuse(
            _("“%(name)s” is %(size)s; a photo may be at most %(limit)s."),
            field=field,
            code="photo_size",
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(PHOTO_MAX_BYTES)},
        )
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise UnidentifiedImageError(probe.format)
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise UnidentifiedImageError("too many pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _refuse(
            _("“%(name)s” is not a photo (JPEG, PNG or WebP) that can be read."),
            field=field,
            code="photo_not_image",
            params={"name": name},
        ) from None
    payload = out.getvalue()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return ResizedPhoto(
        content=ContentFile(payload, name=f"{stem[:80]}.jpg"),
        original_name=name,
        width=width,
        height=height,
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
    )


def photos_prepare(uploads, *, field: str = "photos", required: bool = False) -> list[ResizedPhoto]:
    """Check every photo before any is stored; report all the bad ones at once."""
    uploads = [u for u in uploads or [] if u]
    if required and not uploads:
        raise _refuse(_("Add at least one photo."), field=field, code="photo_required", params={})
    if len(uploads) > PHOTOS_PER_UPLOAD:
        raise _refuse(
            _("At most %(n)s photos at a time."), field=field, code="photo_count", params={"n": PHOTOS_PER_UPLOAD}
        )
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(photo_prepare(upload, field=field))
        except ValidationError as exc:
            errors.extend(exc.error_dict[field])
    if errors:
        raise ValidationError({field: errors})
    return prepared
