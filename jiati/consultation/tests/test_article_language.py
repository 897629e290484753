"""Articles in two languages: a Chinese original and its English version linked by `translation_of`; the portal
shows the reader's language and falls back to the Chinese with a note."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jiati.audit.models import AuditEntry
from jiati.consultation.models import Article, ArticleKind
from jiati.consultation.services import publicity


def _code(exc) -> str:
    return next(iter(exc.value.error_dict.values()))[0].code


@pytest.fixture
def district(world):
    return world.users["district"]


def _published(actor, **fields) -> Article:
    article = publicity.article_create(actor=actor, **fields)
    return publicity.article_publish(actor=actor, article=article)


@pytest.fixture
def pair(district):
    original = _published(district, kind=ArticleKind.POLICY, title="补贴政策解读", body="每台约12.6万元。")
    english = _published(
        district,
        kind=ArticleKind.POLICY,
        title="The subsidy explained",
        body="About ¥126,000 per elevator.",
        language="en",
        translation_of=original,
    )
    only_chinese = _published(district, kind=ArticleKind.GUIDE, title="办事指南", body="第一步。")
    return original, english, only_chinese


@pytest.mark.usefixtures("pair")
def test_an_english_reader_sees_the_english_version_and_chinese_only_where_none():
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("consultation:public-articles")).content.decode()
    assert "The subsidy explained" in page and "补贴政策解读" not in page
    assert "办事指南" in page and "in Chinese" in page  # the fallback, marked
    start = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("portal:home")).content.decode()
    assert "The subsidy explained" in start and "补贴政策解读" not in start


def test_a_chinese_reader_sees_only_the_chinese(pair):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("consultation:public-articles")).content.decode()
    assert "补贴政策解读" in page and "办事指南" in page and "The subsidy explained" not in page


def test_a_link_to_one_version_opens_the_readers(pair):
    original, english, only_chinese = pair
    en, zh = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    # The poster's QR code points at the Chinese article; an English phone lands on the English one, and back.
    assert en.get(reverse("consultation:public-article", args=[original.pk])).url == reverse(
        "consultation:public-article", args=[english.pk]
    )
    assert zh.get(reverse("consultation:public-article", args=[english.pk])).url == reverse(
        "consultation:public-article", args=[original.pk]
    )
    page = en.get(reverse("consultation:public-article", args=[english.pk])).content.decode()
    assert "About ¥126,000" in page and "not available in your language" not in page
    fallback = en.get(reverse("consultation:public-article", args=[only_chinese.pk])).content.decode()
    assert "第一步。" in fallback and "not available in your language" in fallback and 'lang="zh-CN"' in fallback


def test_a_withdrawn_translation_falls_back_to_the_chinese(pair, district):
    original, english, _only = pair
    publicity.article_withdraw(actor=district, article=english)
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "补贴政策解读" in en.get(reverse("consultation:public-articles")).content.decode()
    assert en.get(reverse("consultation:public-article", args=[original.pk])).status_code == 200
    assert en.get(reverse("consultation:public-article", args=[english.pk])).status_code == 404


def test_translation_rules(pair, district):
    original, english, only_chinese = pair
    with pytest.raises(ValidationError) as exc:  # a second English version
        publicity.article_create(
            actor=district, kind="policy", title="x", body="x", language="en", translation_of=original
        )
    assert _code(exc) == "translation_exists"
    with pytest.raises(ValidationError) as exc:  # a translation in Chinese
        publicity.article_create(actor=district, kind="guide", title="x", body="x", translation_of=only_chinese)
    assert _code(exc) == "same_language"
    with pytest.raises(ValidationError) as exc:  # a translation of a translation
        publicity.article_create(
            actor=district, kind="policy", title="x", body="x", language="en", translation_of=english
        )
    assert _code(exc) == "invalid_original"
    with pytest.raises(ValidationError) as exc:  # an original with translations stays Chinese
        publicity.article_update(actor=district, article=original, kind="policy", title="x", body="x", language="en")
    assert _code(exc) == "has_translations"


def test_staff_page_and_api_set_language_and_original(world, district, client_for):
    original = _published(district, kind=ArticleKind.FAQ, title="一楼要出钱吗？", body="默认按面积分摊。")
    client = client_for(district)
    response = client.post(
        reverse("consultation:article-create"),
        {"kind": "faq", "title": "Does the ground floor pay?", "body": "By area.", "language": "en",
         "translation_of": str(original.pk)},
    )  # fmt: skip
    created = Article.objects.get(title="Does the ground floor pay?")
    assert response.status_code == 302 and created.language == "en" and created.translation_of == original
    page = client.get(reverse("consultation:article-detail", args=[created.pk])).content.decode()
    assert f'<option value="{original.pk}" selected>' in page
    body = client.post(
        "/api/consultation/articles/",
        {"kind": "guide", "title": "A guide", "body": "Text.", "language": "en"},
        content_type="application/json",
    ).json()
    assert body["language"] == "en" and body["translation_of"] is None
    edited = client.post(
        f"/api/consultation/articles/{created.pk}/edit/",
        {"kind": "faq", "title": "Does the ground floor pay?", "body": "By area.", "language": "en",
         "translation_of": None},
        content_type="application/json",
    ).json()  # fmt: skip
    assert edited["translation_of"] is None
    entry = AuditEntry.objects.filter(object_id=str(created.pk)).order_by("-id").first()
    assert "translation_of" in entry.changes


def test_the_demo_articles_have_english_versions(world, district):
    from django.utils import timezone

    from jiati.demo import consultation as demo

    demo._articles({"district": district}, timezone.now())
    english = Article.objects.filter(language="en").select_related("translation_of")
    assert english.count() == len(demo.ARTICLES) == len(demo.ARTICLES_EN)
    for article in english:
        assert article.translation_of.language == "zh-hans" and article.kind == article.translation_of.kind
        assert article.status == article.translation_of.status == "published"
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("portal:home")).content.decode()
    assert "Do ground-floor owners have to pay?" in page and "一楼业主需要出钱吗" not in page


def test_an_article_names_every_wrong_field_at_once(district):
    """Issue 13: an unknown kind hid an unknown language, a missing title and a missing text."""
    with pytest.raises(ValidationError) as exc:
        publicity.article_create(actor=district, kind="gossip", title=" ", body="", language="xx")
    assert set(exc.value.error_dict) == {"kind", "language", "title", "body"}
    assert not Article.objects.exists()
