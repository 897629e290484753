"""Publicity (线上+线下): policy articles, guides and FAQ written by the district office, published to
the resident portal and printed as posters with a QR code to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import Reach, ScopedQuerySet


class ArticleKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    GUIDE = "guide", _("Guide")
    FAQ = "faq", _("Question and answer")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ArticleQuerySet(ScopedQuerySet):
    # Published articles are public; drafts and withdrawn ones belong to their region's staff.
    reach = Reach(region="region__path", public=Q(status="published"))

    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)

    def for_reader(self, language: str) -> ArticleQuerySet:
        """The articles a reader of `language` is shown: those written in it, and the Chinese ones not (yet)
        published in it (the fallback; the page says so)."""
        if language == settings.LANGUAGE_CODE:
            return self.filter(language=language)
        translated = Article.objects.filter(
            translation_of=OuterRef("pk"), language=language, status=ArticleStatus.PUBLISHED
        )
        return self.filter(Q(language=language) | (Q(language=settings.LANGUAGE_CODE) & ~Exists(translated)))


class Article(models.Model):
    """A policy article, a how-to guide or one question with its answer.

    Written in Chinese first; a version in another language is an article of its own (same kind, its own status)
    pointing at the Chinese one by `translation_of`, so each is edited, published and withdrawn as it is written."""

    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        help_text=_("The Chinese article this one is a version of."),
    )
    region = models.ForeignKey(
        "organisation.Region", verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    pinned = models.BooleanField(_("pinned"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-pinned", "-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="article_published_has_time", condition=~Q(status="published") | Q(published_at__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=Q(translation_of__isnull=False),
                name="article_one_translation_per_language",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind", "-published_at"], name="article_published")]

    def __str__(self) -> str:
        return self.title

    def counterpart(self, language: str) -> Article | None:
        """The published version of this article in `language` (itself, its original or a sibling), or None."""
        if self.language == language:
            return self
        original_id = self.translation_of_id or self.pk
        return (
            Article.objects.published()
            .filter(language=language)
            .filter(Q(pk=original_id) | Q(translation_of_id=original_id))
            .first()
        )

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n") if p.strip()]
