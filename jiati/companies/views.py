"""Company pages: the registry (list, page, add/edit, licences, contacts) and the red/black list (public history,
one list with its review, violations, publication and appeals)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiati.companies import filtersets, forms, permissions, ranking, services
from jiati.companies.flags import company_flags
from jiati.companies.models import (
    REQUIRED_LICENCES,
    Appeal,
    AppealStatus,
    Company,
    CompanyContact,
    CompanyScore,
    Licence,
    LicenceKind,
    ListEntry,
    ListStatus,
    RankingList,
    ScoreScheme,
)
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


class CompanyListView(ScopedListView):
    model = Company
    filterset_class = filtersets.CompanyFilterSet
    template_name = "companies/list.html"
    title = gettext_lazy("Companies")
    export_name = "companies"
    columns = [
        Column(gettext_lazy("Company"), "name", link=lambda c: reverse("companies:detail", args=[c.pk])),
        Column(gettext_lazy("Unified social credit code"), "credit_code"),
        Column(gettext_lazy("Kind"), lambda c: "、".join(c.kind_labels())),
        Column(gettext_lazy("Elevator brand"), "brand"),
        Column(gettext_lazy("Contact"), "contact_name"),
        Column(gettext_lazy("Contact phone"), "contact_phone", personal="phone"),
    ]

    def get_extra_context(self):
        return {"can_add": permissions.can_edit_registry(self.request.user)}


def _company_or_404(request, pk) -> Company:
    return get_visible_or_404(Company.objects.visible_to(request.user), pk=pk)


def detail(request, pk):
    company = _company_or_404(request, pk)
    user = request.user
    required = sorted({k for kind in company.kinds for k in REQUIRED_LICENCES.get(kind, ())})
    held = set(company.licences.filter(status="confirmed").values_list("kind", flat=True))
    context = {
        "company": company,
        "title": company.name,
        "licences": company.licences.all(),
        "missing_licences": [LicenceKind(k).label for k in required if k not in held],
        "contacts": company.contacts.all(),
        "flags": company_flags(company_ids=[company.pk]),
        "scores": CompanyScore.objects.filter(company=company).order_by("-period")[:12],
        "projects": {
            _("Elevator brand"): company.projects_as_brand.visible_to(user).order_by("-id")[:20],
            _("Construction team"): company.projects_as_contractor.visible_to(user).order_by("-id")[:20],
            _("Maintainer"): company.projects_as_maintainer.visible_to(user).order_by("-id")[:20],
        },
        "elevators": company.elevators_maintained.visible_to(user).select_related("estate", "stairwell__building")[:50]
        if hasattr(company, "elevators_maintained")
        else [],
        "can_edit": permissions.can_edit_registry(user),
        "can_contacts": permissions.can_keep_contacts(user, company),
        "can_licence": permissions.can_submit_licence(user, company),
        "licence_form": forms.LicenceForm(),
        "contact_form": forms.ContactForm(),
    }
    return render(request, "companies/detail.html", context)


def _company_form_page(request, company=None):
    if not permissions.can_edit_registry(request.user):
        raise PermissionDenied
    initial = services.snapshot(company, services.COMPANY_FIELDS) if company else {}
    form = forms.CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if company is None:
            call = lambda: services.company_create(actor=request.user, **form.cleaned_data)  # noqa: E731
        else:
            call = lambda: services.company_update(actor=request.user, company=company, **form.cleaned_data)  # noqa: E731
        saved = run_service(form, call)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("companies:detail", pk=saved.pk)
    title = _("Edit company") if company else _("Add a company")
    status = 400 if request.method == "POST" else 200
    return render(request, "companies/form.html", {"form": form, "title": title, "company": company}, status=status)


def create(request):
    return _company_form_page(request)


def edit(request, pk):
    return _company_form_page(request, _company_or_404(request, pk))


def _back_with_errors(request, company, form, title):
    return render(request, "companies/form.html", {"form": form, "title": title, "company": company}, status=400)


@require_POST
def licence_add(request, pk):
    company = _company_or_404(request, pk)
    form = forms.LicenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: services.licence_add(actor=request.user, company=company, **data)):
            messages.success(request, _("Licence recorded."))
            return redirect("companies:detail", pk=company.pk)
    return _back_with_errors(request, company, form, _("Licence"))


@require_POST
def licence_decide(request, pk, licence_pk, decision):
    company = _company_or_404(request, pk)
    licence = get_visible_or_404(Licence.objects.filter(company=company), pk=licence_pk)
    try:
        services.licence_confirm(
            actor=request.user, licence=licence, approve=decision == "confirm", note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("companies:detail", pk=company.pk)


@require_POST
def contact_add(request, pk):
    company = _company_or_404(request, pk)
    form = forms.ContactForm(request.POST)
    if form.is_valid() and run_service(
        form, lambda: services.contact_save(actor=request.user, company=company, **form.cleaned_data)
    ):
        messages.success(request, _("Contact saved."))
        return redirect("companies:detail", pk=company.pk)
    return _back_with_errors(request, company, form, _("Contact"))


@require_POST
def contact_remove(request, pk, contact_pk):
    company = _company_or_404(request, pk)
    contact = get_visible_or_404(CompanyContact.objects.filter(company=company), pk=contact_pk)
    services.contact_remove(actor=request.user, contact=contact)
    return redirect("companies:detail", pk=company.pk)


# --- the red/black list -------------------------------------------------------------------------------------


@login_not_required
def lists(request):
    """Public: the current list of each kind and the history of published lists (no personal data)."""
    user = request.user
    history = RankingList.objects.visible_to(user).select_related("corrects").order_by("-period", "kind", "-id")[:120]
    context = {
        "title": _("Red/black list"),
        "current": ranking.current_lists(),
        "history": history,
        "draft_form": forms.DraftForm() if permissions.can_edit_registry(user) else None,
        "base_template": "base.html" if user.is_authenticated else "portal/base.html",
    }
    return render(request, "companies/lists.html", context)


@require_POST
def ranking_draft(request):
    form = forms.DraftForm(request.POST)
    if form.is_valid():
        made = run_service(form, lambda: ranking.ranking_list_draft(actor=request.user, **form.cleaned_data))
        if made is not None:
            return redirect("companies:ranking", pk=made.pk)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("companies:lists")


@login_not_required
def ranking_detail(request, pk):
    user = request.user
    the_list = get_visible_or_404(RankingList.objects.visible_to(user).select_related("scheme", "corrects"), pk=pk)
    entries = list(the_list.entries.select_related("company", "ranking__scheme"))
    may_edit = permissions.can_edit_registry(user)
    own_entry = next((e for e in entries if user.is_authenticated and e.company_id == user.company_id), None)
    appeals = (
        Appeal.objects.filter(entry__ranking__in=[the_list.pk, the_list.corrects_id or 0]).select_related("company")
        if user.is_authenticated and (may_edit or own_entry)
        else []
    )
    if not may_edit:
        appeals = [a for a in appeals if own_entry and a.company_id == own_entry.company_id]
    context = {
        "title": _("Red/black list"),
        "ranking": the_list,
        "entries": entries,
        "corrections": the_list.corrections.all(),
        "may_edit": may_edit and the_list.status == ListStatus.DRAFT,
        "may_decide": may_edit,
        "violation_form": forms.ViolationForm(),
        "appeal_form": forms.AppealForm()
        if own_entry and permissions.can_appeal(user, own_entry.company) and the_list.status == ListStatus.PUBLISHED
        else None,
        "own_entry": own_entry,
        "appeals": appeals,
        "decision_form": forms.DecisionForm(),
        "base_template": "base.html" if user.is_authenticated else "portal/base.html",
    }
    return render(request, "companies/ranking.html", context)


def _ranking_for_staff(request, pk) -> RankingList:
    if not permissions.can_edit_registry(request.user):
        raise PermissionDenied
    return get_visible_or_404(RankingList.objects.visible_to(request.user), pk=pk)


def _report(request, call, success):
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


@require_POST
def ranking_action(request, pk, action):
    user = request.user
    if action == "appeal":
        the_list = get_visible_or_404(RankingList.objects.visible_to(user), pk=pk)
        entry = get_visible_or_404(ListEntry.objects.filter(ranking=the_list, company_id=user.company_id or 0))
        form = forms.AppealForm(request.POST)
        grounds = form.data.get("grounds", "")
        _report(request, lambda: ranking.appeal_submit(actor=user, entry=entry, grounds=grounds), _("Appeal sent."))
        return redirect("companies:ranking", pk=pk)
    the_list = _ranking_for_staff(request, pk)
    if action == "publish":
        _report(request, lambda: ranking.ranking_list_publish(actor=user, ranking=the_list), _("Published."))
    elif action == "redraw":
        _report(
            request,
            lambda: ranking.ranking_list_draft(actor=user, period=the_list.period, kind=the_list.kind),
            _("Recomputed."),
        )
    elif action == "violation":
        form = forms.ViolationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            company = get_visible_or_404(Company.objects.visible_to(user), pk=data.pop("company"))
            _report(
                request,
                lambda: ranking.violation_add(actor=user, company=company, period=the_list.period, **data),
                _("Serious violation recorded."),
            )
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        raise Http404
    return redirect("companies:ranking", pk=pk)


@require_POST
def appeal_decide(request, pk):
    if not permissions.can_edit_registry(request.user):
        raise PermissionDenied
    appeal = get_visible_or_404(Appeal.objects.filter(status=AppealStatus.PENDING), pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _report(
            request,
            lambda: ranking.appeal_decide(
                actor=request.user,
                appeal=appeal,
                upheld=data["upheld"],
                reason=data["reason"],
                corrected_colour=data.get("corrected_colour") or "none",
            ),
            _("Decision recorded."),
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("companies:ranking", pk=appeal.entry.ranking_id)


# --- the score scheme ---------------------------------------------------------------------------------------


def schemes(request):
    """Every version of the score scheme, and a new version drafted from the latest (or `?from=<id>`). A version
    is never edited: saving always adds the next one, in force from its date."""
    user = request.user
    if not permissions.can_edit_registry(user):
        raise PermissionDenied
    versions = list(ScoreScheme.objects.order_by("-version"))
    used = set(CompanyScore.objects.values_list("scheme_id", flat=True).distinct()) | set(
        RankingList.objects.values_list("scheme_id", flat=True).distinct()
    )
    kinds = ranking.event_kinds()
    base = next((s for s in versions if str(s.pk) == request.GET.get("from")), versions[0] if versions else None)

    def page(form):
        context = {
            "title": _("Score scheme"),
            "versions": versions,
            "used": used,
            "base": base,
            "form": form,
            "kinds": kinds,
        }
        return render(request, "companies/schemes.html", context)

    if request.method != "POST":
        next_month = ranking.next_period(ranking.period_start(timezone.localdate()))
        return page(forms.SchemeForm(initial=forms.SchemeForm.initial_from(base, valid_from=next_month), kinds=kinds))
    form = forms.SchemeForm(request.POST, kinds=kinds)
    return act(
        request,
        form,
        lambda data: ranking.scheme_create(actor=user, **form.service_values()),
        success=lambda scheme: _("Version %(version)s saved.") % {"version": scheme.version},
        back=reverse("companies:schemes"),
        page=page,
    )
