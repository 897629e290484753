"""Petitions: the list (overdue ones stand out), intake, a petition's page with its handling history,
the reply letter, and the deadline settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from jiati.consultation import forms, permissions
from jiati.consultation.filtersets import PetitionFilterSet
from jiati.consultation.models import Petition, PetitionSettings, PetitionStatus
from jiati.consultation.services import petitions as services
from jiati.consultation.templatetags.consultation import mask_name, petitioner_value
from jiati.core import stored_text
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.pdf import pdf_response, qr_svg
from jiati.core.site import absolute_url
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def _petition_url(petition) -> str:
    return reverse("consultation:petition-detail", args=[petition.pk])


def _deadline(petition) -> str:
    """The current deadline, in red with the days late when it has passed."""
    if not petition.is_open or petition.due_date is None:
        return ""
    late = petition.days_overdue()
    if late:
        return format_html(
            '<span class="badge text-bg-danger"><i class="bi bi-alarm"></i> {} · {}</span>',
            petition.due_date,
            _("%(n)s days overdue") % {"n": late},
        )
    return str(petition.due_date)


def _deadline_text(petition) -> str:
    late = petition.days_overdue()
    return _("%(n)s days overdue") % {"n": late} if late else ""


def _reference(petition):
    if petition.days_overdue():
        return format_html('<i class="bi bi-exclamation-triangle-fill text-danger"></i> {}', petition.reference)
    return petition.reference


class PetitionListView(ScopedListView):
    model = Petition
    filterset_class = PetitionFilterSet
    template_name = "consultation/petition_list.html"
    title = gettext_lazy("Petitions")
    export_name = "petitions"
    columns = [
        Column(gettext_lazy("Petition number"), _reference, link=_petition_url, export=False),
        Column(gettext_lazy("Petition number"), "reference", css="d-none"),
        Column(gettext_lazy("Subject"), "subject"),
        Column(gettext_lazy("Petitioner"), lambda p: mask_name(p.petitioner_name)),
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Handled at"), "get_level_display"),
        Column(gettext_lazy("Handler"), "handler"),
        Column(gettext_lazy("Due"), _deadline, export=False),
        Column(gettext_lazy("Due"), "due_date", css="d-none"),
        Column(gettext_lazy("Overdue"), _deadline_text, css="d-none"),
        Column(pgettext_lazy("petition", "Received"), "received_on", css="d-none d-lg-table-cell"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("estate", "handler")

    def get_extra_context(self):
        user = self.request.user
        return {
            "can_take": permissions.can_take_petitions(user),
            "can_configure": permissions.can_configure(user),
            "overdue_count": Petition.objects.visible_to(user).overdue().count(),
        }


def petition_create(request):
    user = request.user
    if not permissions.can_take_petitions(user):
        raise PermissionDenied
    estate_id = request.POST.get("estate") or request.GET.get("estate")
    form = forms.PetitionForm(
        request.POST or None, user=user, estate_id=estate_id, initial={"estate": request.GET.get("estate")}
    )
    if request.method == "POST" and form.is_valid():
        petition = run_service(form, lambda: services.petition_submit(actor=user, **form.cleaned_data))
        if petition is not None:
            messages.success(
                request,
                _("Petition %(ref)s received and routed to %(handler)s.")
                % {"ref": petition.reference, "handler": petition.handler or petition.group or "—"},
            )
            return redirect(_petition_url(petition))
    return render(request, "consultation/petition_form.html", {"form": form, "title": _("Take in a petition")})


def _petition_or_404(request, pk):
    return get_visible_or_404(
        Petition.objects.visible_to(request.user).select_related(
            "estate", "stairwell__building", "project", "community__parent", "group", "handler", "owner", "created_by"
        ),
        pk=pk,
    )


# Each step on a petition's page: its form and the service it calls. Forms that share a class get their own
# element ids (auto_id), so that a refused one comes back as typed without touching the others.
ACTIONS = {
    "accept": (forms.AcceptForm, lambda u, p, d: services.petition_accept(actor=u, petition=p, note=d["text"])),
    "decline": (forms.ReasonForm, lambda u, p, d: services.petition_decline(actor=u, petition=p, reason=d["reason"])),
    "note": (forms.TextForm, lambda u, p, d: services.petition_note(actor=u, petition=p, text=d["text"])),
    "extend": (forms.ExtendForm, lambda u, p, d: services.petition_extend(actor=u, petition=p, **d)),
    "reply": (forms.ReplyForm, lambda u, p, d: services.petition_reply(actor=u, petition=p, reply=d["reply"])),
    "close": (forms.CloseForm, lambda u, p, d: services.petition_close(actor=u, petition=p, **d)),
    "reopen": (forms.ReasonForm, lambda u, p, d: services.petition_reopen(actor=u, petition=p, reason=d["reason"])),
    "escalate": (forms.ReasonForm, lambda u, p, d: services.petition_escalate(actor=u, petition=p, reason=d["reason"])),
    "letter-sent": (
        forms.AcceptForm,
        lambda u, p, d: services.petition_letter_sent(actor=u, petition=p, note=d["text"]),
    ),
}


def _step_form(action: str, user, data=None):
    auto_id = f"id_{action.replace('-', '_')}_%s"
    if action == "reassign":
        return forms.ReassignForm(data, user=user, auto_id=auto_id)
    return ACTIONS[action][0](data, auto_id=auto_id)


def _petition_page(request, petition, *, bound: dict | None = None):
    """The petition's page; `bound`: the step refused just now, shown as typed with its errors."""
    user = request.user
    may_reassign = permissions.can_handle_petitions(user)
    steps = [a for a in ACTIONS if a != "letter-sent"] + (["reassign"] if may_reassign else [])
    may_handle = permissions.can_handle_petitions(user) or petition.handler_id == user.pk
    may_note = permissions.can_note_petitions(user) or petition.handler_id == user.pk
    status, open_ = petition.status, petition.is_open
    # Which steps the page offers now (as the template shows them).
    offered = {
        "accept": may_handle and status == PetitionStatus.RECEIVED,
        "decline": may_handle and status == PetitionStatus.RECEIVED,
        "reply": may_handle and status == PetitionStatus.ACCEPTED,
        "extend": may_handle
        and status == PetitionStatus.ACCEPTED
        and permissions.can_extend_petitions(user)
        and not petition.extension_days,
        "close": may_handle and status in (PetitionStatus.REPLIED, PetitionStatus.DECLINED),
        "reopen": may_handle and not open_,
        "note": may_note,
        "reassign": may_reassign and open_,
        "escalate": may_reassign and open_ and petition.level != "district",
        "letter-sent": may_note and petition.letter_due,
    }
    open_part = next(iter(bound), None) if bound else None
    context = {
        "petition": petition,
        "events": stored_text.prepare(  # what the history's sentences name, read once (core.stored_text)
            petition.events.select_related("actor").order_by("at", "id"), lambda event: (event.data or {}).get("text")
        ),
        "late": petition.days_overdue(),
        "may_handle": may_handle,
        "may_note": may_note,
        "may_extend": permissions.can_extend_petitions(user),
        "may_reassign": may_reassign,
        "settings": PetitionSettings.current(),
        "forms": {step: _step_form(step, user) for step in steps} | (bound or {}),
        "open_part": open_part,
        "refused": {
            "form": bound[open_part],
            "action": reverse("consultation:petition-act", args=[petition.pk, open_part]),
        }
        if open_part and not offered.get(open_part)
        else None,
    }
    return render(request, "consultation/petition_detail.html", context)


def petition_detail(request, pk):
    return _petition_page(request, _petition_or_404(request, pk))


@require_POST
def petition_act(request, pk, action):
    petition = _petition_or_404(request, pk)
    user = request.user
    if action == "reassign":
        call = lambda d: services.petition_reassign(actor=user, petition=petition, handler=d["handler"])  # noqa: E731
    elif action in ACTIONS:
        service = ACTIONS[action][1]
        call = lambda d: service(user, petition, d)  # noqa: E731
    else:
        raise Http404
    form = _step_form(action, user, request.POST)
    return act(
        request,
        form,
        call,
        success=_("Saved."),
        back=_petition_url(petition),
        page=lambda bound: _petition_page(request, petition, bound={action: bound}),
    )


def _letter_context(request, petition) -> dict:
    portal_url = absolute_url(reverse("consultation:portal-petition", args=[petition.pk]))
    return {
        "petition": petition,
        # The petitioner's name in full only for the staff handling the petition (they post the letter).
        "petitioner_name": petitioner_value(request.user, petition, "name"),
        "printed_on": timezone.localdate(),
        "qr": qr_svg(portal_url),
    }


def petition_letter(request, pk):
    """The reply letter (答复意见书), or the notice of non-acceptance."""
    petition = _petition_or_404(request, pk)
    if petition.status not in (PetitionStatus.REPLIED, PetitionStatus.CLOSED, PetitionStatus.DECLINED):
        messages.error(request, _("The letter can be printed once the petition is answered."))
        return redirect(_petition_url(petition))
    return pdf_response(
        "consultation/pdf/reply_letter.html", _letter_context(request, petition), filename=f"{petition.reference}.pdf"
    )


def petition_notice_letter(request, pk):
    """The acknowledgement letter (信访事项告知书): received, and when acceptance is decided — or accepted, and
    when the answer is due. Printed for petitioners who can only be reached by post."""
    petition = _petition_or_404(request, pk)
    if not petition.is_open:
        messages.error(request, _("The petition is answered: print the reply letter instead."))
        return redirect(_petition_url(petition))
    return pdf_response(
        "consultation/pdf/notice_letter.html",
        _letter_context(request, petition),
        filename=f"{petition.reference}-notice.pdf",
    )


def petition_settings(request):
    user = request.user
    if not permissions.can_configure(user):
        raise PermissionDenied
    current = PetitionSettings.current()
    form = forms.PetitionSettingsForm(
        request.POST or None,
        initial={
            f: getattr(current, f)
            for f in (
                "accept_days",
                "resolve_days",
                "max_extension_days",
                "working_days",
                "escalate_after_days",
                "remind_days_before",
                "escalation_resolve_days",
            )
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(form, lambda: services.petition_settings_set(actor=user, **form.cleaned_data))
    ):
        messages.success(request, _("Saved. New deadlines apply to petitions received from now on."))
        return redirect("consultation:petition-settings")
    return render(request, "consultation/form_page.html", {"form": form, "title": _("Petition deadlines")})
