"""Error pages speak the reader's language and lead back: Django's bare English "403 Forbidden" / "Not Found"
(no way back, English on a Chinese screen) was what a user met on a refused page or an out-of-date QR code."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "lang_attr", "words"), [("zh-hans", "zh-CN", "页面不存在"), ("en", "en", "Page not found")]
)
def test_a_missing_page_is_explained_in_the_readers_language(client, language, lang_attr, words):
    client.cookies["django_language"] = language
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404
    assert f'<html lang="{lang_attr}">' in html
    assert words in html
    assert 'href="/"' in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_a_refused_page_says_so_in_chinese_and_leads_back(client, world):
    client.force_login(world.users["finance"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("supervision:home"))
    html = page.content.decode()
    assert page.status_code == 403
    assert "您无权打开此页面" in html
    assert "Forbidden" not in html
    assert 'href="/"' in html


def test_a_server_error_page_is_translated_too():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        html = server_error(request).content.decode()
    assert "出错了" in html
    assert "Server Error" not in html
