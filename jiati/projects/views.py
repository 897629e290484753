"""Project pages: the list, a project's page with its next step, checklist, documents, blockers,
schedule and timeline, and the actions on it. Each action is one POST → one service → back to the page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiati.accounts.scoping import ShapedQuery
from jiati.core import read_once
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.hooks import collect
from jiati.core.prepared import PreparedQuery, pk_in_range
from jiati.core.refused_forms import refused_is
from jiati.core.uploads import serve_private_file
from jiati.housing.models import Estate, Stairwell
from jiati.projects import filtersets, forms, permissions, schedule, selectors, services, stages
from jiati.projects.models import (
    CONSTRUCTION_STAGES,
    SEVEN_ONES,
    Blocker,
    ContractReview,
    Project,
    ServiceTeamMember,
    Stage,
    WorkingGroupMember,
    sees_project_internals,
)
from jiati.web.actions import act
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView
from jiati.workdays.models import CalendarDay
from jiati.workdays.services import calendar_day_set


def _detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _seven_ones(project) -> str:
    return f"{project.seven_ones_done}/7"


# Columns about the staff's own work: not shown to construction teams, maintainers and residents.
STAFF_COLUMN_VALUES = ("responsible", "open_blockers", _seven_ones)


class ProjectListView(ScopedListView):
    model = Project
    filterset_class = filtersets.ProjectFilterSet
    template_name = "projects/list.html"
    title = gettext_lazy("Projects")
    export_name = "projects"
    columns = [
        Column(gettext_lazy("Project"), "code", link=lambda p: reverse("projects:detail", args=[p.pk])),
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Stairwell"), lambda p: f"{p.stairwell.building.number} {p.stairwell.number}"),
        Column(gettext_lazy("Stage"), "get_stage_display"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Schedule"), lambda p: selectors.schedule_state_label(p.schedule_state)),
        Column(gettext_lazy("Stage due"), "stage_due"),
        Column(gettext_lazy("Responsible"), "responsible"),
        Column(gettext_lazy("Seven ones"), _seven_ones),
        Column(gettext_lazy("Open blockers"), "open_blockers"),
        Column(gettext_lazy("Community"), "community.name", css="d-none d-lg-table-cell"),
    ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not sees_project_internals(request.user):
            self.columns = [c for c in self.columns if c.value not in STAFF_COLUMN_VALUES]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .with_schedule_state()
            .select_related("estate", "stairwell__building", "responsible", "community")
        )

    def get_extra_context(self):
        return {
            "can_open": permissions.can_open(self.request.user),
            "can_configure": permissions.can_configure(self.request.user),
        }


# The people and companies on a project: nullable, so each is a LEFT JOIN. Joined to the scoped fetch they made
# one 12-table statement whose planning cost PostgreSQL 35x its execution (issue 18); now they come in a second,
# plain statement by primary key, joining only the ones the project has.
PROJECT_PARTIES = ("responsible", "lead_owner", "brand", "contractor", "maintainer", "cluster")


# That statement differs only by the project's key and which parties it has: compiled once per process for each
# set of parties (`core.prepared`, at most 2**6 of them) instead of built and compiled on every view (issue 18).
_PARTIES_STATEMENTS: dict[tuple[str, ...], PreparedQuery] = {}


def _parties_statement(present: tuple[str, ...]) -> PreparedQuery:
    prepared = _PARTIES_STATEMENTS.get(present)
    if prepared is None:
        prepared = _PARTIES_STATEMENTS.setdefault(
            present,
            PreparedQuery(
                Project,
                lambda pk: Project.objects.select_related(*present).only("pk", *present).filter(pk=pk),
                kinds=(int,),
                server_prepared=True,
            ),
        )
    return prepared


# What every project view reads with the project: its place.
PROJECT_PLACE = ("estate", "stairwell__building", "community__parent")

# The scoped fetch differs only by the user's values (a region's path) and the project's key for users of one scope
# shape: compiled once per process for each shape (`accounts.scoping.ShapedQuery`), as the API's object lookup
# (`web.api`), instead of on every view (issue 18); other users' scopes are built per view.
_PROJECT = ShapedQuery(
    Project,
    lambda projects, pk: projects.filter(pk=pk).select_related(*PROJECT_PLACE).order_by()[:1],
    kinds=(int,),
    server_prepared=True,
)


def _visible_project_or_404(user, pk) -> Project:
    """The project `pk` as `Project.objects.visible_to(user)` answers it, with its place and `schedule_state`;
    out of scope and missing are the same 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = _PROJECT.fetch(user, pk) if pk_in_range(Project, pk) else []
    if not found:
        raise Http404
    (project,) = found
    # `with_schedule_state`'s rule worked out for this row (it reads today: not in a statement compiled once).
    project.schedule_state = str(project.current_schedule_state)
    return project


def _project_or_404(request, pk):
    project = _visible_project_or_404(request.user, pk)
    present = tuple(name for name in PROJECT_PARTIES if getattr(project, f"{name}_id") is not None)
    if present:
        (parties,) = _parties_statement(present).fetch(project.pk)
        for name in present:
            setattr(project, name, getattr(parties, name))
    return project


# The working group, the service team and the contract reviews with whom each names, as `prefetch_related` reads
# them: statements compiled once per process (`core.prepared`, issue 18), not on every view.
_PEOPLE = {
    "working_group": PreparedQuery(
        WorkingGroupMember,
        lambda pk: WorkingGroupMember.objects.filter(project_id=pk).select_related("owner"),
        kinds=(int,),
        server_prepared=True,
    ),
    "service_team": PreparedQuery(
        ServiceTeamMember,
        lambda pk: ServiceTeamMember.objects.filter(project_id=pk).select_related("user"),
        kinds=(int,),
        server_prepared=True,
    ),
    "contract_reviews": PreparedQuery(
        ContractReview,
        lambda pk: ContractReview.objects.filter(project_id=pk).select_related("reviewer"),
        kinds=(int,),
        server_prepared=True,
    ),
}


def _prefetch_people(project: Project) -> None:
    """`prefetch_related_objects([project], Prefetch("working_group", …), …)` by `_PEOPLE`'s statements: each
    relation's manager then answers from what was read (`all()`, `exists()`), each row hangs off the project."""
    cache = project.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, statement in _PEOPLE.items():
        if name in cache:
            continue
        rows = statement.fetch(project.pk)
        for row in rows:
            row.project = project  # as the prefetch hands them
        queryset = getattr(project, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset


def detail(request, pk):
    """A project's page. Staff get the working page; construction teams, maintainers and residents a narrower
    view of the same project (`_outside_detail`)."""
    # A read-only render: the stage guards and the apps' panels share what they read about it (core.read_once).
    project = read_once.enable(_project_or_404(request, pk))
    user = request.user
    if not sees_project_internals(user):
        return _outside_detail(request, project)
    can_manage = permissions.can_manage(user)
    blockers = selectors.page_blockers(project=project, user=user)
    documents = selectors.page_documents(project=project, user=user)
    # Read once, used by the checklist (seven ones), the lists on the page and the forms' initial values.
    _prefetch_people(project)
    seven = services.seven_ones_status(project)
    # "Show all N" on the timeline: N from the events' summary, which the schedule reads anyway.
    events_total = selectors.event_summary(project).total
    context = {
        "project": project,
        "stages": selectors.stage_track(project),
        "move_reasons": services.project_move_check(project=project, actor=user),
        "seven": [(key, label, seven[key]) for key, label in SEVEN_ONES],
        "working_group": project.working_group.all(),
        "service_team": project.service_team.all(),
        "reviews": project.contract_reviews.all()[:5],
        "documents": documents,
        "blockers": blockers,
        "events": selectors.timeline_events(project, user=user, limit=TIMELINE_LATEST),
        "show_all": events_total if events_total > TIMELINE_LATEST else None,
        "timeline": schedule.plan_vs_actual(project),
        "plans": selectors.project_plans(project),
        "panels": collect("panels", "project_panels", request=request, project=project),
        "can_manage": can_manage,
        "can_comment": permissions.can_comment(user),
        "can_add_documents": _may_add_documents(user, project),
        # The next step, comment, reason and resolve forms are written in the template (no form objects).
        "forms": _lazy_forms(request, project, user, ("document",))
        | (_lazy_forms(request, project, user, MANAGE_PARTS) if can_manage else {}),
    }
    return render(request, "projects/detail.html", context)


# The timeline on the project page shows its latest entries; the rest load on "show all" (issue 18: up to 200
# entries were rendered on every view, half the page's CPU).
TIMELINE_LATEST = 20


def timeline(request, pk):
    """A project's whole timeline: the entries for htmx when "show all" is clicked on the project page, or a
    page of its own, the no-JavaScript way to it. Staff only, as the timeline on the page."""
    project = _project_or_404(request, pk)
    if not sees_project_internals(request.user):
        raise PermissionDenied
    context = {"project": project, "events": selectors.timeline_events(project, user=request.user, limit=None)}
    if request.htmx and not request.htmx.boosted:
        return render(request, "projects/_timeline_entries.html", context)
    return render(request, "projects/timeline.html", context)


# The forms whose choices are read from the database (the stairwell's owners, the area's staff, the companies,
# the people a blocker may go to): built only when their fold-out panel is opened (an htmx GET of the form, or
# its own page without JavaScript), not on every view of the page (issue 18). A refused submit of one comes back
# built on the page, open, with what was typed (issue 13).
LAZY_PARTS = {
    "lead_owner": lambda project, user: forms.LeadOwnerForm(
        project=project, initial={"lead_owner": project.lead_owner_id}
    ),
    "working_group": lambda project, user: forms.WorkingGroupForm(
        project=project, initial={"owners": [m.owner_id for m in project.working_group.all()]}
    ),
    "service_team": lambda project, user: forms.ServiceTeamForm(
        user=user, initial={"users": [m.user_id for m in project.service_team.all()]}
    ),
    "checklist": lambda project, user: forms.ChecklistForm(
        initial={
            "chat_group_name": project.chat_group_name,
            "chat_group_link": project.chat_group_link,
            "brand": project.brand_id,
            "contractor": project.contractor_id,
            "maintainer": project.maintainer_id,
            "estimated_cost": project.estimated_cost,
        }
    ),
    "blocker": lambda project, user: forms.BlockerForm(project=project),
    "assign": lambda project, user: forms.AssignForm(user=user, initial={"responsible": project.responsible_id}),
    # Forms without database choices, folded too: rendering them cost the page about 4 ms of CPU (issue 18).
    "review": lambda project, user: forms.ContractReviewForm(),
    "plan": lambda project, user: forms.PlanForm(initial={"target_date": project.target_date}),
    "document": lambda project, user: forms.DocumentForm(kinds=permissions.document_kinds_to_add(user, project)),
}
LAZY_TITLES = {
    "lead_owner": gettext_lazy("Lead owner"),
    "working_group": gettext_lazy("Working group"),
    "service_team": gettext_lazy("Service team"),
    "checklist": gettext_lazy("Chat group, brand, construction team, maintainer, cost"),
    "blocker": gettext_lazy("Record a blocker"),
    "assign": gettext_lazy("Change the responsible person"),
    "review": gettext_lazy("Record a contract review"),
    "plan": gettext_lazy("Plan backwards from a target date"),
    "document": gettext_lazy("Add a document"),
}
# A project with a schedule is re-planned: its page's fold-out says so, and so does the form's own page.
REPLAN_TITLE = gettext_lazy("Re-plan")


def _part_title(part: str, project) -> str:
    if part == "plan" and project.target_date:
        return REPLAN_TITLE
    return LAZY_TITLES[part]


LAZY_FORM_CLASSES = {
    "lead_owner": forms.LeadOwnerForm,
    "working_group": forms.WorkingGroupForm,
    "service_team": forms.ServiceTeamForm,
    "checklist": forms.ChecklistForm,
    "blocker": forms.BlockerForm,
    "assign": forms.AssignForm,
    "review": forms.ContractReviewForm,
    "plan": forms.PlanForm,
    "document": forms.DocumentForm,
}
# The parts for those who manage the project; "document" is for whoever may add documents.
MANAGE_PARTS = tuple(part for part in LAZY_PARTS if part != "document")


def _lazy_forms(request, project, user, parts) -> dict:
    """The page's lazy forms: None (loaded when opened) unless one was just refused: that one is built here so
    that it comes back open with what was typed."""
    return {
        part: LAZY_PARTS[part](project, user) if refused_is(request, LAZY_FORM_CLASSES[part]) else None
        for part in parts
    }


def _may_add_documents(user, project) -> bool:
    kinds = permissions.document_kinds_to_add(user, project)
    return kinds is None or bool(kinds)


def checklist_form(request, pk, part):
    """One lazily loaded form of the project page (`LAZY_PARTS`): the fragment for htmx when its panel opens,
    or a page of its own, the no-JavaScript way to it."""
    if part not in LAZY_PARTS:
        raise Http404
    project = _project_or_404(request, pk)
    user = request.user
    may = _may_add_documents(user, project) if part == "document" else permissions.can_manage(user)
    if not sees_project_internals(user) or not may:
        raise PermissionDenied
    if part in ("working_group", "service_team"):
        prefetch_related_objects(
            [project],
            "working_group" if part == "working_group" else "service_team",
        )
    context = {
        "project": project,
        "part": part,
        "form": LAZY_PARTS[part](project, user),
        "title": _part_title(part, project),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "projects/_part_form.html", context)
    return render(request, "projects/part_form.html", context)


def _outside_detail(request, project):
    """What a construction team, a maintainer or a resident sees of a project they may see: its stage, its
    schedule and the documents of the kinds they may open — never the checklist's people, blockers, comments
    or other documents. The assigned construction team also reports progress here: site photos while it
    builds, and moving a construction stage on."""
    user = request.user
    builds = permissions.is_assigned_contractor(user, project)
    may_move = builds and user.role in stages.MOVERS.get(project.stage, frozenset())
    may_upload = builds and project.stage in CONSTRUCTION_STAGES
    context = {
        "project": project,
        "stages": selectors.stage_track(project),
        "timeline": schedule.plan_vs_actual(project),
        "documents": list(selectors.project_documents(project=project, user=user)),
        "builds": builds,
        "may_move": may_move,
        "move_reasons": services.project_move_check(project=project, actor=user) if may_move else [],
        "document_form": forms.DocumentForm(kinds=permissions.CONTRACTOR_UPLOADS) if may_upload else None,
    }
    return render(request, "projects/detail_outside.html", context)


def _act(request, pk, form_class, call, *, success, form_kwargs=None, files=False):
    """Validate a form, run the service on the project in scope, report the outcome on the project page."""
    project = _project_or_404(request, pk)
    form = form_class(request.POST, request.FILES if files else None, **(form_kwargs or {}))
    return act(request, form, lambda data: call(project, data), success=success, back=_detail(project))


@require_POST
def advance(request, pk):
    return _act(
        request,
        pk,
        forms.AdvanceForm,
        lambda p, d: services.project_advance(
            project=p, actor=request.user, note=d["note"], expected_stage=d["expected_stage"] or None
        ),
        success=_("The project moved to its next stage."),
    )


@require_POST
def status_change(request, pk, action):
    service = {
        "suspend": services.project_suspend,
        "withdraw": services.project_withdraw,
        "reopen": services.project_reopen,
    }.get(action)
    if service is None:
        raise Http404
    return _act(
        request,
        pk,
        forms.ReasonForm,
        lambda p, d: service(project=p, actor=request.user, reason=d["reason"]),
        success=_("Saved."),
    )


@require_POST
def comment(request, pk):
    return _act(
        request,
        pk,
        forms.CommentForm,
        lambda p, d: services.comment_add(project=p, actor=request.user, text=d["text"]),
        success=_("Comment added."),
    )


@require_POST
def checklist(request, pk, part):
    user = request.user
    project = _project_or_404(request, pk)
    actions = {
        "lead_owner": (
            forms.LeadOwnerForm,
            {"project": project},
            lambda p, d: services.project_set_lead_owner(project=p, actor=user, owner=d["lead_owner"]),
        ),
        "working_group": (
            forms.WorkingGroupForm,
            {"project": project},
            lambda p, d: services.working_group_set(project=p, actor=user, owners=list(d["owners"])),
        ),
        "service_team": (
            forms.ServiceTeamForm,
            {"user": user},
            lambda p, d: services.service_team_set(project=p, actor=user, users=list(d["users"])),
        ),
        "checklist": (
            forms.ChecklistForm,
            {},
            lambda p, d: services.project_set_checklist(
                project=p, actor=user, **{k: v for k, v in d.items() if k != "chat_group_qr" or v}
            ),
        ),
        "review": (forms.ContractReviewForm, {}, lambda p, d: services.contract_review_add(project=p, actor=user, **d)),
        "assign": (
            forms.AssignForm,
            {"user": user},
            lambda p, d: services.project_assign(project=p, actor=user, responsible=d["responsible"]),
        ),
        "plan": (
            forms.PlanForm,
            {},
            lambda p, d: schedule.plan_make(project=p, actor=user, target_date=d["target_date"], reason=d["reason"]),
        ),
        "blocker": (
            forms.BlockerForm,
            {"project": project},
            lambda p, d: services.blocker_open(project=p, actor=user, **d),
        ),
    }
    if part not in actions:
        raise Http404
    form_class, kwargs, call = actions[part]
    return _act(request, pk, form_class, call, success=_("Saved."), form_kwargs=kwargs, files=part == "checklist")


@require_POST
def blocker_resolve(request, pk, blocker_pk):
    project = _project_or_404(request, pk)
    blocker = get_visible_or_404(Blocker.objects.visible_to(request.user).filter(project=project), pk=blocker_pk)
    return _act(
        request,
        pk,
        forms.ResolveForm,
        lambda p, d: services.blocker_resolve(blocker=blocker, actor=request.user, resolution=d["resolution"]),
        success=_("Blocker resolved."),
    )


@require_POST
def document_add(request, pk):
    return _act(
        request,
        pk,
        forms.DocumentForm,
        lambda p, d: services.document_add(
            project=p, actor=request.user, kind=d["kind"], upload=d["file"], note=d["note"]
        ),
        success=_("Document added."),
        files=True,
    )


def document_download(request, pk, document_pk):
    """One document, if the user may open that document (its kind, for people outside the staff) on a project
    they see; anything else answers like a missing file."""
    project = _project_or_404(request, pk)
    document = get_visible_or_404(selectors.project_documents(project=project, user=request.user), pk=document_pk)
    return serve_private_file(document.file, filename=document.original_name, content_type=document.content_type)


def chat_qr(request, pk):
    project = _project_or_404(request, pk)
    if not project.chat_group_qr or not sees_project_internals(request.user):
        raise Http404
    return serve_private_file(project.chat_group_qr, filename=project.chat_group_qr.name.rsplit("/", 1)[-1])


def open_project(request, stairwell_pk):
    if not permissions.can_open(request.user):
        raise PermissionDenied
    stairwell = get_visible_or_404(
        Stairwell.objects.visible_to(request.user).select_related("estate", "building"), pk=stairwell_pk
    )
    form = forms.OpenProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = run_service(
            form,
            lambda: services.project_open(
                actor=request.user,
                stairwell=stairwell,
                target_date=form.cleaned_data["target_date"],
                note=form.cleaned_data["note"],
            ),
        )
        if project is not None:
            messages.success(request, _("Project %(code)s opened.") % {"code": project.code})
            return redirect(_detail(project))
    existing = stairwell.projects.exclude(status="withdrawn").first()
    return render(request, "projects/open.html", {"form": form, "stairwell": stairwell, "existing": existing})


def cluster_create(request, estate_pk):
    if not permissions.can_manage(request.user):
        raise PermissionDenied
    estate = get_visible_or_404(Estate.objects.visible_to(request.user), pk=estate_pk)
    candidates = Project.objects.visible_to(request.user).filter(estate=estate).exclude(status="withdrawn")
    form = forms.ClusterForm(request.POST or None, projects=candidates)
    if request.method == "POST" and form.is_valid():
        cluster = run_service(
            form,
            lambda: services.cluster_create(
                actor=request.user,
                estate=estate,
                name=form.cleaned_data["name"],
                design=form.cleaned_data["design"],
                projects=list(form.cleaned_data["projects"]),
            ),
        )
        if cluster is not None:
            messages.success(request, _("Cluster created."))
            return redirect("housing:estate-detail", pk=estate.pk)
    return render(request, "projects/cluster_form.html", {"form": form, "estate": estate})


def settings_page(request):
    """Stage durations and the working-day calendar (district office)."""
    if not permissions.can_configure(request.user):
        raise PermissionDenied
    durations = schedule.stage_durations()
    day_form = forms.CalendarDayForm(request.POST if "calendar" in request.POST else None)
    if day_form.is_bound and day_form.is_valid():
        calendar_day_set(actor=request.user, **day_form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("projects:settings")
    form = forms.StageDurationForm(request.POST if "durations" in request.POST else None, durations=durations)
    if (
        form.is_bound
        and form.is_valid()
        and run_service(
            form, lambda: schedule.stage_durations_set(actor=request.user, durations=form.cleaned_data) or True
        )
    ):
        messages.success(request, _("Saved."))
        return redirect("projects:settings")
    days = CalendarDay.objects.filter(date__year__gte=selectors.this_year() - 1).order_by("date")
    return render(
        request,
        "projects/settings.html",
        {"form": form, "day_form": day_form, "days": days, "total": sum(durations.get(s.value, 0) for s in Stage)},
    )


def board(request):
    """Projects per stage for the user's area (a kanban-style overview)."""
    counts = selectors.stage_counts(user=request.user)
    return render(request, "projects/board.html", {"counts": counts})
