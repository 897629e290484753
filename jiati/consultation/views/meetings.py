"""The four-level meetings: list, scheduling, a meeting's page with its actions, coverage (一梯一会), PDFs."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from jiati.audit.models import AuditAction
from jiati.audit.services import build_entry
from jiati.consultation import forms, permissions, selectors
from jiati.consultation.filtersets import ActionFilterSet, CoverageGapFilterSet, MeetingFilterSet
from jiati.consultation.models import Meeting, MeetingAction, MeetingStatus
from jiati.consultation.services import meetings as services
from jiati.consultation.templatetags.consultation import with_shown_names
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.pdf import pdf_response, qr_svg
from jiati.core.site import absolute_url
from jiati.core.uploads import serve_private_file
from jiati.projects.models import Project
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.exports import write_xlsx
from jiati.web.lists import ScopedListView


def _meeting_url(meeting_id) -> str:
    return reverse("consultation:meeting-detail", args=[meeting_id])


def _local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


class MeetingListView(ScopedListView):
    model = Meeting
    filterset_class = MeetingFilterSet
    template_name = "consultation/meeting_list.html"
    title = gettext_lazy("Consultation meetings")
    export_name = "meetings"
    columns = [
        Column(gettext_lazy("Starts"), lambda m: _local(m.starts_at)),
        Column(gettext_lazy("Meeting"), "title", link=lambda m: _meeting_url(m.pk)),
        Column(gettext_lazy("Level"), "get_level_display"),
        Column(gettext_lazy("Hosted by"), lambda m: m.estate.name if m.estate_id else m.region.name),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Place"), "location", css="d-none d-lg-table-cell"),
        Column(gettext_lazy("Organiser"), "organiser", css="d-none d-lg-table-cell"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region", "estate", "organiser")

    def get_extra_context(self):
        return {"can_organise": permissions.can_organise_meetings(self.request.user)}


def meeting_create(request):
    user = request.user
    if not permissions.can_organise_meetings(user):
        raise PermissionDenied
    initial = {}
    project = (
        Project.objects.visible_to(user).filter(pk=request.GET.get("project") or 0).select_related("estate").first()
    )
    if project is not None:
        initial = {
            "level": "estate",
            "estate": project.estate_id,
            "projects": [project.pk],
            "title": _("Consultation meeting: %(estate)s %(stairwell)s")
            % {"estate": project.estate.name, "stairwell": project.stairwell},
            "location": project.estate.name,
        }
    form = forms.MeetingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["projects"] = list(data["projects"])
        meeting = run_service(form, lambda: services.meeting_schedule(actor=user, **data))
        if meeting is not None:
            messages.success(request, _("Meeting scheduled. Now invite the people concerned."))
            return redirect(_meeting_url(meeting.pk))
    return render(request, "consultation/meeting_form.html", {"form": form, "title": _("Schedule a meeting")})


def _meeting_or_404(request, pk):
    return get_visible_or_404(
        Meeting.objects.visible_to(request.user).select_related("region", "estate", "company", "organiser"), pk=pk
    )


def _may_organise(user, meeting) -> bool:
    """Organisers change the meetings their area answers for; everyone else who sees a meeting takes part."""
    return permissions.can_organise_meetings(user) and Meeting.objects.managed_by(user).filter(pk=meeting.pk).exists()


def _meeting_page(request, meeting, *, bound: dict | None = None, done: tuple | None = None):
    """The meeting's page. `bound`: forms refused just now, by part, shown as typed with their errors (that
    part's section open); `done`: (action id, form) of a refused "mark done"."""
    user = request.user
    invitees = with_shown_names(
        meeting.invitees.select_related("user", "owner", "company"), full=permissions.sees_invitees(user, meeting)
    )
    can_organise = _may_organise(user, meeting)
    context = {
        "meeting": meeting,
        "projects": meeting.projects.select_related("estate", "stairwell__building"),
        "invitees": invitees,
        "came": sum(1 for i in invitees if i.attended),
        "actions": meeting.actions.select_related("owner", "project", "done_by").order_by("status", "due_date"),
        "can_organise": can_organise,
        "has_started": meeting.starts_at <= timezone.now(),
        "done_form": forms.NoteForm(),
        "done_action_id": None,
        "open_part": next(iter(bound), None) if bound else None,
    }
    if done is not None:
        context["done_action_id"], context["done_form"] = done
    part = context["open_part"]
    if part and can_organise:
        # A part the page no longer offers (the meeting was cancelled or held meanwhile): show the refused form
        # on its own, so that nothing typed is lost.
        offered = {
            "edit": meeting.status == MeetingStatus.SCHEDULED,
            "cancel": meeting.status == MeetingStatus.SCHEDULED,
            "attendance": meeting.status != MeetingStatus.CANCELLED and context["has_started"] and bool(invitees),
            "minutes": True,
        }.get(part, meeting.status != MeetingStatus.CANCELLED)
        if not offered:
            context["refused"] = {
                "form": bound[part],
                "action": reverse("consultation:meeting-part", args=[meeting.pk, part]),
            }
    if can_organise:
        context["forms"] = {
            "edit": forms.MeetingEditForm(
                initial={
                    "title": meeting.title,
                    "starts_at": timezone.localtime(meeting.starts_at),
                    "ends_at": timezone.localtime(meeting.ends_at),
                    "location": meeting.location,
                    "agenda": meeting.agenda,
                    "party_branch": meeting.party_branch,
                    "company": meeting.company_id,
                }
            ),
            "invite": forms.InviteForm(user=user, meeting=meeting),
            "attendance": forms.AttendanceForm(invitees=invitees),
            "minutes": forms.MinutesForm(initial={"minutes": meeting.minutes}),
            "sign_in": forms.SignInSheetForm(),
            "link": forms.LinkProjectsForm(user=user, meeting=meeting),
            "action": forms.ActionForm(user=user, meeting=meeting),
            "cancel": forms.ReasonForm(),
            **(bound or {}),
        }
    return render(request, "consultation/meeting_detail.html", context)


def meeting_detail(request, pk):
    return _meeting_page(request, _meeting_or_404(request, pk))


@require_POST
def meeting_part(request, pk, part):
    """One POST per part of a meeting's page: edit, invite, attendance, minutes, sign-in sheet, projects, cancel,
    resolution. A refused one shows the page again with what was typed and why it was refused."""
    meeting = _meeting_or_404(request, pk)
    user = request.user
    if not _may_organise(user, meeting):
        raise PermissionDenied  # taking part in a meeting is reading it
    back = _meeting_url(meeting.pk)

    def page(form):
        return _meeting_page(request, meeting, bound={part: form})

    def run(form, call, success):
        return act(request, form, call, success=success, back=back, page=page)

    if part == "edit":
        return run(
            forms.MeetingEditForm(request.POST),
            lambda d: services.meeting_update(actor=user, meeting=meeting, **d),
            _("Saved."),
        )
    if part == "invite":

        def invite(d):
            created = services.meeting_invite(
                actor=user,
                meeting=meeting,
                users=list(d["users"]),
                companies=list(d["companies"]),
                others=d["others"],
                owners_of_projects=d["owners_of_projects"],
            )
            messages.info(request, _("%(n)s invited.") % {"n": len(created)})
            return created

        return run(forms.InviteForm(request.POST, user=user, meeting=meeting), invite, _("Invitations sent."))
    if part == "attendance":
        invitees = with_shown_names(meeting.invitees.all(), full=permissions.sees_invitees(user, meeting))
        return run(
            forms.AttendanceForm(request.POST, invitees=invitees),
            lambda d: services.meeting_record_attendance(actor=user, meeting=meeting, present=set(d["present"])),
            _("Attendance saved."),
        )
    if part == "minutes":
        return run(
            forms.MinutesForm(request.POST),
            lambda d: services.meeting_hold(actor=user, meeting=meeting, minutes=d["minutes"]),
            _("Minutes saved; the meeting counts as held."),
        )
    if part == "sign-in":
        return run(
            forms.SignInSheetForm(request.POST, request.FILES),
            lambda d: services.meeting_upload_sign_in(actor=user, meeting=meeting, upload=d["sign_in_sheet"]),
            _("Sign-in sheet stored."),
        )
    if part == "projects":
        held = meeting.status == MeetingStatus.HELD
        return run(
            forms.LinkProjectsForm(request.POST, user=user, meeting=meeting),
            lambda d: services.meeting_link_projects(actor=user, meeting=meeting, projects=list(d["projects"])),
            _(
                "Projects linked for the record. The meeting was already held, so it does not count as their "
                "one meeting per elevator."
            )
            if held
            else _("Projects linked."),
        )
    if part == "cancel":
        return run(
            forms.ReasonForm(request.POST),
            lambda d: services.meeting_cancel(actor=user, meeting=meeting, reason=d["reason"]),
            _("Meeting cancelled; the invitees were told."),
        )
    if part == "action":
        return run(
            forms.ActionForm(request.POST, user=user, meeting=meeting),
            lambda d: services.action_add(actor=user, meeting=meeting, **d),
            _("Resolution recorded."),
        )
    raise Http404


@require_POST
def meeting_unlink(request, pk, project_pk):
    meeting = _meeting_or_404(request, pk)
    project = get_visible_or_404(Project.objects.visible_to(request.user), pk=project_pk)

    return act(
        request,
        django_forms.Form(request.POST),
        lambda d: services.meeting_unlink_project(actor=request.user, meeting=meeting, project=project),
        success=_("Project removed from the meeting."),
        back=_meeting_url(meeting.pk),
    )


def meeting_sign_in_file(request, pk):
    meeting = _meeting_or_404(request, pk)
    if not meeting.sign_in_sheet:
        raise Http404
    return serve_private_file(meeting.sign_in_sheet, filename=meeting.sign_in_sheet.name.rsplit("/", 1)[-1])


def _meeting_pdf_context(request, meeting) -> dict:
    return {
        "meeting": meeting,
        "projects": meeting.projects.select_related("estate", "stairwell__building"),
        "invitees": with_shown_names(
            meeting.invitees.select_related("owner"), full=permissions.sees_invitees(request.user, meeting)
        ),
        "actions": meeting.actions.select_related("owner", "project").order_by("due_date"),
        "printed_at": timezone.localtime(),
        "qr": qr_svg(absolute_url(_meeting_url(meeting.pk))),
    }


def meeting_minutes_pdf(request, pk):
    meeting = _meeting_or_404(request, pk)
    if meeting.status != MeetingStatus.HELD:
        messages.error(request, _("The minutes can be printed once they are recorded."))
        return redirect(_meeting_url(meeting.pk))
    return pdf_response(
        "consultation/pdf/minutes.html", _meeting_pdf_context(request, meeting), filename=f"minutes-{meeting.pk}.pdf"
    )


def meeting_sign_in_pdf(request, pk):
    meeting = _meeting_or_404(request, pk)
    context = _meeting_pdf_context(request, meeting)
    context["blank_rows"] = range(max(0, 12 - len(context["invitees"])))
    return pdf_response("consultation/pdf/sign_in.html", context, filename=f"sign-in-{meeting.pk}.pdf")


def _action_due(action) -> str:
    if action.is_overdue:
        return format_html('<span class="badge text-bg-danger">{} {}</span>', _("Overdue"), action.due_date)
    return str(action.due_date)


class ActionListView(ScopedListView):
    model = MeetingAction
    filterset_class = ActionFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Meeting resolutions")
    export_name = "meeting-resolutions"
    columns = [
        Column(
            pgettext_lazy("meeting", "Resolution"),
            "description",
            link=lambda a: _meeting_url(a.meeting_id) + "#actions",
        ),
        Column(pgettext_lazy("resolution", "Owner"), "owner"),
        Column(gettext_lazy("Due date"), _action_due, export=False),
        Column(gettext_lazy("Due date"), "due_date", css="d-none"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Meeting"), "meeting.title"),
        Column(gettext_lazy("Project"), "project.code", css="d-none d-md-table-cell"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("owner", "meeting", "project")


@require_POST
def action_done(request, pk):
    action = get_visible_or_404(MeetingAction.objects.visible_to(request.user), pk=pk)
    back = request.POST.get("next") or _meeting_url(action.meeting_id)
    if not back.startswith("/") or back.startswith("//"):
        back = _meeting_url(action.meeting_id)
    meeting = _meeting_or_404(request, action.meeting_id)
    return act(
        request,
        forms.NoteForm(request.POST),
        lambda d: services.action_done(actor=request.user, action=action, note=d["note"]),
        success=_("Resolution done."),
        back=back,
        page=lambda form: _meeting_page(request, meeting, done=(action.pk, form)),
    )


COVERAGE_COLUMNS = [
    (gettext_lazy("Subdistrict"), "name"),
    (pgettext_lazy("count", "Projects"), "total"),
    (gettext_lazy("With a meeting"), "covered"),
    (gettext_lazy("Without"), "missing"),
    (gettext_lazy("Coverage (%)"), "percent"),
]


def _coverage_export(request, rows: list[dict], totals: dict):
    """The coverage table as an .xlsx (the same rows as the page, with a total line); recorded like every export."""

    lines = [[row[key] for _label, key in COVERAGE_COLUMNS] for row in rows]
    lines.append([_("Total"), *(totals[key] for _label, key in COVERAGE_COLUMNS[1:])])
    handle = write_xlsx(lines, [label for label, _key in COVERAGE_COLUMNS], sheet_title=_("One meeting per elevator"))
    build_entry(
        actor=request.user,
        instance=request.user,
        action=AuditAction.EXPORT,
        changes={"model": "consultation.coverage", "rows": len(rows), "personal_data": []},
        message=request.GET.urlencode()[:255],
    ).save()
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"meeting-coverage-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def coverage(request):
    """One meeting per elevator: coverage by subdistrict, and where projects still lack one (also as .xlsx)."""
    rows = selectors.coverage_by_subdistrict(user=request.user)
    total = sum(r["total"] for r in rows)
    covered = sum(r["covered"] for r in rows)
    if request.GET.get("export") == "xlsx":
        totals = {
            "total": total,
            "covered": covered,
            "missing": total - covered,
            "percent": round(100 * covered / total) if total else 0,
        }
        return _coverage_export(request, rows, totals)
    return render(
        request,
        "consultation/coverage.html",
        {
            "rows": rows,
            "total": total,
            "covered": covered,
            "missing": total - covered,
            "percent": round(100 * covered / total) if total else 0,
        },
    )


class CoverageGapListView(ScopedListView):
    model = Project
    filterset_class = CoverageGapFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Projects without a consultation meeting")
    export_name = "projects-without-meeting"
    columns = [
        Column(gettext_lazy("Project"), "code", link=lambda p: reverse("projects:detail", args=[p.pk])),
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Stairwell"), lambda p: f"{p.stairwell.building.number} {p.stairwell.number}"),
        Column(gettext_lazy("Stage"), "get_stage_display"),
        Column(gettext_lazy("Subdistrict"), "community.parent.name"),
        Column(gettext_lazy("Community"), "community.name"),
        Column(gettext_lazy("Responsible"), "responsible"),
    ]
    schedule_column = Column(
        gettext_lazy("Schedule a meeting"),
        lambda p: format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}?project={}">{}</a>',
            reverse("consultation:meeting-create"),
            p.pk,
            pgettext("meeting", "Schedule"),
        ),
        export=False,
    )

    def get(self, request, *args, **kwargs):
        # The scheduling button only for those who may schedule (finance and others only read the list).
        if permissions.can_organise_meetings(request.user):
            self.columns = [*type(self).columns, self.schedule_column]
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.coverage_gaps(user=self.request.user).select_related(
            "estate", "stairwell__building", "community__parent", "responsible"
        )
