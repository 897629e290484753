"""Publicity: the district office writes and publishes; residents read on the portal (public pages);
posters print with a QR code to the article."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiati.consultation import forms, permissions
from jiati.consultation.filtersets import ArticleFilterSet
from jiati.consultation.models import Article, ArticleKind
from jiati.consultation.services import publicity as services
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.pdf import pdf_response, qr_svg
from jiati.core.site import absolute_url
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def _article_url(article) -> str:
    return reverse("consultation:article-detail", args=[article.pk])


def public_url(article) -> str:
    return absolute_url(reverse("consultation:public-article", args=[article.pk]))


class ArticleListView(ScopedListView):
    model = Article
    filterset_class = ArticleFilterSet
    template_name = "consultation/article_list.html"
    title = gettext_lazy("Publicity")
    export_name = "articles"
    columns = [
        Column(gettext_lazy("Title"), "title", link=_article_url),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Published"), "published_at"),
        Column(gettext_lazy("Author"), "author"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("author")

    def get_extra_context(self):
        return {"can_write": permissions.can_write_articles(self.request.user)}


def article_create(request):
    if not permissions.can_write_articles(request.user):
        raise PermissionDenied
    form = forms.ArticleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        article = run_service(form, lambda: services.article_create(actor=request.user, **form.cleaned_data))
        if article is not None:
            messages.success(request, _("Saved as a draft. Publish it when it is ready."))
            return redirect(_article_url(article))
    return render(request, "consultation/form_page.html", {"form": form, "title": _("New article")})


def _article_or_404(request, pk):
    return get_visible_or_404(Article.objects.visible_to(request.user).select_related("author", "region"), pk=pk)


def article_detail(request, pk):
    article = _article_or_404(request, pk)
    can_write = permissions.can_write_articles(request.user)
    return render(
        request,
        "consultation/article_detail.html",
        {
            "article": article,
            "can_write": can_write,
            "public_url": public_url(article),
            "form": forms.ArticleForm(
                user=request.user,
                exclude_pk=article.pk,
                initial={
                    "language": article.language,
                    "translation_of": article.translation_of_id or "",
                    "kind": article.kind,
                    "title": article.title,
                    "summary": article.summary,
                    "body": article.body,
                    "pinned": article.pinned,
                },
            )
            if can_write
            else None,
        },
    )


@require_POST
def article_edit(request, pk):
    article = _article_or_404(request, pk)
    return act(
        request,
        forms.ArticleForm(request.POST, user=request.user, exclude_pk=article.pk),
        lambda d: services.article_update(actor=request.user, article=article, **d),
        success=_("Saved."),
        back=_article_url(article),
    )


@require_POST
def article_status(request, pk, action):
    article = _article_or_404(request, pk)
    service = {"publish": services.article_publish, "withdraw": services.article_withdraw}.get(action)
    if service is None:
        raise PermissionDenied

    return act(
        request,
        django_forms.Form(request.POST),
        lambda d: service(actor=request.user, article=article),
        success=_("Published.") if action == "publish" else _("Withdrawn from the portal."),
        back=_article_url(article),
    )


def article_poster(request, pk):
    """An A4 poster for a noticeboard: title, summary, and a QR code to the article on the portal."""
    article = _article_or_404(request, pk)
    if article.status != "published":
        messages.error(request, _("Publish the article before printing its poster."))
        return redirect(_article_url(article))
    return pdf_response(
        "consultation/pdf/poster.html",
        {"article": article, "url": public_url(article), "qr": qr_svg(public_url(article), scale=8)},
        filename=f"poster-{article.pk}.pdf",
    )


@login_not_required
def public_list(request):
    kind = request.GET.get("kind")
    articles = Article.objects.published().for_reader(translation.get_language())
    if kind in ArticleKind.values:
        articles = articles.filter(kind=kind)
    return render(
        request,
        "consultation/public/list.html",
        {"articles": articles[:100], "kinds": ArticleKind.choices, "kind": kind},
    )


@login_not_required
def public_detail(request, pk):
    """The article in the reader's language: a link (a poster's QR code) to another language's version leads to
    the reader's; with none published, the Chinese text with a note."""
    article = get_visible_or_404(Article.objects.published(), pk=pk)
    language = translation.get_language()
    counterpart = article.counterpart(language)
    if counterpart is not None and counterpart.pk != article.pk:
        return redirect("consultation:public-article", counterpart.pk)
    return render(
        request,
        "consultation/public/detail.html",
        {
            "article": article,
            "other_language": counterpart is None,
            "article_lang": "zh-CN" if article.language == "zh-hans" else article.language,
        },
    )
