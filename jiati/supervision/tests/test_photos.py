"""Photos are recognised as images by their content, resized, and refused with the file's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jiati.supervision import photos, services
from jiati.supervision.models import Photo, SiteCheck
from jiati.supervision.tests.conftest import all_ok, jpeg


def test_photo_is_resized_to_the_long_side_limit():
    prepared = photos.photo_prepare(jpeg(size=(4000, 3000)))
    assert (prepared.width, prepared.height) == (1600, 1200)
    assert prepared.content.name.endswith(".jpg")


def test_png_becomes_jpeg():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (800, 600), (10, 20, 30, 128)).save(buffer, format="PNG")
    prepared = photos.photo_prepare(SimpleUploadedFile("a.png", buffer.getvalue()))
    assert (prepared.width, prepared.height) == (800, 600)


def test_not_an_image_is_refused_by_name_and_nothing_is_saved(world, site):
    fake = SimpleUploadedFile("fake.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", content_type="image/jpeg")
    text = SimpleUploadedFile("notes.jpg", b"hello", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.site_check_record(
            actor=world.users["community"], project=site, results=all_ok(site), photos=[jpeg(), fake, text]
        )
    messages = exc.value.message_dict["photos"]
    assert len(messages) == 2 and "fake.jpg" in messages[0] and "notes.jpg" in messages[1]
    assert not SiteCheck.objects.exists() and not Photo.objects.exists()


def test_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 1000)
    with pytest.raises(ValidationError) as exc:
        photos.photo_prepare(jpeg(name="big.jpg"))
    assert exc.value.error_dict["photos"][0].code == "photo_size"
    assert "big.jpg" in exc.value.messages[0]


def test_check_stores_resized_photos(world, site, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    check = services.site_check_record(
        actor=world.users["community"], project=site, results=all_ok(site), photos=[jpeg(size=(3200, 1800))]
    )
    photo = check.photos.get()
    assert (photo.width, photo.height) == (1600, 900)
    assert photo.size < 200_000
