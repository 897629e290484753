"""The resident portal's subsidy pages (phone-first): the lead owner sees his project's subsidy file, enters where
the money goes, uploads the documents still needed and submits — through the same services as the window.

Who acts is a resident account whose owner record is the project's lead owner: the signed-in account itself,
or, for an owner signed in with a one-time code, the resident account of that owner. Files are found through
`visible_to` of that account (a resident sees only the files of the projects he leads); anything else is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.accounts.models import Role, User
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.personal_data import mask_bank_account, mask_phone
from jiati.residents.auth import resident_required
from jiati.subsidies import forms, permissions, rules, selectors, services
from jiati.subsidies.models import NOT_APPLIED, Decision, Status, SubsidyApplication, SubsidyDocumentKind


def resident_user(request, owner) -> User | None:
    """The resident account acting for the signed-in owner, or None (staff signed in as themselves never act
    as a resident; an owner without a resident account can only follow his file at the window)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.role == Role.RESIDENT and user.is_active and user.owner_id == owner.pk:
            return user
        return None
    return User.objects.filter(owner=owner, role=Role.RESIDENT, is_active=True).order_by("pk").first()


def led_files(user):
    return (
        SubsidyApplication.objects.visible_to(user)
        .select_related("project__estate", "project__stairwell__building", "project__community__parent", "policy")
        .order_by("-id")
    )


def _file_or_404(request, pk) -> tuple[User, SubsidyApplication]:
    user = resident_user(request, request.owner)
    if user is None:
        raise Http404
    application = get_visible_or_404(
        led_files(user).select_related("policy__region", "applicant_owner"),
        pk=pk,
    )
    return user, application


def _url(application) -> str:
    return reverse("subsidies:portal-file", args=[application.pk])


def _upload_kinds(application) -> list[str]:
    required = [d["kind"] for d in rules.documents_status(application)]
    return [*required, SubsidyDocumentKind.OTHER.value]


def _page(request, user, application, *, payee_form=None, document_form=None):
    editable = application.status in NOT_APPLIED and permissions.is_lead_owner(user, application)
    returned = None
    if application.status == Status.RETURNED:
        returned = application.reviews.filter(decision=Decision.RETURN).order_by("-at", "-id").first()
    context = {
        "application": application,
        "project": application.project,
        "basis": rules.basis_text(application.policy_basis, application.policy),
        "holder": selectors.holder_label(application),
        "days": selectors.days_waiting(application),
        "documents_status": rules.documents_status(application),
        "documents": application.documents.order_by("kind", "-version"),
        "returned": returned,
        "problems": selectors.submission_problems(application, actor=user) if editable else [],
        "editable": editable,
        "bank_account": mask_bank_account(application.payee_bank_account),
        "phone": mask_phone(application.applicant_phone),
        "payee_form": payee_form
        or forms.PortalPayeeForm(
            initial={"payee_name": application.payee_name, "payee_bank_name": application.payee_bank_name}
        ),
        "document_form": document_form or forms.PortalDocumentForm(kinds=_upload_kinds(application)),
        "today": timezone.localdate(),
    }
    return render(request, "subsidies/portal/file.html", context)


@login_not_required
@resident_required
def portal_file(request, pk):
    user, application = _file_or_404(request, pk)
    return _page(request, user, application)


@login_not_required
@resident_required
@require_POST
def portal_payee(request, pk):
    user, application = _file_or_404(request, pk)
    form = forms.PortalPayeeForm(request.POST)
    if form.is_valid() and run_service(
        form, lambda: services.application_update(application=application, actor=user, **form.service_fields())
    ):
        messages.success(request, _("Saved."))
        return redirect(_url(application))
    return _page(request, user, application, payee_form=form)


@login_not_required
@resident_required
@require_POST
def portal_document_add(request, pk):
    user, application = _file_or_404(request, pk)
    form = forms.PortalDocumentForm(request.POST, request.FILES, kinds=_upload_kinds(application))
    if form.is_valid() and run_service(
        form,
        lambda: services.application_document_add(
            application=application, actor=user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
        ),
    ):
        messages.success(request, _("Document added."))
        return redirect(_url(application))
    return _page(request, user, application, document_form=form)


@login_not_required
@resident_required
@require_POST
def portal_submit(request, pk):
    user, application = _file_or_404(request, pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid() and run_service(
        form, lambda: services.application_submit(application=application, actor=user, note=form.cleaned_data["note"])
    ):
        messages.success(request, _("Submitted. The community's window reviews it first."))
        return redirect(_url(application))
    for error in form.non_field_errors():
        messages.error(request, error)
    for field, errors in form.errors.items():
        if field != "__all__":
            messages.error(request, " ".join(errors))
    return redirect(_url(application))
