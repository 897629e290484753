"""Pages of the retrofit pool: thin — scoped selectors in, services for writes, refusals back on the form."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.housing.models import Dwelling, Estate, Ownership, Stairwell
from jiati.organisation.models import Region
from jiati.pool import filtersets, forms, permissions, rules, selectors, services
from jiati.pool.models import (
    Assessment,
    Feasibility,
    MobilityNeed,
    StairwellPriority,
    Survey,
    SurveyAnswer,
    SurveyStatus,
)
from jiati.projects.models import Cluster, Project, Status
from jiati.residents.auth import resident_required
from jiati.web.columns import Column
from jiati.web.exports import export_queryset, write_xlsx
from jiati.web.lists import KeysetPage, ScopedListView
from jiati.web.pagination import MAX_ID


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _feasibility_label(row) -> str:
    return str(dict(Feasibility.choices).get(row.feasibility, _("Not assessed")))


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


def _project_stage(row) -> str:
    if not row.project_id:
        return "—"
    from jiati.projects.models import Stage

    return str(dict(Stage.choices).get(row.project_stage, row.project_stage))


class PoolListView(ScopedListView):
    """The pool: every candidate stairwell in the user's area with its feasibility, willingness, project and score."""

    model = Stairwell
    filterset_class = filtersets.PoolFilterSet
    template_name = "pool/pool_list.html"
    title = gettext_lazy("Retrofit pool")
    export_name = "retrofit-pool"
    columns = [
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(gettext_lazy("Building"), "building.number"),
        Column(gettext_lazy("Stairwell"), "number", link=lambda r: reverse("pool:stairwell", args=[r.pk])),
        Column(gettext_lazy("Community"), "community.name", css="d-none d-lg-table-cell"),
        Column(gettext_lazy("Storeys"), "storeys"),
        Column(gettext_lazy("Feasibility"), _feasibility_label),
        Column(gettext_lazy("Willing"), lambda r: _yes_no(r.is_willing)),
        Column(
            gettext_lazy("Project"),
            _project_stage,
            link=lambda r: reverse("projects:detail", args=[r.project_id]) if r.project_id else "",
        ),
        Column(gettext_lazy("Priority"), lambda r: Decimal(r.priority).scaleb(-2)),
    ]

    def dispatch(self, request, *args, **kwargs):
        _require(permissions.can_read(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.with_priority(selectors.pool_stairwells(user=self.request.user)).select_related(
            "estate", "building", "community"
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx" and request.GET.get("sort") == "priority":
            # The base view exports in id order; sorted by priority, the export keeps the page's order.
            filterset = filtersets.PoolFilterSet(request.GET, queryset=self.get_base_queryset(), request=request)
            queryset = filterset.qs if filterset.is_valid() else filterset.queryset
            return export_queryset(
                request=request,
                queryset=selectors.priority_order(queryset),
                columns=self.columns,
                name=self.export_name,
                model=self.model,
                include_personal=False,
            )
        return super().get(request, *args, **kwargs)

    def get_page(self, queryset, filterset):
        if self.request.GET.get("sort") == "priority":
            get = self.request.GET.get
            return priority_page(queryset, after=get("after"), before=get("before"), size=self.page_size)
        return super().get_page(queryset, filterset)


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def priority_page(queryset, *, after, before, size: int) -> KeysetPage:
    """A keyset page in priority order (highest first, ties newest first), without COUNT or OFFSET.

    The cursor stays a row id, as on every list: the stored score of that row (looked up in the same scoped,
    filtered queryset) places the page, so a cursor naming a row the user cannot see is simply the first page."""

    def anchor(pk):
        return queryset.filter(pk=pk).values_list("priority", flat=True).first() if pk else None

    before_id = _cursor(before)
    before_score = anchor(before_id)
    if before_score is not None:
        rows = list(
            queryset.filter(Q(priority__gt=before_score) | Q(priority=before_score, pk__gt=before_id)).order_by(
                "priority", "pk"
            )[: size + 1]
        )
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows=rows,
            next_after=rows[-1].pk if rows else None,
            prev_before=rows[0].pk if rows and more_before else None,
            is_first=not more_before,
        )
    after_id = _cursor(after)
    after_score = anchor(after_id)
    if after_score is not None:
        queryset = queryset.filter(Q(priority__lt=after_score) | Q(priority=after_score, pk__lt=after_id))
    rows = list(selectors.priority_order(queryset)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        next_after=rows[-1].pk if rows and more else None,
        prev_before=rows[0].pk if rows and after_score is not None else None,
        is_first=after_score is None,
    )


class SurveyListView(ScopedListView):
    model = Survey
    filterset_class = filtersets.SurveyFilterSet
    template_name = "core/list.html"
    title = gettext_lazy("Willingness surveys")
    export_name = "willingness-surveys"
    columns = [
        Column(gettext_lazy("Estate"), "estate.name"),
        Column(
            gettext_lazy("Stairwell"),
            lambda r: f"{r.stairwell.building.number} {r.stairwell.number}",
            link=lambda r: reverse("pool:survey", args=[r.pk]),
        ),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Dwellings"), "dwelling_count"),
        Column(gettext_lazy("Willing"), "willing_count"),
        Column(gettext_lazy("Not willing"), "not_willing_count"),
        Column(gettext_lazy("Undecided"), "undecided_count"),
        Column(gettext_lazy("Answered (%)"), "progress_percent"),
        Column(gettext_lazy("Willing stairwell"), lambda r: _yes_no(r.is_willing)),
        Column(gettext_lazy("Current round"), lambda r: _yes_no(r.is_current)),
    ]

    def dispatch(self, request, *args, **kwargs):
        _require(permissions.can_read(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("estate", "stairwell__building")


# --- a stairwell in the pool ----------------------------------------------------------------------------------------


def _pool_stairwell(request, pk) -> Stairwell:
    _require(permissions.can_read(request.user))
    return get_visible_or_404(
        selectors.with_pool_state(Stairwell.objects.visible_to(request.user)).select_related(
            "estate", "building", "community"
        ),
        pk=pk,
    )


def stairwell_detail(request, pk):
    stairwell = _pool_stairwell(request, pk)
    the_rules = rules.rules_for_path(stairwell.community.path)
    score = selectors.priority_scores([stairwell], the_rules)[stairwell.pk]
    stored = StairwellPriority.objects.filter(pk=stairwell.pk).first()
    assessments = list(
        Assessment.objects.filter(stairwell=stairwell).select_related("assessed_by").prefetch_related("evidence")
    )
    survey = Survey.objects.filter(stairwell=stairwell, is_current=True).first()
    dwellings = list(Dwelling.objects.filter(stairwell=stairwell).order_by("floor", "room"))
    needs = list(MobilityNeed.objects.filter(stairwell=stairwell, is_active=True).select_related("dwelling"))
    project = (
        Project.objects.visible_to(request.user).filter(stairwell=stairwell).exclude(status=Status.WITHDRAWN).first()
    )
    return render(
        request,
        "pool/stairwell_detail.html",
        {
            "stairwell": stairwell,
            "rules": the_rules,
            "score": score,
            "stored": stored,
            "current": next((a for a in assessments if a.is_current), None),
            "assessments": assessments,
            "survey": survey,
            "needs": needs,
            "project": project,
            "in_pool": (not stairwell.has_elevator and stairwell.storeys >= the_rules.min_storeys) or project,
            "mobility_form": forms.MobilityForm(dwellings=dwellings),
            "can_assess": permissions.can_assess(request.user),
            "can_survey": permissions.can_survey(request.user),
            "can_open": permissions.can_assess(request.user)
            and project is None
            and survey is not None
            and survey.is_willing
            and stairwell.feasibility != Feasibility.NOT_FEASIBLE,
        },
    )


def assess(request, pk):
    stairwell = _pool_stairwell(request, pk)
    _require(permissions.can_assess(request.user))
    form = forms.AssessmentForm(
        request.POST or None, request.FILES or None, initial={"assessed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.assessment_record(
                actor=request.user,
                stairwell=stairwell,
                result=data["result"],
                obstacles=data["obstacles"],
                conditions=data["conditions"],
                note=data["note"],
                assessed_on=data["assessed_on"],
                evidence=form.evidence(request.FILES),
            ),
        )
        if done is not None:
            messages.success(request, _("Assessment recorded."))
            return redirect("pool:stairwell", pk=stairwell.pk)
    return render(request, "pool/assess.html", {"stairwell": stairwell, "form": form})


def evidence_file(request, pk):
    from jiati.core.uploads import serve_private_file
    from jiati.pool.models import AssessmentEvidence

    _require(permissions.can_read(request.user))
    item = get_visible_or_404(
        AssessmentEvidence.objects.filter(assessment__in=Assessment.objects.visible_to(request.user)), pk=pk
    )
    return serve_private_file(item.file, filename=item.original_name, content_type=item.content_type)


@require_POST
def survey_open(request, pk):
    stairwell = _pool_stairwell(request, pk)
    try:
        survey = services.survey_open(actor=request.user, stairwell=stairwell)
    except Exception as exc:  # a refusal: shown, nothing changed
        from django.core.exceptions import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        messages.error(request, " ".join(exc.messages))
        return redirect("pool:stairwell", pk=stairwell.pk)
    return redirect("pool:survey", pk=survey.pk)


@require_POST
def mobility_add(request, pk):
    stairwell = _pool_stairwell(request, pk)
    dwellings = list(Dwelling.objects.filter(stairwell=stairwell))
    form = forms.MobilityForm(request.POST, dwellings=dwellings)
    if form.is_valid():
        dwelling = next(d for d in dwellings if d.pk == form.cleaned_data["dwelling"])
        if run_service(
            form,
            lambda: services.mobility_need_record(
                actor=request.user, dwelling=dwelling, kind=form.cleaned_data["kind"]
            ),
        ):
            messages.success(request, _("Mobility need recorded."))
            return redirect("pool:stairwell", pk=stairwell.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("pool:stairwell", pk=stairwell.pk)


@require_POST
def mobility_end(request, pk):
    need = get_visible_or_404(MobilityNeed.objects.visible_to(request.user), pk=pk)
    services.mobility_need_end(actor=request.user, need=need)
    messages.success(request, _("Mobility need removed."))
    return redirect("pool:stairwell", pk=need.stairwell_id)


@require_POST
def project_open(request, pk):
    from django.core.exceptions import ValidationError

    stairwell = _pool_stairwell(request, pk)
    try:
        project = services.pool_project_open(actor=request.user, stairwell=stairwell)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pool:stairwell", pk=stairwell.pk)
    messages.success(request, _("Project %(code)s opened.") % {"code": project.code})
    return redirect("projects:detail", pk=project.pk)


# --- surveys ---------------------------------------------------------------------------------------------------------


def _survey(request, pk) -> Survey:
    _require(permissions.can_read(request.user))
    return get_visible_or_404(
        Survey.objects.visible_to(request.user).select_related("stairwell__building", "estate", "community"), pk=pk
    )


def survey_detail(request, pk):
    survey = _survey(request, pk)
    dwellings = list(Dwelling.objects.filter(stairwell_id=survey.stairwell_id).order_by("floor", "room"))
    answers = {a.dwelling_id: a for a in survey.answers.filter(is_current=True)}
    history = list(survey.answers.select_related("dwelling", "recorded_by").order_by("-recorded_at", "-id")[:200])
    form = forms.AnswerForm(request.POST or None, dwellings=dwellings)
    import_form = forms.ImportForm()
    import_errors = None
    if request.method == "POST" and request.POST.get("action") == "answer":
        _require(permissions.can_survey(request.user))
        if form.is_valid():
            data = form.cleaned_data
            dwelling = Dwelling.objects.filter(pk=data["dwelling"]).first()
            if run_service(
                form,
                lambda: services.survey_answer_record(
                    actor=request.user,
                    survey=survey,
                    dwelling=dwelling,
                    answer=data["answer"],
                    channel=data["channel"],
                    note=data["note"],
                ),
            ):
                messages.success(request, _("Answer recorded."))
                return redirect("pool:survey", pk=survey.pk)
    elif request.method == "POST" and request.POST.get("action") == "import":
        _require(permissions.can_survey(request.user))
        form = forms.AnswerForm(dwellings=dwellings)
        import_form = forms.ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            outcome = run_service(
                import_form, lambda: services.survey_import_upload(actor=request.user, survey=survey, upload=upload)
            )
            if outcome is not None and not outcome.errors:
                messages.success(request, _("%(n)s answers imported.") % {"n": outcome.applied})
                return redirect("pool:survey", pk=survey.pk)
            if outcome is not None:
                import_errors = outcome.errors
    elif (
        request.method == "POST"
        and request.POST.get("action") == "close"
        and run_service(form, lambda: services.survey_close(actor=request.user, survey=survey))
    ):
        return redirect("pool:survey", pk=survey.pk)
    the_rules = rules.rules_for_path(survey.community.path)
    return render(
        request,
        "pool/survey_detail.html",
        {
            "survey": survey,
            "rows": [(d, answers.get(d.pk)) for d in dwellings],
            "history": history,
            "form": form,
            "import_form": import_form,
            "import_errors": import_errors,
            "rules": the_rules,
            "can_survey": permissions.can_survey(request.user) and survey.status == SurveyStatus.OPEN,
        },
    )


# --- coverage ------------------------------------------------------------------------------------------------------


def _region_from(request) -> Region | None:
    value = request.GET.get("region")
    if value:
        return get_visible_or_404(Region.objects.visible_to(request.user), pk=value)
    return request.user.region if request.user.region_id else None


def coverage(request):
    _require(permissions.can_read(request.user))
    region = _region_from(request)
    figures = selectors.coverage(user=request.user, region=region)
    children = selectors.coverage_by_child(user=request.user, region=region) if region else []
    if request.GET.get("export") == "xlsx":
        return _coverage_export(request, region, figures, children)
    return render(
        request,
        "pool/coverage.html",
        {
            "region": region,
            "figures": _figure_rows(figures, region),
            "coverage": figures,
            "children": [
                (child, c, selectors.rate_text(c.willing_rate), selectors.rate_text(c.feasible_rate))
                for child, c in children
            ],
            "willing_rate": selectors.rate_text(figures.willing_rate),
            "feasible_rate": selectors.rate_text(figures.feasible_rate),
        },
    )


FIGURE_LABELS = [
    ("pool", gettext_lazy("In the pool")),
    ("feasible", gettext_lazy("Feasible")),
    ("willing_feasible", gettext_lazy("Willing and feasible")),
    ("started", gettext_lazy("Started")),
    ("in_service", gettext_lazy("In service")),
]


def pool_link(region, key: str) -> str:
    query = f"coverage={key}"
    if region is not None:
        query += f"&region={region.pk}"
    return f"{reverse('pool:list')}?{query}"


def _figure_rows(figures, region) -> list[dict]:
    return [
        {"key": key, "label": label, "value": getattr(figures, key), "url": pool_link(region, key)}
        for key, label in FIGURE_LABELS
    ]


def _coverage_export(request, region, figures, children):
    from jiati.audit.models import AuditAction
    from jiati.audit.services import build_entry

    headers = [_("Region"), *[str(label) for _k, label in FIGURE_LABELS], _("愿装尽装 rate"), _("可装尽装 rate")]

    def line(name, c):
        return [
            name,
            *[getattr(c, key) for key, _l in FIGURE_LABELS],
            selectors.rate_text(c.willing_rate),
            selectors.rate_text(c.feasible_rate),
        ]

    rows = [line(region.name if region else _("All"), figures)] + [line(child.name, c) for child, c in children]
    handle = write_xlsx(rows, headers, sheet_title=str(_("Coverage")))
    build_entry(
        actor=request.user,
        instance=request.user,
        action=AuditAction.EXPORT,
        changes={"model": "pool.coverage", "rows": len(rows), "personal_data": []},
        message=request.GET.urlencode()[:255],
    ).save()
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"coverage-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- targets and settings -------------------------------------------------------------------------------------------


def targets(request):
    _require(permissions.can_read(request.user))
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    form = None
    if permissions.can_plan(request.user):
        regions = list(
            Region.objects.visible_to(request.user)
            .filter(level__in=["subdistrict", "community"], path__startswith=services._own_path(request.user))
            .order_by("path")[:500]
        )
        form = forms.TargetForm(request.POST or None, regions=regions, initial={"year": year})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            region = next((r for r in regions if r.pk == data["region"]), None)
            if run_service(
                form,
                lambda: services.target_set(
                    actor=request.user,
                    region=region,
                    year=data["year"],
                    projects_started=data["projects_started"],
                    elevators_in_service=data["elevators_in_service"],
                ),
            ):
                messages.success(request, _("Target saved."))
                return redirect(f"{reverse('pool:targets')}?year={data['year']}")
    return render(
        request,
        "pool/targets.html",
        {"year": year, "rows": selectors.targets_with_progress(user=request.user, year=year), "form": form},
    )


def settings_view(request):
    _require(permissions.can_plan(request.user))
    region = request.user.region if request.user.region_id else None
    if region is None:
        region = get_visible_or_404(Region.objects.visible_to(request.user), pk=request.GET.get("region") or 0)
    current = rules.rules_for_path(region.path)
    form = forms.SettingsForm(request.POST or None, initial={name: getattr(current, name) for name in rules.DEFAULTS})
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form, lambda: services.pool_settings_set(actor=request.user, region=region, **form.cleaned_data)
        )
    ):
        messages.success(request, _("Settings saved."))
        return redirect("pool:settings")
    return render(request, "pool/settings.html", {"form": form, "region": region, "rules": current})


# --- clusters --------------------------------------------------------------------------------------------------------


def clusters(request):
    _require(permissions.can_read(request.user))
    rows = list(Cluster.objects.visible_to(request.user).select_related("estate", "community").order_by("-id")[:200])
    return render(
        request,
        "pool/clusters.html",
        {
            "clusters": rows,
            "suggestions": selectors.cluster_suggestions(user=request.user),
            "can_manage": permissions.can_manage_clusters(request.user),
        },
    )


def cluster_new(request, estate_pk):
    _require(permissions.can_manage_clusters(request.user))
    estate = get_visible_or_404(Estate.objects.visible_to(request.user), pk=estate_pk)
    projects = list(
        Project.objects.visible_to(request.user)
        .filter(estate=estate, cluster__isnull=True)
        .exclude(status=Status.WITHDRAWN)
        .select_related("stairwell__building")
    )
    form = forms.ClusterForm(
        request.POST or None,
        projects=projects,
        initial={"name": _("%(estate)s estate-wide design") % {"estate": estate.name}},
    )
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in projects if p.pk in form.cleaned_data["projects"]]
        cluster = run_service(
            form,
            lambda: services.cluster_open(
                actor=request.user,
                estate=estate,
                name=form.cleaned_data["name"],
                design=form.cleaned_data["design"],
                projects=chosen,
            ),
        )
        if cluster is not None:
            return redirect("pool:cluster", pk=cluster.pk)
    return render(request, "pool/cluster_new.html", {"estate": estate, "form": form})


def cluster_detail(request, pk):
    from jiati.projects import services as project_services

    _require(permissions.can_read(request.user))
    cluster = get_visible_or_404(Cluster.objects.visible_to(request.user).select_related("estate", "community"), pk=pk)
    can_manage = permissions.can_manage_clusters(request.user)
    candidates = list(
        Project.objects.visible_to(request.user)
        .filter(estate=cluster.estate, cluster__isnull=True)
        .exclude(status=Status.WITHDRAWN)
        .select_related("stairwell__building")
    )
    member_form = forms.ClusterMemberForm(
        request.POST if request.POST.get("action") == "add" else None, projects=candidates
    )
    work_form = forms.ClusterWorkForm(request.POST if request.POST.get("action") == "work" else None)
    if request.method == "POST":
        _require(can_manage)
        action = request.POST.get("action")
        if action == "add" and member_form.is_valid():
            project = next(p for p in candidates if p.pk == member_form.cleaned_data["project"])
            if run_service(
                member_form,
                lambda: project_services.cluster_add_project(cluster=cluster, project=project, actor=request.user),
            ):
                messages.success(request, _("Project added to the cluster."))
                return redirect("pool:cluster", pk=cluster.pk)
        elif action == "remove":
            project = get_visible_or_404(
                Project.objects.visible_to(request.user).filter(cluster=cluster), pk=request.POST.get("project")
            )
            from django.core.exceptions import ValidationError

            try:
                project_services.cluster_remove_project(cluster=cluster, project=project, actor=request.user)
                messages.success(request, _("Project removed from the cluster."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("pool:cluster", pk=cluster.pk)
        elif action == "work" and work_form.is_valid():
            data = work_form.cleaned_data
            if run_service(
                work_form,
                lambda: services.cluster_work_add(
                    actor=request.user,
                    cluster=cluster,
                    description=data["description"],
                    cost=data["cost"],
                    rule=data["rule"],
                ),
            ):
                messages.success(request, _("Shared works recorded."))
                return redirect("pool:cluster", pk=cluster.pk)
    members = selectors.cluster_members(cluster)
    for member in members:
        member.membership_fixed = project_services.cluster_membership_refusal(cluster=cluster, project=member)
    return render(
        request,
        "pool/cluster_detail.html",
        {
            "cluster": cluster,
            "members": members,
            "allocations": selectors.cluster_allocation(cluster, members),
            "member_form": member_form,
            "work_form": work_form,
            "can_manage": can_manage,
        },
    )


# --- the resident portal ---------------------------------------------------------------------------------------------


@login_not_required
@resident_required
def portal_survey(request, pk):
    """The owner's own answer to his stairwell's survey: one tap, changeable while the survey is open."""
    owner = request.owner
    owned = Ownership.objects.filter(owner=owner).values("dwelling__stairwell_id")
    survey = get_visible_or_404(
        Survey.objects.filter(stairwell_id__in=owned, is_current=True).select_related("stairwell__building", "estate"),
        pk=pk,
    )
    dwellings = list(
        Dwelling.objects.filter(stairwell_id=survey.stairwell_id, ownerships__owner=owner).order_by("room")
    )
    answers = {
        a.dwelling_id: a for a in SurveyAnswer.objects.filter(survey=survey, is_current=True, dwelling__in=dwellings)
    }
    form = forms.PortalAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dwelling = next((d for d in dwellings if str(d.pk) == request.POST.get("dwelling")), None)
        if run_service(
            form,
            lambda: services.survey_answer_record(
                actor=None,
                owner=owner,
                survey=survey,
                dwelling=dwelling,
                answer=form.cleaned_data["answer"],
                channel="portal",
            ),
        ):
            messages.success(
                request, _("Thank you: your answer is recorded. You can change it while the survey is open.")
            )
            return redirect("pool:portal-survey", pk=survey.pk)
    return render(
        request,
        "pool/portal_survey.html",
        {"survey": survey, "rows": [(d, answers.get(d.pk)) for d in dwellings], "form": form, "owner": owner},
    )
