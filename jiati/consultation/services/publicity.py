"""Publicity written by the district office and published to the resident portal."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.scoping import area_q
from jiati.audit.services import audit_created, save_if_changed, snapshot
from jiati.consultation import permissions
from jiati.consultation.models import Article, ArticleKind, ArticleStatus
from jiati.consultation.services.common import text_or_refuse
from jiati.core.errors import Refusals, refuse
from jiati.core.services import lock_rows, require
from jiati.organisation.models import Region

ARTICLE_FIELDS = ("kind", "title", "summary", "body", "language", "translation_of", "status", "pinned", "published_at")


def _own_articles(actor):
    """The articles the actor may edit: those of their region's subtree."""
    return Article.objects.filter(area_q(actor, region_path="region__path", property_office=None))


def _clean(
    actor, kind: str, title: str, summary: str, body: str, language: str, translation_of: Article | None, pk=None
) -> dict:
    language = language or settings.LANGUAGE_CODE
    with Refusals() as checked:  # every wrong field at once (issue 13)
        kind_known = kind in ArticleKind.values
        if not kind_known:
            checked.add(refuse(_("Choose the kind of article."), code="invalid_choice", field="kind"))
        language_known = language in dict(settings.LANGUAGES)
        if not language_known:
            checked.add(
                refuse(_("Choose the language the article is written in."), code="invalid_choice", field="language")
            )
        title = checked(text_or_refuse, title, _("Give the article a title."), field="title")
        body = checked(text_or_refuse, body, _("Write the text."), field="body")
        if translation_of is not None:
            original = _own_articles(actor).filter(pk=translation_of.pk).first()
            if original is None or original.pk == pk or original.translation_of_id is not None:
                checked.add(
                    refuse(
                        _("A translation points at a Chinese article of your office."),
                        code="invalid_original",
                        field="translation_of",
                    )
                )
            else:  # compared with the original only once it is one
                if language_known and (
                    original.language != settings.LANGUAGE_CODE or language == settings.LANGUAGE_CODE
                ):
                    checked.add(
                        refuse(
                            _("A translation is in another language than its Chinese original."),
                            code="same_language",
                            field="language",
                        )
                    )
                if kind_known and original.kind != kind:
                    checked.add(
                        refuse(_("A translation is of the same kind as its original."), code="other_kind", field="kind")
                    )
                if original.translations.filter(language=language).exclude(pk=pk).exists():
                    checked.add(
                        refuse(
                            _("This article already has a version in that language."),
                            code="translation_exists",
                            field="translation_of",
                        )
                    )
        elif (
            pk is not None
            and Article.objects.filter(translation_of_id=pk).exists()
            and language != settings.LANGUAGE_CODE
        ):
            checked.add(
                refuse(
                    _("This article has translations: it stays in Chinese."), code="has_translations", field="language"
                )
            )
    return {
        "language": language,
        "translation_of": translation_of,
        "kind": kind,
        "title": title[:200],
        "summary": (summary or "").strip()[:300],
        "body": body,
    }


@transaction.atomic
def article_create(
    *,
    actor,
    kind: str,
    title: str,
    body: str,
    summary: str = "",
    pinned: bool = False,
    region: Region | None = None,
    language: str = "",
    translation_of: Article | None = None,
) -> Article:
    require(permissions.can_write_articles(actor))
    region = region or actor.region or Region.objects.filter(level="district").order_by("path").first()
    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise refuse(_("Choose the region publishing the article."), code="region_required", field="region")
    article = Article.objects.create(
        region=region,
        author=actor,
        pinned=bool(pinned),
        **_clean(actor, kind, title, summary, body, language, translation_of),
    )
    audit_created(actor=actor, instance=article)
    return article


@transaction.atomic
def article_update(
    *,
    actor,
    article: Article,
    kind: str,
    title: str,
    body: str,
    summary: str = "",
    pinned: bool = False,
    language: str = "",
    translation_of: Article | None = None,
) -> Article:
    require(permissions.can_write_articles(actor))
    article = lock_rows(_own_articles(actor), pks=article.pk)
    before = snapshot(article, ARTICLE_FIELDS)
    cleaned = _clean(actor, kind, title, summary, body, language, translation_of, pk=article.pk)
    for field, value in cleaned.items():
        setattr(article, field, value)
    article.pinned = bool(pinned)
    save_if_changed(actor=actor, instance=article, before=before)
    return article


@transaction.atomic
def article_publish(*, actor, article: Article) -> Article:
    require(permissions.can_write_articles(actor))
    article = lock_rows(_own_articles(actor), pks=article.pk)
    if article.status == ArticleStatus.PUBLISHED:
        raise refuse(_("The article is already published."), code="already_published")
    before = snapshot(article, ARTICLE_FIELDS)
    article.status, article.published_at = ArticleStatus.PUBLISHED, timezone.now()
    save_if_changed(actor=actor, instance=article, before=before)
    return article


@transaction.atomic
def article_withdraw(*, actor, article: Article) -> Article:
    require(permissions.can_write_articles(actor))
    article = lock_rows(_own_articles(actor), pks=article.pk)
    if article.status != ArticleStatus.PUBLISHED:
        raise refuse(_("Only a published article can be withdrawn."), code="not_published")
    before = snapshot(article, ARTICLE_FIELDS)
    article.status = ArticleStatus.WITHDRAWN
    save_if_changed(actor=actor, instance=article, before=before)
    return article
