"""Elevator pages: the list and one elevator's page (staff, maintainers, installers), the maintainer's visit
form on a phone, fault reports; and the public pages reached by the QR code in the car (no sign-in)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.pdf import pdf_response, qr_svg
from jiati.core.personal_data import mask_phone
from jiati.elevators import filtersets, forms, permissions, services
from jiati.elevators.models import (
    Elevator,
    ElevatorStatus,
    FaultKind,
    FaultReport,
    FaultStatus,
    RunningCost,
    RunningCostShare,
)
from jiati.residents.auth import resident_owner
from jiati.residents.otp import otp_send, otp_verify
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView

FAULT_OTP_PURPOSE = "fault_report"


class ElevatorListView(ScopedListView):
    model = Elevator
    filterset_class = filtersets.ElevatorFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Elevators in service")
    export_name = "elevators"
    columns = [
        Column(
            gettext_lazy("Equipment code"), "equipment_code", link=lambda e: reverse("elevators:detail", args=[e.pk])
        ),
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Stairwell"), lambda e: f"{e.stairwell.building.number}{e.stairwell.number}"),
        Column(gettext_lazy("Maintainer"), "maintainer.name"),
        Column(gettext_lazy("Last maintenance visit"), "last_visit_on"),
        Column(gettext_lazy("Next periodic inspection due"), "next_inspection_due"),
        Column(gettext_lazy("Maintenance contract until"), "contract_end"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("estate", "stairwell__building", "maintainer")


def _elevator_or_404(request, pk) -> Elevator:
    return get_visible_or_404(
        Elevator.objects.visible_to(request.user).select_related(
            "estate", "stairwell__building", "community", "maker", "installer", "maintainer", "project"
        ),
        pk=pk,
    )


def _detail_url(elevator) -> str:
    return reverse("elevators:detail", args=[elevator.pk])


def detail(request, pk):
    elevator = _elevator_or_404(request, pk)
    user = request.user
    can_edit = permissions.can_edit(user, elevator)
    initial = {name: getattr(elevator, name) for name in services.ELEVATOR_FIELDS}
    costs = (
        list(elevator.running_costs.prefetch_related("shares__dwelling"))
        if permissions.can_keep_costs(user, elevator) or can_edit
        else []
    )
    context = {
        "elevator": elevator,
        "title": elevator.place,
        "alerts": [
            key for key, q in services.alert_filters().items() if Elevator.objects.filter(q, pk=elevator.pk).exists()
        ],
        "visits": elevator.visits.select_related("recorded_by")[:20],
        "inspections": elevator.inspections.all()[:10],
        "faults": elevator.faults.all()[:20],
        "costs": costs,
        "can_edit": can_edit,
        "can_visit": permissions.can_record_visit(user, elevator),
        "can_costs": permissions.can_keep_costs(user, elevator),
        "edit_form": forms.ElevatorForm(initial=initial) if can_edit else None,
        "visit_form": forms.VisitForm() if permissions.can_record_visit(user, elevator) else None,
        "inspection_form": forms.InspectionForm() if can_edit else None,
        "cost_form": forms.RunningCostForm() if permissions.can_keep_costs(user, elevator) else None,
        "payment_form": forms.PaymentForm(),
        "interval": services.maintenance_interval(),
        "public_url": request.build_absolute_uri(reverse("elevators:public", args=[elevator.public_token])),
    }
    return render(request, "elevators/detail.html", context)


def _form_action(request, elevator, form, call, success, template="elevators/form.html", title=""):
    """Run the service; a refused form comes back open with everything as typed and every error at once."""
    if form.is_valid() and run_service(form, call) is not None:
        messages.success(request, success)
        return redirect(_detail_url(elevator))
    return render(request, template, {"form": form, "elevator": elevator, "title": title or elevator.place}, status=400)


@require_POST
def edit(request, pk):
    elevator = _elevator_or_404(request, pk)
    if not permissions.can_edit(request.user, elevator):
        raise PermissionDenied
    form = forms.ElevatorForm(request.POST)
    return _form_action(
        request,
        elevator,
        form,
        lambda: services.elevator_update(actor=request.user, elevator=elevator, **form.cleaned_data),
        _("Saved."),
        title=_("Elevator record"),
    )


def visit(request, pk):
    """The maintainer's visit form, phone-first."""
    elevator = _elevator_or_404(request, pk)
    if not permissions.can_record_visit(request.user, elevator):
        raise PermissionDenied
    if request.method != "POST":
        return render(
            request,
            "elevators/form.html",
            {"form": forms.VisitForm(), "elevator": elevator, "title": _("Maintenance visit"), "multipart": True},
        )
    form = forms.VisitForm(request.POST, request.FILES)
    return _form_action(
        request,
        elevator,
        form,
        lambda: services.visit_record(
            actor=request.user,
            elevator=elevator,
            visited_on=form.cleaned_data["visited_on"],
            items=form.cleaned_data["items"],
            photo=form.cleaned_data.get("photo"),
        ),
        _("Visit recorded."),
        title=_("Maintenance visit"),
    )


@require_POST
def inspection(request, pk):
    elevator = _elevator_or_404(request, pk)
    due = elevator.inspections.filter(result="due").order_by("due_on").first()
    if due is None:
        raise Http404
    form = forms.InspectionForm(request.POST)
    return _form_action(
        request,
        elevator,
        form,
        lambda: services.inspection_record(actor=request.user, inspection=due, **form.cleaned_data),
        _("Inspection recorded."),
        title=_("Periodic inspection"),
    )


@require_POST
def running_cost(request, pk):
    elevator = _elevator_or_404(request, pk)
    form = forms.RunningCostForm(request.POST)

    def call():
        data = form.cleaned_data
        return services.running_cost_share(
            actor=request.user,
            elevator=elevator,
            year=data["year"],
            method=data["method"],
            parameters=form.parameters(),
            **{name: data.get(name) or 0 for name in services.COST_ITEMS},
        )

    return _form_action(request, elevator, form, call, _("Running costs shared."), title=_("Running costs"))


@require_POST
def payment(request, pk, share_pk):
    elevator = _elevator_or_404(request, pk)
    share = get_visible_or_404(
        RunningCostShare.objects.filter(cost__elevator=elevator).select_related("cost__elevator"), pk=share_pk
    )
    form = forms.PaymentForm(request.POST)
    return _form_action(
        request,
        elevator,
        form,
        lambda: services.running_cost_payment(actor=request.user, share=share, **form.cleaned_data),
        _("Payment recorded."),
        title=_("Payment"),
    )


def cost_notice(request, pk, cost_pk):
    """The year's shares, printable (A4 PDF in Chinese)."""
    elevator = _elevator_or_404(request, pk)
    if not (permissions.can_keep_costs(request.user, elevator) or permissions.can_edit(request.user, elevator)):
        raise PermissionDenied
    cost = get_visible_or_404(elevator.running_costs.all(), pk=cost_pk)
    shares = cost.shares.select_related("dwelling").order_by("-dwelling__floor", "dwelling__room")
    with translation.override("zh-hans"):
        return pdf_response(
            "elevators/pdf/cost_notice.html",
            {"elevator": elevator, "cost": cost, "shares": shares},
            filename=f"running-costs-{cost.year}.pdf",
        )


def poster(request, pk):
    """The A4 poster for the car: the QR code to the public page and the emergency numbers (in Chinese)."""
    elevator = _elevator_or_404(request, pk)
    url = request.build_absolute_uri(reverse("elevators:public", args=[elevator.public_token]))
    with translation.override("zh-hans"):
        return pdf_response(
            "elevators/pdf/poster.html",
            {
                "elevator": elevator,
                "qr": qr_svg(url, scale=8),
                "url": url,
                "emergency_number": settings.JIATI_EMERGENCY_NUMBER,
            },
            filename=f"elevator-{elevator.pk}-qr.pdf",
        )


# --- faults (signed in) ---------------------------------------------------------------------------------


class FaultListView(ScopedListView):
    model = FaultReport
    filterset_class = filtersets.FaultFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Fault reports")
    export_name = "faults"
    columns = [
        Column(gettext_lazy("Reported"), "reported_at", link=lambda f: reverse("elevators:fault-detail", args=[f.pk])),
        Column(gettext_lazy("What is wrong"), "get_kind_display"),
        Column(gettext_lazy("Urgent"), "urgent"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Estate"), "elevator.estate.name"),
        Column(gettext_lazy("Maintainer"), "maintainer.name"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("elevator__estate", "maintainer")


def _fault_or_404(request, pk) -> FaultReport:
    return get_visible_or_404(
        FaultReport.objects.visible_to(request.user).select_related(
            "elevator__estate", "elevator__stairwell__building"
        ),
        pk=pk,
    )


def fault_detail(request, pk):
    report = _fault_or_404(request, pk)
    return render(
        request,
        "elevators/fault.html",
        {
            "report": report,
            "title": report.elevator.place,
            "events": report.events.select_related("actor"),
            "timing": services.fault_timing(report),
            "can_handle": permissions.can_handle_fault(request.user, report),
            "close_form": forms.CloseForm(),
            "phone": mask_phone(report.phone),
        },
    )


@require_POST
def fault_step(request, pk, step):
    report = _fault_or_404(request, pk)
    if step == "close":
        form = forms.CloseForm(request.POST)
        if (
            not form.is_valid()
            or run_service(form, lambda: services.fault_close(actor=request.user, report=report, **form.cleaned_data))
            is None
        ):
            return render(
                request,
                "elevators/fault.html",
                {
                    "report": report,
                    "title": report.elevator.place,
                    "events": report.events.all(),
                    "timing": services.fault_timing(report),
                    "can_handle": True,
                    "close_form": form,
                    "phone": mask_phone(report.phone),
                },
                status=400,
            )
    else:
        service = {"acknowledge": services.fault_acknowledge, "arrive": services.fault_arrive}.get(step)
        if service is None:
            raise Http404
        try:
            service(actor=request.user, report=report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("elevators:fault-detail", pk=report.pk)
    messages.success(request, _("Saved."))
    return redirect("elevators:fault-detail", pk=report.pk)


# --- public pages (the QR code in the car) ------------------------------------------------------------------


def _public_elevator(token) -> Elevator:
    elevator = (
        Elevator.objects.select_related("estate", "stairwell__building", "maintainer")
        .filter(public_token=token, status=ElevatorStatus.IN_SERVICE)
        .first()
    )
    if elevator is None:
        raise Http404(_("This QR code is unknown or no longer in use."))
    return elevator


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@login_not_required
def public(request, token):
    """Report a fault: the emergency numbers first, then the form; the phone confirmed by a one-time code."""
    elevator = _public_elevator(token)
    session_key = f"fault-{elevator.public_token}"
    form, code_form, sent_to = forms.FaultForm(), None, None
    if request.method == "POST" and "send" in request.POST:
        form = forms.FaultForm(request.POST)
        if form.is_valid():

            def send():
                values = services.fault_validate(elevator=elevator, **form.cleaned_data)
                services.fault_rate_check(phone=values["phone"], address=_client_address(request))
                otp_send(phone=values["phone"], purpose=FAULT_OTP_PURPOSE)
                return values

            values = run_service(form, send)
            if values is not None:
                request.session[session_key] = values
                code_form, sent_to = forms.CodeForm(), mask_phone(values["phone"])
    elif request.method == "POST" and "verify" in request.POST:
        pending = request.session.get(session_key)
        if not pending:
            return redirect("elevators:public", token=token)
        code_form, sent_to = forms.CodeForm(request.POST), mask_phone(pending["phone"])
        if code_form.is_valid():

            def confirm():
                otp_verify(phone=pending["phone"], purpose=FAULT_OTP_PURPOSE, code=code_form.cleaned_data["code"])
                return services.fault_report(elevator=elevator, **pending)

            report = run_service(code_form, confirm)
            if report is not None:
                del request.session[session_key]
                return redirect("elevators:follow", token=report.follow_token)
    status = 400 if request.method == "POST" and (form.errors or (code_form is not None and code_form.errors)) else 200
    return render(
        request,
        "elevators/public.html",
        {
            "elevator": elevator,
            "form": form,
            "code_form": code_form,
            "sent_to": sent_to,
            "emergency_number": settings.JIATI_EMERGENCY_NUMBER,
            "trapped": FaultKind.TRAPPED,
        },
        status=status,
    )


@login_not_required
def follow(request, token):
    """The reporter follows the report, and rates the repair once it is closed."""
    report = (
        FaultReport.objects.select_related("elevator__estate", "elevator__stairwell__building", "maintainer")
        .filter(follow_token=token)
        .first()
    )
    if report is None:
        raise Http404
    form = forms.RatingForm()
    if request.method == "POST":
        form = forms.RatingForm(request.POST)
        if (
            form.is_valid()
            and run_service(form, lambda: services.fault_rate(report=report, **form.cleaned_data)) is not None
        ):
            messages.success(request, _("Thank you for your rating."))
            return redirect("elevators:follow", token=token)
    return render(
        request,
        "elevators/follow.html",
        {
            "report": report,
            "events": report.events.all(),
            "form": form if report.status == FaultStatus.CLOSED and report.rating is None else None,
            "emergency_number": settings.JIATI_EMERGENCY_NUMBER,
        },
    )


@login_not_required
def my_running_cost(request, pk):
    """A running-cost share of one of the signed-in owner's dwellings: the year's costs, his share, how it was
    computed, what is paid. Another owner's share is a 404; staff see those of the elevators they see."""
    user = request.user
    staff = user if user.is_authenticated and user.is_staff_member else None
    owner = None if staff is not None else resident_owner(request)
    if staff is None and owner is None:
        return redirect(f"{reverse('portal:login')}?next={request.path}")
    shares = RunningCostShare.objects.select_related(
        "dwelling", "cost__elevator__estate", "cost__elevator__stairwell__building"
    )
    if staff is not None:
        shares = shares.filter(cost__in=RunningCost.objects.visible_to(staff).values("pk"))
    else:
        shares = shares.filter(dwelling__ownerships__owner=owner)
    share = get_visible_or_404(shares, pk=pk)
    cost = share.cost
    items = [(RunningCost._meta.get_field(name).verbose_name, getattr(cost, name)) for name in services.COST_ITEMS]
    return render(
        request,
        "elevators/running_cost.html",
        {
            "share": share,
            "cost": cost,
            "elevator": cost.elevator,
            "items": [(label, amount) for label, amount in items if amount],
            "dwellings": cost.shares.count(),
            "payments": list(share.payments.order_by("paid_on", "id")),
        },
    )
