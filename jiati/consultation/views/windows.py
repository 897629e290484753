"""Service windows: the list, a window's page (slots, bookings, consultations), slots and bookings."""

from __future__ import annotations

import datetime as dt

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from jiati.consultation import forms, permissions
from jiati.consultation.filtersets import BookingFilterSet
from jiati.consultation.models import Booking, BookingStatus, ConsultationRecord, WindowSlot
from jiati.consultation.services import windows as services
from jiati.consultation.templatetags.consultation import mask_name
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.organisation.filtersets import ServiceWindowFilterSet
from jiati.organisation.models import ServiceWindow
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def _window_url(window_id) -> str:
    return reverse("consultation:window-detail", args=[window_id])


class WindowListView(ScopedListView):
    model = ServiceWindow
    filterset_class = ServiceWindowFilterSet
    template_name = "consultation/window_list.html"
    title = gettext_lazy("Service windows")
    export_name = "service-windows"
    columns = [
        Column(gettext_lazy("Window"), "name", link=lambda w: _window_url(w.pk)),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("Community"), "community.name"),
        Column(gettext_lazy("Address"), "address", css="d-none d-lg-table-cell"),
        Column(gettext_lazy("Opening hours"), "opening_hours"),
        Column(gettext_lazy("Phone"), "phone"),
        Column(pgettext_lazy("window", "Open"), "is_active"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("community")

    def get_extra_context(self):
        return {"can_manage": permissions.can_manage_windows(self.request.user)}


def _window_or_404(request, pk):
    return get_visible_or_404(
        ServiceWindow.objects.visible_to(request.user).select_related("community", "workstation", "property_office"),
        pk=pk,
    )


# The parts of the page a form is posted from, and where each one posts to. A window's own forms ("edit", "slots",
# "book": one booking form, the slot chosen in it) sit once on the page; a slot's ("capacity", "cancel") under that
# slot; "booking-cancel" under its booking.
PART_URLS = {
    "edit": "consultation:window-edit",
    "slots": "consultation:slots-open",
    "book": "consultation:window-book",
    "capacity": "consultation:slot-capacity",
    "cancel": "consultation:slot-cancel",
    "booking-cancel": "consultation:booking-cancel",
}
WINDOW_PARTS = {"edit", "slots", "book"}
SLOT_PARTS = {"capacity", "cancel"}


def _window_page(request, window, *, bound: tuple[str, int | None, object] | None = None):
    """The window's page. `bound`: (part, slot or booking id, form) of a form refused just now, shown as typed with
    its errors and its section open, under the slot or booking it was for; if that is no longer on the page, on
    its own, so that nothing typed is lost."""
    user = request.user
    part, target, bound_form = bound or (None, None, None)
    now = timezone.now()
    start_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    slots = list(
        window.slots.filter(starts_at__gte=start_of_today, starts_at__lt=now + dt.timedelta(days=15))
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.exclude(status=BookingStatus.CANCELLED).select_related("consultation"),
            )
        )
        .order_by("starts_at")
    )
    can_manage = permissions.can_manage_windows(user)
    shown = can_manage and part in WINDOW_PARTS  # the window's own forms are always on a manager's page
    days: dict[dt.date, list] = {}
    for slot in slots:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
        # What the page offers on the slot; a refused form is shown under its slot whatever became of the slot.
        slot.bookable = can_manage and not slot.is_cancelled and slot.starts_at > now
        slot.open_part = part if part in SLOT_PARTS and slot.pk == target else None
        slot.part_form = bound_form if slot.open_part else None
        slot.managed = slot.bookable and str(slot.pk) == request.GET.get("manage")
        for booking in slot.bookings.all():
            booking.cancel_form = bound_form if part == "booking-cancel" and booking.pk == target else None
            shown = shown or booking.cancel_form is not None
        shown = shown or slot.open_part is not None
    staff_on_duty = window.staff_on_duty.all()
    context = {
        "window": window,
        "staff_on_duty": staff_on_duty,
        # (day, its slots, open): the first two days open, and the day of a refused form.
        "days": [
            (day, day_slots, index < 2 or any(s.open_part for s in day_slots))
            for index, (day, day_slots) in enumerate(sorted(days.items()))
        ],
        "now": now,
        "consultations": ConsultationRecord.objects.filter(window=window)
        .select_related("estate", "recorded_by")
        .order_by("-id")[:10],
        "can_manage": can_manage,
        "can_record": permissions.can_record_consultations(user),
        "open_part": part,
        "refused": {"form": bound_form, "action": reverse(PART_URLS[part], args=[target or window.pk])}
        if part and not shown
        else None,
    }
    if can_manage:
        context["edit_form"] = forms.WindowEditForm(
            user=user,
            initial={
                "name": window.name,
                "address": window.address,
                "opening_hours": window.opening_hours,
                "phone": window.phone,
                "staff_on_duty": [u.pk for u in staff_on_duty],
                "is_active": window.is_active,
            },
        )
        context["slots_form"] = forms.SlotsOpenForm(
            initial={
                "first_day": timezone.localdate() + dt.timedelta(days=1),
                "last_day": timezone.localdate() + dt.timedelta(days=14),
            }
        )
        offered = [slot for slot in slots if slot.bookable and slot.booked < slot.capacity]
        if part == "book":  # refused: the slot chosen stays chosen, with the reason on it, even if now full or gone
            bound_form.offer(sorted({*offered, *bound_form.slots.values()}, key=lambda slot: slot.starts_at))
            context["booking_form"] = bound_form
        else:
            chosen = request.GET.get("slot", "")
            context["booking_form"] = forms.WindowBookingForm(
                slots=offered, initial={"slot": int(chosen) if chosen.isdigit() else None}
            )
        if part == "edit":
            context["edit_form"] = bound_form
        elif part == "slots":
            context["slots_form"] = bound_form
    return render(request, "consultation/window_detail.html", context)


def window_detail(request, pk):
    return _window_page(request, _window_or_404(request, pk))


def _manager_or_403(request) -> None:
    """Seeing a window is not running it: only its managers post its forms (before a refused form is shown)."""
    if not permissions.can_manage_windows(request.user):
        raise PermissionDenied


def _page(request, window_id, part: str, target=None):
    """`page=` for act(): the window's page again (scoped as ever), with the refused form where it was posted from."""
    return lambda form: _window_page(request, _window_or_404(request, window_id), bound=(part, target, form))


def window_create(request):
    _manager_or_403(request)
    form = forms.WindowCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        window = run_service(form, lambda: services.window_create(actor=request.user, **form.cleaned_data))
        if window is not None:
            messages.success(request, _("Window opened."))
            return redirect(_window_url(window.pk))
    return render(request, "consultation/form_page.html", {"form": form, "title": _("New service window")})


@require_POST
def window_edit(request, pk):
    window = _window_or_404(request, pk)
    _manager_or_403(request)
    return act(
        request,
        forms.WindowEditForm(request.POST, user=request.user),
        lambda d: services.window_update(actor=request.user, window=window, **d),
        success=_("Saved."),
        back=_window_url(window.pk),
        page=_page(request, window.pk, "edit"),
    )


@require_POST
def slots_open(request, pk):
    window = _window_or_404(request, pk)
    _manager_or_403(request)
    form = forms.SlotsOpenForm(request.POST)

    def call(d):
        slots = services.slots_open(
            actor=request.user,
            window=window,
            first_day=d["first_day"],
            last_day=d["last_day"],
            weekdays=set(d["weekdays"]),
            times=d["times"],
            capacity=d["capacity"],
            skip_holidays=d["skip_holidays"],
        )
        messages.info(request, _("%(n)s new slots.") % {"n": len(slots)})
        return slots

    return act(
        request,
        form,
        call,
        success=_("Slots offered."),
        back=_window_url(window.pk),
        page=_page(request, window.pk, "slots"),
    )


def _slot_or_404(request, pk):
    return get_visible_or_404(WindowSlot.objects.visible_to(request.user).select_related("window"), pk=pk)


@require_POST
def slot_cancel(request, pk):
    slot = _slot_or_404(request, pk)
    _manager_or_403(request)
    return act(
        request,
        forms.ReasonForm(request.POST),
        lambda d: services.slot_cancel(actor=request.user, slot=slot, reason=d["reason"]),
        success=_("Slot cancelled; the residents booked in it were told."),
        back=_window_url(slot.window_id),
        page=_page(request, slot.window_id, "cancel", slot.pk),
    )


@require_POST
def slot_capacity(request, pk):
    slot = _slot_or_404(request, pk)
    _manager_or_403(request)
    return act(
        request,
        forms.CapacityForm(request.POST),
        lambda d: services.slot_set_capacity(actor=request.user, slot=slot, capacity=d["capacity"]),
        success=_("Saved."),
        back=_window_url(slot.window_id),
        page=_page(request, slot.window_id, "capacity", slot.pk),
    )


@require_POST
def window_book(request, pk):
    """Window staff book a place for someone who called, in the slot chosen on the window's one booking form."""
    window = _window_or_404(request, pk)
    _manager_or_403(request)
    chosen = request.POST.get("slot", "")
    slots = WindowSlot.objects.visible_to(request.user).filter(window=window, pk=chosen if chosen.isdigit() else None)
    form = forms.WindowBookingForm(request.POST, slots=slots)

    def call(d):
        details = {key: d[key] for key in ("name", "phone", "topic", "note")}
        return services.booking_create(actor=request.user, slot=form.chosen_slot(), **details)

    return act(
        request,
        form,
        call,
        success=_("Booked; a confirmation was sent by text message."),
        back=_window_url(window.pk),
        page=_page(request, window.pk, "book"),
    )


def _booking_or_404(request, pk):
    return get_visible_or_404(Booking.objects.visible_to(request.user).select_related("slot"), pk=pk)


@require_POST
def booking_mark(request, pk, outcome):
    booking = _booking_or_404(request, pk)
    if outcome not in ("attended", "no_show"):
        raise PermissionDenied

    return act(
        request,
        django_forms.Form(request.POST),
        lambda d: services.booking_mark(actor=request.user, booking=booking, attended=outcome == "attended"),
        success=_("Saved."),
        back=_window_url(booking.window_id),
    )


@require_POST
def booking_cancel(request, pk):
    booking = _booking_or_404(request, pk)
    _manager_or_403(request)
    return act(
        request,
        forms.ReasonForm(request.POST),
        lambda d: services.booking_cancel(actor=request.user, booking=booking, reason=d["reason"]),
        success=_("Booking cancelled; the resident was told."),
        back=_window_url(booking.window_id),
        page=_page(request, booking.window_id, "booking-cancel", booking.pk),
    )


class BookingListView(ScopedListView):
    model = Booking
    filterset_class = BookingFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Bookings")
    export_name = "bookings"

    @property
    def columns(self) -> list[Column]:
        """The booker's name is masked like their phone: in full only for the roles that receive residents, and
        in an export only when personal data is asked for."""
        request = self.request
        exporting = request.GET.get("export") == "xlsx"
        full = permissions.sees_booker(request.user, Booking()) and (
            not exporting or request.GET.get("personal") == "1"
        )

        def name(booking) -> str:
            return booking.name if full else mask_name(booking.name)

        return [
            Column(gettext_lazy("Booking number"), "reference"),
            Column(gettext_lazy("Time"), lambda b: timezone.localtime(b.slot.starts_at).strftime("%Y-%m-%d %H:%M")),
            Column(gettext_lazy("Window"), "window.name", link=lambda b: _window_url(b.window_id)),
            Column(pgettext_lazy("person", "Name"), name),
            Column(gettext_lazy("Phone"), "phone", personal="phone"),
            Column(gettext_lazy("Topic"), "get_topic_display"),
            Column(gettext_lazy("Status"), "get_status_display"),
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("slot", "window")
