"""The resident portal's consultation pages (phone-first): book a window, see and cancel a booking,
file a petition and follow it. Residents sign in with a one-time code; they are not users."""

from __future__ import annotations

import datetime as dt

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.consultation import forms
from jiati.consultation.models import Booking, Petition, PetitionSettings, PetitionStatus, WindowSlot
from jiati.consultation.services import petitions as petition_services
from jiati.consultation.services import windows as window_services
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.housing.models import Ownership
from jiati.organisation.models import ServiceWindow
from jiati.residents.auth import resident_required
from jiati.web.actions import form_errors

BOOKING_HORIZON_DAYS = 21
FIRST_DAYS = 3  # days shown open; later ones fold away (a short page on a phone)


def _owner_windows(owner):
    communities = Ownership.objects.filter(owner=owner).values("dwelling__community_id")
    return ServiceWindow.objects.filter(is_active=True, community_id__in=communities).order_by("kind", "name")


@login_not_required
@resident_required
def book(request):
    """Choose a window near home and a free time."""
    windows = list(_owner_windows(request.owner))
    slots = (
        WindowSlot.objects.bookable()
        .filter(window__in=windows, starts_at__lt=timezone.now() + dt.timedelta(days=BOOKING_HORIZON_DAYS))
        .order_by("starts_at")[:300]
    )
    by_window: dict[int, dict] = {w.pk: {"window": w, "days": {}} for w in windows}
    for slot in slots:
        day = timezone.localtime(slot.starts_at).date()
        by_window[slot.window_id]["days"].setdefault(day, []).append(slot)
    groups = []
    for group in by_window.values():
        days = sorted(group["days"].items())
        groups.append({"window": group["window"], "days": days[:FIRST_DAYS], "later": days[FIRST_DAYS:]})
    return render(request, "consultation/portal/book.html", {"groups": groups, "owner": request.owner})


@login_not_required
@resident_required
def book_slot(request, slot_pk):
    """Confirm one time: name, phone and topic; the confirmation comes by text message."""
    owner = request.owner
    slot = get_visible_or_404(
        WindowSlot.objects.filter(window__in=_owner_windows(owner)).select_related("window"), pk=slot_pk
    )
    form = forms.BookingForm(
        request.POST or None, initial={"name": owner.name, "phone": owner.phone, "topic": "policy"}
    )
    if request.method == "POST" and form.is_valid():
        booking = run_service(
            form, lambda: window_services.booking_create(slot=slot, owner=owner, actor=None, **form.cleaned_data)
        )
        if booking is not None:
            messages.success(request, _("Booked. We sent the confirmation to your phone."))
            return redirect("consultation:portal-booking", pk=booking.pk)
    slot.refresh_from_db()
    return render(request, "consultation/portal/book_slot.html", {"slot": slot, "form": form})


@login_not_required
@resident_required
def booking(request, pk):
    booking = get_visible_or_404(Booking.objects.filter(owner=request.owner).select_related("slot", "window"), pk=pk)
    return render(
        request,
        "consultation/portal/booking.html",
        {"booking": booking, "can_cancel": booking.status == "booked" and booking.slot.starts_at > timezone.now()},
    )


@login_not_required
@resident_required
@require_POST
def booking_cancel(request, pk):
    booking = get_visible_or_404(Booking.objects.filter(owner=request.owner), pk=pk)

    form = django_forms.Form(request.POST)
    if run_service(form, lambda: window_services.booking_cancel(booking=booking, owner=request.owner)) is not None:
        messages.success(request, _("Your booking is cancelled."))
    else:
        messages.error(request, form_errors(form))
    return redirect("consultation:portal-booking", pk=booking.pk)


@login_not_required
@resident_required
def petition_new(request):
    owner = request.owner
    form = forms.PortalPetitionForm(request.POST or None, owner=owner)
    if request.method == "POST" and form.is_valid():
        petition = run_service(
            form,
            lambda: petition_services.petition_submit(
                actor=None, owner=owner, petitioner_name=owner.name, **form.cleaned_data
            ),
        )
        if petition is not None:
            messages.success(
                request,
                _("Your petition %(ref)s is received. We will tell you by %(date)s whether it is accepted.")
                % {"ref": petition.reference, "date": petition.accept_due.isoformat()},
            )
            return redirect("consultation:portal-petition", pk=petition.pk)
    return render(
        request, "consultation/portal/petition_form.html", {"form": form, "settings": PetitionSettings.current()}
    )


@login_not_required
@resident_required
def petition(request, pk):
    petition = get_visible_or_404(Petition.objects.filter(owner=request.owner).select_related("estate"), pk=pk)
    return render(
        request,
        "consultation/portal/petition.html",
        {
            "petition": petition,
            "events": petition.events.order_by("at", "id"),
            "close_form": forms.CloseForm(),
            "reopen_form": forms.ReasonForm(),
            "answered": petition.status in (PetitionStatus.REPLIED, PetitionStatus.DECLINED),
            "reopenable": petition.status in (PetitionStatus.REPLIED, PetitionStatus.CLOSED, PetitionStatus.DECLINED),
        },
    )


@login_not_required
@resident_required
@require_POST
def petition_answer(request, pk, action):
    """The petitioner closes the petition with their satisfaction, or asks for it to be reopened."""
    petition = get_visible_or_404(Petition.objects.filter(owner=request.owner), pk=pk)
    owner = request.owner
    if action == "close":
        form = forms.CloseForm(request.POST)
        call = lambda d: petition_services.petition_close(petition=petition, owner=owner, **d)  # noqa: E731
    else:
        form = forms.ReasonForm(request.POST)
        call = lambda d: petition_services.petition_reopen(petition=petition, owner=owner, reason=d["reason"])  # noqa: E731
    if form.is_valid() and run_service(form, lambda: call(form.cleaned_data)) is not None:
        messages.success(request, _("Thank you; your answer is recorded."))
    else:
        messages.error(request, form_errors(form))
    return redirect(reverse("consultation:portal-petition", args=[petition.pk]))
