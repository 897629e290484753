"""Subsidy pages: the tracker (应发尽发), the files and their review, payments and the ledger, budgets,
policies, and the printed approval sheet and payment list. Each action is one POST → one service → back."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiati.audit.models import DisclosureChannel
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.pdf import pdf_response, qr_svg
from jiati.core.uploads import serve_private_file
from jiati.organisation.models import Region, RegionLevel
from jiati.subsidies import exports, filtersets, forms, permissions, rules, selectors, services
from jiati.subsidies.models import (
    NOT_APPLIED,
    ZERO,
    ApplicationDocument,
    Budget,
    EntryKind,
    LedgerEntry,
    PaymentBatch,
    Status,
    SubsidyApplication,
    SubsidyDocumentKind,
    SubsidyPolicy,
)
from jiati.web.actions import act, form_errors
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView
from jiati.web.personal import personal_value


def _detail_url(application) -> str:
    return reverse("subsidies:application-detail", args=[application.pk])


# --- the tracker ------------------------------------------------------------------------


def home(request):
    """The "due" tracker: headline figures, files per step and per subdistrict, what waits for me."""
    user = request.user
    context = {
        "headline": selectors.headline(user=user),
        "tracker": selectors.tracker(user=user),
        "waiting": selectors.waiting_for(user=user).count(),
        "can_prepare": permissions.can_prepare(user) or permissions.can_oversee(user),
        "can_remind": permissions.can_remind(user),
        "can_pay": permissions.can_pay(user),
        "can_edit_policies": permissions.can_edit_policies(user),
        "can_set_budgets": permissions.can_set_budgets(user),
        "today": timezone.localdate(),
    }
    return render(request, "subsidies/home.html", context)


def tracker_export(request):
    return exports.tracker_xlsx(request=request)


@require_POST
def draft_missing(request):
    if not (permissions.can_prepare(request.user) or permissions.can_oversee(request.user)):
        raise PermissionDenied
    drafted = services.applications_draft_missing(actor=request.user)
    messages.success(request, _("%(n)s subsidy applications drafted.") % {"n": drafted})
    return redirect("subsidies:home")


@require_POST
def remind(request):
    if not permissions.can_remind(request.user):
        raise PermissionDenied
    sent = services.reminders_send(actor=request.user)
    messages.success(request, _("%(n)s reminders sent.") % {"n": sent})
    return redirect("subsidies:home")


# --- applications -----------------------------------------------------------------------


class _ListView(ScopedListView):
    """A list page with the subsidies tabs above it; htmx refreshes get the shared list's results fragment."""

    def get(self, request, *args, **kwargs):
        if request.htmx and not request.htmx.boosted:
            self.template_name = "core/list.html"
        return super().get(request, *args, **kwargs)


def _subdistrict(application) -> str:
    community = application.project.community
    return community.parent.name if community.parent_id else ""


class ApplicationListView(_ListView):
    model = SubsidyApplication
    filterset_class = filtersets.ApplicationFilterSet
    template_name = "subsidies/application_list.html"
    title = gettext_lazy("Subsidy applications")
    export_name = "subsidy-applications"
    columns = [
        Column(gettext_lazy("Project"), "project.code", link=_detail_url),
        Column(
            gettext_lazy("Stairwell"),
            lambda a: f"{a.project.estate.name} {a.project.stairwell.building.number} {a.project.stairwell.number}",
        ),
        Column(gettext_lazy("Subdistrict"), _subdistrict, css="d-none d-md-table-cell"),
        Column(gettext_lazy("Community"), "project.community.name", css="d-none d-lg-table-cell"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Held by"), selectors.holder_label, css="d-none d-md-table-cell"),
        Column(gettext_lazy("Days"), lambda a: selectors.days_waiting(a)),
        Column(gettext_lazy("Apply by"), lambda a: a.deadline if a.deadline_applies else None),
        Column(gettext_lazy("Amount due (yuan)"), "amount_due"),
        Column(gettext_lazy("Approved (yuan)"), "approved_amount"),
        Column(gettext_lazy("Paid (yuan)"), "paid_amount"),
        Column(gettext_lazy("Policy"), "policy.name", css="d-none d-xl-table-cell"),
    ]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("project__estate", "project__stairwell__building", "project__community__parent", "policy")
        )


def _application_or_404(request, pk):
    return get_visible_or_404(
        SubsidyApplication.objects.visible_to(request.user).select_related(
            "project__estate",
            "project__stairwell__building",
            "project__community__parent",
            "project__responsible",
            "policy__region",
            "applicant_owner",
            "budget",
        ),
        pk=pk,
    )


def application_detail(request, pk):
    application = _application_or_404(request, pk)
    user = request.user
    editable = application.status in NOT_APPLIED and permissions.can_prepare(user)
    reviewing = application.status in (
        Status.COMMUNITY,
        Status.SUBDISTRICT,
        Status.DISTRICT,
    ) and permissions.can_review(user, application.status)
    ledger = list(application.ledger.select_related("batch").order_by("id"))
    reversed_ids = {e.reverses_id for e in ledger if e.reverses_id}
    can_pay = permissions.can_pay(user)
    # Opening a file not yet submitted re-evaluates its policy: a policy defined since it was drafted is offered.
    change = selectors.policy_change(application)
    context = {
        "application": application,
        "project": application.project,
        "basis": rules.basis_text(application.policy_basis, application.policy),
        "policy_change": {"policy": change.policy, "basis": rules.basis_text(change.as_json(), change.policy)}
        if change
        else None,
        "can_reevaluate": permissions.can_prepare(user) or permissions.can_oversee(user),
        "documents_status": rules.documents_status(application),
        "documents": application.documents.select_related("uploaded_by"),
        "extras": application.extras.select_related("extra"),
        "reviews": application.reviews.select_related("reviewer"),
        "ledger": ledger,
        "reversed_ids": reversed_ids,
        "problems": selectors.submission_problems(application) if application.status in NOT_APPLIED else [],
        "holder": selectors.holder_label(application),
        "days": selectors.days_waiting(application),
        "editable": editable,
        "reviewing": reviewing,
        "can_approve": application.status == Status.DISTRICT and permissions.can_review(user, Status.DISTRICT),
        "can_judge": application.status in (*NOT_APPLIED, Status.COMMUNITY, Status.SUBDISTRICT, Status.DISTRICT)
        and permissions.can_judge_eligibility(user),
        "can_pay": can_pay and application.status == Status.APPROVED,
        "can_reverse": can_pay,
        "sees_bank": permissions.sees_bank_details(user),
        "forms": {
            "document": forms.DocumentForm(),
            "submit": forms.NoteForm(),
            "review": forms.ReviewForm(),
            "approve": forms.ApproveForm(initial={"amount": application.amount_due}),
            "return": forms.ReturnForm(),
            "not_eligible": forms.NotEligibleForm(),
            "payment": forms.PaymentForm(batches=_recent_batches(user), initial={"amount": application.unpaid_amount}),
        },
        "reversal_forms": {e.pk: forms.ReversalForm() for e in ledger if e.kind == EntryKind.PAYMENT}
        if can_pay
        else {},
        "today": timezone.localdate(),
    }
    return render(request, "subsidies/application_detail.html", context)


def _recent_batches(user):
    since = timezone.localdate() - dt.timedelta(days=90)
    return PaymentBatch.objects.visible_to(user).filter(paid_on__gte=since).order_by("-paid_on", "-id")


def application_edit(request, pk):
    application = _application_or_404(request, pk)
    if not permissions.can_prepare(request.user):
        raise PermissionDenied
    initial = {
        "applicant_kind": application.applicant_kind,
        "applicant_owner": application.applicant_owner_id,
        "applicant_name": application.applicant_name,
        "applicant_phone": application.applicant_phone,
        "payee_name": application.payee_name,
        "payee_bank_name": application.payee_bank_name,
        "stops": application.stops,
        "estimated_cost": application.estimated_cost,
        "audited_cost": application.audited_cost,
    }
    form = forms.ApplicationForm(request.POST or None, application=application, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            lambda: services.application_update(application=application, actor=request.user, **form.service_fields()),
        )
    ):
        messages.success(request, _("Saved."))
        return redirect(_detail_url(application))
    return render(request, "subsidies/application_form.html", {"form": form, "application": application})


def _act(request, pk, form_class, call, *, success, files=False, form_kwargs=None):
    """Validate a form, run the service on the file in scope, report the outcome on the file's page."""
    application = _application_or_404(request, pk)
    form = form_class(request.POST, request.FILES if files else None, **(form_kwargs or {}))
    return act(request, form, lambda data: call(application, data), success=success, back=_detail_url(application))


@require_POST
def document_add(request, pk):
    return _act(
        request,
        pk,
        forms.DocumentForm,
        lambda a, d: services.application_document_add(
            application=a, actor=request.user, kind=d["kind"], upload=d["file"]
        ),
        success=_("Document added."),
        files=True,
    )


def document_download(request, pk, document_pk):
    application = _application_or_404(request, pk)
    document = get_visible_or_404(ApplicationDocument.objects.filter(application=application), pk=document_pk)
    return serve_private_file(document.file, filename=document.original_name, content_type=document.content_type)


@require_POST
def submit(request, pk):
    return _act(
        request,
        pk,
        forms.NoteForm,
        lambda a, d: services.application_submit(application=a, actor=request.user, note=d["note"]),
        success=_("Submitted for review."),
    )


@require_POST
def reevaluate(request, pk):
    application = _application_or_404(request, pk)
    if not (permissions.can_prepare(request.user) or permissions.can_oversee(request.user)):
        raise PermissionDenied
    form = forms.NoteForm(request.POST)
    form.is_valid()
    changed = run_service(form, lambda: services.application_reevaluate(application=application, actor=request.user))
    if changed:
        messages.success(request, _("The file now follows the policy its dates choose."))
    elif changed is False:
        messages.info(request, _("Nothing changed: the file already follows the policy its dates choose."))
    else:
        messages.error(request, form_errors(form))
    return redirect(_detail_url(application))


@require_POST
def review(request, pk):
    return _act(
        request,
        pk,
        forms.ReviewForm,
        lambda a, d: services.application_review(
            application=a, actor=request.user, decision=d["decision"], comment=d["comment"]
        ),
        success=_("Review recorded."),
    )


@require_POST
def return_file(request, pk):
    return _act(
        request,
        pk,
        forms.ReturnForm,
        lambda a, d: services.application_review(
            application=a, actor=request.user, decision="return", comment=d["comment"]
        ),
        success=_("Returned for correction."),
    )


@require_POST
def approve(request, pk):
    return _act(
        request,
        pk,
        forms.ApproveForm,
        lambda a, d: services.application_approve(
            application=a, actor=request.user, amount=d["amount"], comment=d["comment"]
        ),
        success=_("Approved."),
    )


@require_POST
def not_eligible(request, pk):
    return _act(
        request,
        pk,
        forms.NotEligibleForm,
        lambda a, d: services.application_mark_not_eligible(application=a, actor=request.user, reason=d["reason"]),
        success=_("Recorded as not eligible."),
    )


def _paid_message(outcome) -> str:
    entry, created = outcome
    if created:
        return _("Payment recorded: %(amount)s, voucher %(voucher)s.") % {
            "amount": rules.yuan(entry.amount),
            "voucher": entry.voucher_no,
        }
    return _("This payment was already recorded (voucher %(voucher)s); nothing was added.") % {
        "voucher": entry.voucher_no
    }


@require_POST
def pay(request, pk):
    if not permissions.can_pay(request.user):
        raise PermissionDenied
    return _act(
        request,
        pk,
        forms.PaymentForm,
        lambda a, d: services.payment_record(
            actor=request.user,
            application=a,
            amount=d["amount"],
            voucher_no=d["voucher_no"],
            paid_on=d["paid_on"],
            batch=d["batch"],
            idempotency_key=d["idempotency_key"],
        ),
        success=_paid_message,
        form_kwargs={"batches": PaymentBatch.objects.visible_to(request.user)},
    )


@require_POST
def reverse_payment(request, pk, entry_pk):
    if not permissions.can_pay(request.user):
        raise PermissionDenied
    application = _application_or_404(request, pk)
    payment = get_visible_or_404(
        LedgerEntry.objects.filter(application=application, kind=EntryKind.PAYMENT), pk=entry_pk
    )
    return _act(
        request,
        pk,
        forms.ReversalForm,
        lambda a, d: services.payment_reverse(
            actor=request.user,
            payment=payment,
            voucher_no=d["voucher_no"],
            reversed_on=d["reversed_on"],
            reason=d["reason"],
            idempotency_key=d["idempotency_key"],
        ),
        success=lambda outcome: _("Payment reversed.") if outcome[1] else _("This reversal was already recorded."),
    )


def approval_sheet(request, pk):
    """The approval sheet (审批表) as a PDF: the file, the calculation, every review with its comment."""
    application = _application_or_404(request, pk)
    context = {
        "application": application,
        "project": application.project,
        "basis": rules.basis_text(application.policy_basis, application.policy),
        "documents_status": rules.documents_status(application),
        "extras": application.extras.select_related("extra"),
        "reviews": application.reviews.select_related("reviewer"),
        "ledger": application.ledger.select_related("batch").order_by("id"),
        "bank_account": _bank(request.user, application),
        "qr": qr_svg(f"{_site_url()}{_detail_url(application)}"),
        "printed_at": timezone.localtime(),
        "printed_by": request.user,
    }
    return pdf_response(
        "subsidies/pdf/approval_sheet.html", context, filename=f"subsidy-approval-{application.project.code}.pdf"
    )


def _bank(user, application) -> str:
    """The payee's account on a printed sheet (a document that leaves the system: recorded as an export)."""
    return personal_value(
        user, application.payee_bank_account, "bank_account", subject=application, channel=DisclosureChannel.EXPORT
    )


def _site_url() -> str:
    from jiati.core.site import site_url

    return site_url()


# --- the ledger and payment batches -----------------------------------------------------


def _payee_account(entry) -> str:
    return entry.application.payee_bank_account


class LedgerListView(_ListView):
    model = LedgerEntry
    filterset_class = filtersets.LedgerFilterSet
    template_name = "subsidies/ledger_list.html"
    title = gettext_lazy("Subsidy ledger")
    export_name = "subsidy-ledger"
    columns = [
        Column(gettext_lazy("Date"), "paid_on"),
        Column(gettext_lazy("Voucher number"), "voucher_no"),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("Project"), "application.project.code", link=lambda e: _detail_url(e.application)),
        Column(gettext_lazy("Estate"), "application.project.estate.name", css="d-none d-md-table-cell"),
        Column(gettext_lazy("Payee"), "application.payee_name", css="d-none d-lg-table-cell"),
        Column(
            gettext_lazy("Account"),
            _payee_account,
            personal="bank_account",
            subject=lambda e: e.application,
            css="d-none d-lg-table-cell",
        ),
        Column(gettext_lazy("Amount (yuan)"), "amount"),
        Column(gettext_lazy("Funding source"), "application.budget.get_source_display", css="d-none d-md-table-cell"),
        Column(gettext_lazy("Batch"), "batch.number", css="d-none d-md-table-cell"),
        Column(gettext_lazy("Recorded by"), "recorded_by", css="d-none d-xl-table-cell"),
    ]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("application__project__estate", "application__budget", "batch", "recorded_by")
        )

    def get_extra_context(self):
        total = self.get_base_queryset().aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        return {"ledger_total": total}


def batches(request):
    user = request.user
    rows = (
        PaymentBatch.objects.visible_to(user)
        .annotate(entries_count=Count("entries"), total=Coalesce(Sum("entries__amount"), ZERO))
        .select_related("created_by")
        .order_by("-paid_on", "-id")[:200]
    )
    form = forms.BatchForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST":
        if not permissions.can_pay(user):
            raise PermissionDenied
        if form.is_valid():
            batch = run_service(form, lambda: services.payment_batch_create(actor=user, **form.cleaned_data))
            if batch is not None:
                messages.success(request, _("Batch %(number)s opened.") % {"number": batch.number})
                return redirect("subsidies:batch-detail", pk=batch.pk)
    return render(
        request, "subsidies/batches.html", {"batches": rows, "form": form, "can_pay": permissions.can_pay(user)}
    )


def _batch_entries(request, batch):
    return (
        LedgerEntry.objects.visible_to(request.user)
        .filter(batch=batch)
        .select_related("application__project__estate", "application__project__stairwell__building")
        .order_by("id")
    )


def batch_detail(request, pk):
    batch = get_visible_or_404(PaymentBatch.objects.visible_to(request.user).select_related("region"), pk=pk)
    entries = list(_batch_entries(request, batch))
    return render(
        request,
        "subsidies/batch_detail.html",
        {"batch": batch, "entries": entries, "total": sum((e.amount for e in entries), ZERO)},
    )


def payment_list(request, pk):
    """The payment list (拨付清单) of a batch as a PDF."""
    batch = get_visible_or_404(PaymentBatch.objects.visible_to(request.user).select_related("region"), pk=pk)
    entries = list(_batch_entries(request, batch))
    rows = [{"entry": e, "account": _bank(request.user, e.application)} for e in entries]
    return pdf_response(
        "subsidies/pdf/payment_list.html",
        {
            "batch": batch,
            "rows": rows,
            "total": sum((e.amount for e in entries), ZERO),
            "qr": qr_svg(f"{_site_url()}{reverse('subsidies:batch-detail', args=[batch.pk])}"),
            "printed_at": timezone.localtime(),
            "printed_by": request.user,
        },
        filename=f"subsidy-payments-{batch.number}.pdf",
    )


# --- budgets and policies ---------------------------------------------------------------


def budgets(request):
    user = request.user
    district = services.district_of(user.region) if user.region_id else None
    form = forms.BudgetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not permissions.can_set_budgets(user) or district is None:
            raise PermissionDenied
        if form.is_valid() and run_service(
            form, lambda: services.budget_set(actor=user, region=district, **form.cleaned_data)
        ):
            messages.success(request, _("Budget saved."))
            return redirect("subsidies:budgets")
    rows = Budget.objects.visible_to(user).select_related("region").order_by("-year", "region__path", "source")
    return render(
        request,
        "subsidies/budgets.html",
        {"budgets": rows, "form": form, "can_set": permissions.can_set_budgets(user) and district is not None},
    )


class PolicyListView(_ListView):
    model = SubsidyPolicy
    filterset_class = filtersets.PolicyFilterSet
    template_name = "subsidies/policy_list.html"
    title = gettext_lazy("Subsidy policies")
    export_name = "subsidy-policies"
    columns = [
        Column(gettext_lazy("Name"), "name", link=lambda p: reverse("subsidies:policy-detail", args=[p.pk])),
        Column(gettext_lazy("Scope"), "region.name"),
        Column(gettext_lazy("Funding source"), "get_source_display"),
        Column(gettext_lazy("In force from"), "effective_from"),
        Column(gettext_lazy("In force until"), "effective_to"),
        Column(gettext_lazy("Fixed amount (yuan)"), "fixed_amount"),
        Column(gettext_lazy("Per storey (yuan)"), "per_storey_amount"),
        Column(gettext_lazy("Per stop (yuan)"), "per_stop_amount", css="d-none d-lg-table-cell"),
        Column(gettext_lazy("Share of cost (%)"), "cost_share_percent"),
        Column(gettext_lazy("Cap (yuan)"), "cap"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region")

    def get_extra_context(self):
        return {"can_edit": permissions.can_edit_policies(self.request.user)}


def _policy_regions(user):

    regions = Region.objects.visible_to(user).filter(level__in=[RegionLevel.CITY, RegionLevel.DISTRICT])
    if user.region_id and not (user.is_superuser or user.role == "platform_admin"):
        regions = regions.filter(path__startswith=user.region.path)
    return regions.order_by("path")


def policy_new(request):
    if not permissions.can_edit_policies(request.user):
        raise PermissionDenied
    form = forms.PolicyForm(request.POST or None, regions=_policy_regions(request.user))
    if request.method == "POST" and form.is_valid():
        policy = run_service(form, lambda: services.policy_create(actor=request.user, **form.service_fields()))
        if policy is not None:
            messages.success(request, _("Policy saved."))
            return redirect("subsidies:policy-detail", pk=policy.pk)
    return render(request, "subsidies/policy_form.html", {"form": form})


def policy_detail(request, pk):
    policy = get_visible_or_404(
        SubsidyPolicy.objects.visible_to(request.user).select_related("region", "created_by"), pk=pk
    )
    form = forms.PolicyCloseForm(request.POST or None, initial={"effective_to": policy.effective_to})
    if request.method == "POST":
        if not permissions.can_edit_policies(request.user):
            raise PermissionDenied
        if form.is_valid() and run_service(
            form,
            lambda: services.policy_close(
                actor=request.user, policy=policy, effective_to=form.cleaned_data["effective_to"]
            ),
        ):
            messages.success(request, _("Saved."))
            return redirect("subsidies:policy-detail", pk=policy.pk)
    labels = dict(SubsidyDocumentKind.choices)
    return render(
        request,
        "subsidies/policy_detail.html",
        {
            "policy": policy,
            "extras": policy.extras.all(),
            "documents": [labels[k] for k in rules.required_documents(policy)],
            "applications": policy.applications.visible_to(request.user).count(),
            "form": form,
            "can_edit": permissions.can_edit_policies(request.user),
        },
    )
