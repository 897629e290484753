"""The consultation log: the quick form (under a minute, on a phone), the list, one record, its follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiati.consultation import forms, permissions
from jiati.consultation.filtersets import ConsultationFilterSet
from jiati.consultation.models import Booking, ConsultationRecord
from jiati.consultation.services import windows as services
from jiati.consultation.templatetags.consultation import mask_name
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.housing.models import Stairwell
from jiati.organisation.models import ServiceWindow
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def _record_url(record) -> str:
    return reverse("consultation:record-detail", args=[record.pk])


def _follow_up(record) -> str:
    if not record.follow_up_needed:
        return ""
    if record.follow_up_done_at:
        return _("Done")
    if record.follow_up_overdue:
        return format_html('<span class="badge text-bg-danger">{} {}</span>', _("Overdue"), record.follow_up_due)
    return format_html('<span class="badge text-bg-warning">{} {}</span>', _("Due"), record.follow_up_due)


def _follow_up_text(record) -> str:
    if not record.follow_up_needed:
        return ""
    if record.follow_up_done_at:
        return _("Done")
    return f"{_('Overdue') if record.follow_up_overdue else _('Due')} {record.follow_up_due}"


class ConsultationListView(ScopedListView):
    model = ConsultationRecord
    filterset_class = ConsultationFilterSet
    template_name = "consultation/record_list.html"
    title = gettext_lazy("Consultations")
    export_name = "consultations"
    columns = [
        Column(
            gettext_lazy("Time"),
            lambda r: timezone.localtime(r.consulted_at).strftime("%Y-%m-%d %H:%M"),
            link=_record_url,
        ),
        Column(gettext_lazy("Topic"), "get_topic_display"),
        Column(gettext_lazy("Channel"), "get_channel_display"),
        Column(gettext_lazy("Who asked"), "get_visitor_kind_display"),
        Column(pgettext_lazy("person", "Name"), lambda r: mask_name(r.visitor_name)),
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Window"), "window.name", css="d-none d-lg-table-cell"),
        Column(gettext_lazy("Follow-up"), _follow_up, export=False),
        Column(gettext_lazy("Follow-up"), _follow_up_text, css="d-none"),
        Column(gettext_lazy("Recorded by"), "recorded_by", css="d-none d-md-table-cell"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("estate", "window", "recorded_by")

    def get_extra_context(self):
        return {"can_record": permissions.can_record_consultations(self.request.user)}


def record_create(request):
    user = request.user
    if not permissions.can_record_consultations(user):
        raise PermissionDenied
    source = request.POST or request.GET
    window = ServiceWindow.objects.visible_to(user).filter(pk=_int(source.get("window"))).first()
    booking = Booking.objects.visible_to(user).filter(pk=_int(source.get("booking"))).select_related("owner").first()
    if window is None and booking is not None:
        window = booking.window
    if window is None:
        window = ServiceWindow.objects.visible_to(user).filter(staff_on_duty=user, is_active=True).first()
    estate_id = _int(source.get("estate"))
    initial = {"window": window.pk if window else None}
    if booking is not None:
        initial |= {
            "booking": booking.pk,
            "visitor_name": booking.name,
            "topic": booking.topic,
            "question": booking.note,
        }
    form = forms.ConsultationForm(request.POST or None, user=user, window=window, estate_id=estate_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["booking"] = booking if data.get("booking") else None
        record = run_service(form, lambda: services.consultation_record(actor=user, **data))
        if record is not None:
            messages.success(request, _("Consultation logged."))
            if request.GET.get("another"):  # (a query parameter: form.js-once drops the pressed button's name)
                return redirect(f"{reverse('consultation:record-create')}?window={window.pk if window else ''}")
            return redirect(_record_url(record))
    return render(
        request,
        "consultation/record_form.html",
        {"form": form, "window": window, "booking": booking, "title": _("Log a consultation")},
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _record_or_404(request, pk):
    return get_visible_or_404(
        ConsultationRecord.objects.visible_to(request.user).select_related(
            "window", "estate", "stairwell__building", "project", "owner", "follow_up_by", "recorded_by", "booking"
        ),
        pk=pk,
    )


def record_detail(request, pk):
    record = _record_or_404(request, pk)
    return render(
        request,
        "consultation/record_detail.html",
        {
            "record": record,
            "result_form": forms.ResultForm(),
            "can_record": permissions.can_record_consultations(request.user),
        },
    )


@require_POST
def record_follow_up(request, pk):
    record = _record_or_404(request, pk)
    return act(
        request,
        forms.ResultForm(request.POST),
        lambda d: services.consultation_follow_up_done(actor=request.user, record=record, result=d["result"]),
        success=_("Follow-up done."),
        back=_record_url(record),
    )


@require_GET
def stairwell_options(request):
    """htmx: the stairwells of the chosen estate, as <option>s."""
    estate_id = _int(request.GET.get("estate"))
    stairwells = (
        Stairwell.objects.visible_to(request.user).filter(estate_id=estate_id).select_related("building")
        if estate_id
        else Stairwell.objects.none()
    )
    options = mark_safe('<option value="">—</option>') + format_html_join(
        "", '<option value="{}">{} {}</option>', ((s.pk, s.building.number, s.number) for s in stairwells[:500])
    )
    return HttpResponse(options)
