"""Supervision pages: today's sites and the check on a phone, rectifications, my tasks, the weekly review
and the monthly dispatch. Views are thin: scoped reads (404 for out of area, like missing) and services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.hooks import collect
from jiati.core.pdf import pdf_response
from jiati.core.uploads import serve_private_file
from jiati.organisation.models import Region
from jiati.projects.models import Project
from jiati.supervision import checklist, permissions, reports, selectors, services
from jiati.supervision.forms import (
    AnswerForm,
    DecisionForm,
    DispatchGenerateForm,
    DoneForm,
    InstructionForm,
    RecheckForm,
    ReviewGenerateForm,
    SiteCheckForm,
)
from jiati.supervision.models import (
    MonthlyDispatch,
    Photo,
    Rectification,
    ReviewDecision,
    SiteCheck,
    WeeklyReview,
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _refused(request, template: str, context: dict):
    messages.error(request, _("Not saved: see the form below."))
    return render(request, template, context, status=400)


# --- today's sites and the check ---------------------------------------------------------


def home(request):
    """Today's sites (mine first, or all of the area) and, for supervisors, what is behind."""
    user = request.user
    _require(permissions.can_check(user))
    mine = request.GET.get("mine") == "1"
    today = timezone.localdate()
    sites = selectors.sites_today(user=user, today=today, mine=mine)
    context = {
        "sites": sites,
        "mine": mine,
        "today": today,
        "due_count": sum(1 for s in sites if s["due"]),
        "can_supervise": permissions.can_supervise(user),
    }
    if context["can_supervise"]:
        context["not_checked"] = [s for s in selectors.sites_today(user=user, today=today) if s["due"]]
        context["overdue"] = list(selectors.rectifications_overdue(user=user, today=today)[:200])
    return render(request, "supervision/home.html", context)


def check_new(request, project_pk: int):
    """The checklist of a site on a phone; refused when the site is not under construction."""
    user = request.user
    _require(permissions.can_check(user))
    project = get_visible_or_404(
        Project.objects.visible_to(user).select_related("estate", "stairwell__building", "contractor"), pk=project_pk
    )
    refusal = services.site_check_refusal(project)
    items = checklist.items_for(project.stage)
    flags = selectors.company_flags([project.contractor_id]).get(project.contractor_id, [])
    context = {"project": project, "refusal": refusal, "flags": flags}
    if request.method == "POST":
        form = SiteCheckForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            check = run_service(
                form,
                lambda: services.site_check_record(
                    actor=user,
                    project=project,
                    results=form.results(),
                    note=form.cleaned_data["note"],
                    photos=request.FILES.getlist("photos"),
                    due_date=form.cleaned_data["due_date"],
                ),
            )
            if check is not None:
                messages.success(
                    request,
                    _("Site check saved: %(n)s findings sent to the construction company.") % {"n": check.findings},
                )
                return redirect("supervision:check-detail", pk=check.pk)
        return _refused(request, "supervision/check_form.html", {**context, "form": form})
    form = SiteCheckForm(items=items)
    return render(request, "supervision/check_form.html", {**context, "form": form}, status=409 if refusal else 200)


def check_detail(request, pk: int):
    check = get_visible_or_404(
        SiteCheck.objects.visible_to(request.user).select_related(
            "project__estate", "project__stairwell__building", "inspector"
        ),
        pk=pk,
    )
    return render(
        request,
        "supervision/check_detail.html",
        {
            "check": check,
            "items": check.items.all(),
            "photos": check.photos.all(),
            "rectifications": check.rectifications.all(),
        },
    )


def photo_file(request, pk: int):
    """A photo, for those who see the check or the rectification it belongs to."""
    user = request.user
    photo = get_visible_or_404(Photo.objects.select_related("site_check", "event__rectification"), pk=pk)
    if photo.site_check_id:
        visible = SiteCheck.objects.visible_to(user).filter(pk=photo.site_check_id).exists()
    else:
        visible = Rectification.objects.visible_to(user).filter(pk=photo.event.rectification_id).exists()
    if not visible:
        raise Http404
    return serve_private_file(photo.file, filename=f"{photo.pk}.jpg", content_type="image/jpeg")


# --- rectifications -------------------------------------------------------------------------


def rectification_list(request):
    user = request.user
    state = request.GET.get("state", "open")
    if state not in selectors.RECTIFICATION_STATES:
        state = "open"
    region = _region_param(user, request.GET.get("region"))
    month = _month_param(request.GET.get("month"))
    since = _month_param(request.GET.get("since"))
    rows = selectors.rectifications_listed(user=user, state=state, region=region, month=month, since=since)
    keep = {
        k: v
        for k, v in (
            ("region", region and region.pk),
            ("month", month and f"{month:%Y-%m}"),
            ("since", since and f"{since:%Y-%m}"),
        )
        if v
    }
    return render(
        request,
        "supervision/rectification_list.html",
        {
            "rows": rows[:LIST_LIMIT],
            "count": rows.count(),
            "limit": LIST_LIMIT,
            "state": state,
            "states": [
                ("open", _("Open")),
                ("on_time", _("Open, not yet due")),
                ("overdue", _("Overdue")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "region": region,
            "month": month,
            "since": since,
            "keep": urlencode(keep),
        },
    )


LIST_LIMIT = 500


def _region_param(user, value):
    """A region of the user's area by id (404 outside it, like a missing one), or None."""
    if value in (None, ""):
        return None
    try:
        return Region.objects.visible_to(user).get(pk=int(value))
    except (Region.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def _month_param(value):
    """A month written YYYY-MM as its first day, or None (anything else is ignored)."""
    year, _dash, number = (value or "").partition("-")
    try:
        return dt.date(int(year), int(number), 1)
    except (ValueError, OverflowError):
        return None


def rectification_detail(request, pk: int):
    user = request.user
    rectification = get_visible_or_404(
        Rectification.objects.visible_to(user).select_related(
            "project__estate", "project__stairwell__building", "company", "site_check__inspector", "verified_by"
        ),
        pk=pk,
    )
    can_answer = rectification.is_open and permissions.can_answer(user, rectification)
    can_recheck = rectification.is_open and permissions.can_check(user)
    answer_form, recheck_form = AnswerForm(), RecheckForm()
    status = 200
    if request.method == "POST":
        part = request.POST.get("part")
        if part == "answer" and can_answer:
            answer_form = AnswerForm(request.POST, request.FILES)
            if answer_form.is_valid() and run_service(
                answer_form,
                lambda: services.rectification_answer(
                    actor=user,
                    rectification=rectification,
                    note=answer_form.cleaned_data["note"],
                    photos=request.FILES.getlist("photos"),
                ),
            ):
                messages.success(request, _("Answer sent: staff will re-check the site."))
                return redirect("supervision:rectification-detail", pk=pk)
        elif part == "recheck" and can_recheck:
            recheck_form = RecheckForm(request.POST, request.FILES)
            if recheck_form.is_valid() and run_service(
                recheck_form,
                lambda: services.rectification_recheck(
                    actor=user,
                    rectification=rectification,
                    fixed=recheck_form.cleaned_data["fixed"],
                    note=recheck_form.cleaned_data["note"],
                    photos=request.FILES.getlist("photos"),
                    due_date=recheck_form.cleaned_data["due_date"],
                ),
            ):
                messages.success(request, _("Re-check saved."))
                return redirect("supervision:rectification-detail", pk=pk)
        else:
            raise PermissionDenied
        messages.error(request, _("Not saved: see the form below."))
        status = 400
    return render(
        request,
        "supervision/rectification_detail.html",
        {
            "r": rectification,
            "events": rectification.events.select_related("actor").prefetch_related("photos"),
            "check_photos": rectification.site_check.photos.all(),
            "can_answer": can_answer,
            "can_recheck": can_recheck,
            "answer_form": answer_form,
            "recheck_form": recheck_form,
            "open_part": request.POST.get("part") if status == 400 else "",
        },
        status=status,
    )


# --- my tasks -------------------------------------------------------------------------------


def my_tasks(request):
    """Everything assigned to me across the platform, most urgent first (overdue, then by due date)."""
    tasks = collect("mytasks", "user_tasks", user=request.user)
    far = dt.date.max
    tasks.sort(key=lambda t: (not t["overdue"], t["due"] or far, t.get("order", 100)))
    return render(request, "supervision/my_tasks.html", {"tasks": tasks, "today": timezone.localdate()})


# --- the weekly review -------------------------------------------------------------------------


def _subdistricts(user):
    return Region.objects.visible_to(user).filter(level="subdistrict").order_by("path")


def review_list(request):
    user = request.user
    reviews = WeeklyReview.objects.visible_to(user).select_related("region", "generated_by")
    form = None
    if permissions.can_review(user):
        form = ReviewGenerateForm(request.POST or None, regions=_subdistricts(user))
        if request.method == "POST":
            if form.is_valid():
                review = run_service(
                    form,
                    lambda: services.weekly_review_generate(
                        actor=user,
                        region=form.cleaned_data["region"],
                        week_start=form.cleaned_data["week_start"],
                        stalled_days=form.cleaned_data["stalled_days"],
                    ),
                )
                if review is not None:
                    messages.success(request, _("The weekly review is saved."))
                    return redirect("supervision:review-detail", pk=review.pk)
            return _refused(request, "supervision/review_list.html", {"reviews": reviews[:100], "form": form})
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "supervision/review_list.html", {"reviews": reviews[:100], "form": form})


def _review(request, pk):
    return get_visible_or_404(WeeklyReview.objects.visible_to(request.user).select_related("region"), pk=pk)


def review_detail(request, pk: int):
    user = request.user
    review = _review(request, pk)
    projects = Project.objects.visible_to(user).filter(community__path__startswith=review.region.path)
    form = DecisionForm(request.POST or None, review=review, projects=projects)
    status = 200
    if request.method == "POST":
        _require(permissions.can_review(user))
        if form.is_valid() and run_service(
            form,
            lambda: services.decision_add(
                actor=user,
                review=review,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                project=form.cleaned_data["project"],
            ),
        ):
            messages.success(request, _("Decision recorded."))
            return redirect("supervision:review-detail", pk=pk)
        messages.error(request, _("Not saved: see the form below."))
        status = 400
    return render(
        request,
        "supervision/review_detail.html",
        {
            "review": review,
            "sections": reports.review_sections(review),
            "decisions": review.decisions.select_related("owner", "project"),
            "form": form,
            "can_review": permissions.can_review(user),
            "open_form": status == 400,
        },
        status=status,
    )


@require_POST
def decision_done(request, pk: int):
    user = request.user
    decision = get_visible_or_404(
        ReviewDecision.objects.filter(review__in=WeeklyReview.objects.visible_to(user).values("pk")), pk=pk
    )
    form = DoneForm(request.POST)
    form.is_valid()
    if run_service(form, lambda: services.decision_done(actor=user, decision=decision, note=form.cleaned_data["note"])):
        messages.success(request, _("Marked done."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("supervision:review-detail", pk=decision.review_id)


def review_pdf(request, pk: int):
    review = _review(request, pk)
    with translation.override("zh-hans"):
        return pdf_response(
            "supervision/pdf/review.html",
            {
                "review": review,
                "sections": reports.review_sections(review),
                "decisions": review.decisions.select_related("owner"),
            },
            filename=f"weekly-review-{review.region.code}-{review.week_start:%Y%m%d}.pdf",
        )


# --- the monthly dispatch ------------------------------------------------------------------------


def dispatch_list(request):
    user = request.user
    _require(permissions.can_review(user) or permissions.can_dispatch(user))
    dispatches = MonthlyDispatch.objects.visible_to(user).select_related("region", "generated_by")
    form = None
    if permissions.can_dispatch(user):
        regions = Region.objects.visible_to(user).filter(level="district").order_by("path")
        form = DispatchGenerateForm(request.POST or None, regions=regions)
        if request.method == "POST":
            if form.is_valid():
                dispatch = run_service(
                    form,
                    lambda: services.dispatch_generate(
                        actor=user, region=form.cleaned_data["region"], month=form.cleaned_data["month"]
                    ),
                )
                if dispatch is not None:
                    messages.success(request, _("The monthly dispatch is saved."))
                    return redirect("supervision:dispatch-detail", pk=dispatch.pk)
            return _refused(request, "supervision/dispatch_list.html", {"dispatches": dispatches[:60], "form": form})
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "supervision/dispatch_list.html", {"dispatches": dispatches[:60], "form": form})


def _dispatch(request, pk):
    return get_visible_or_404(MonthlyDispatch.objects.visible_to(request.user).select_related("region"), pk=pk)


def dispatch_detail(request, pk: int):
    user = request.user
    dispatch = _dispatch(request, pk)
    form = InstructionForm(request.POST or None, dispatch=dispatch)
    status = 200
    if request.method == "POST":
        _require(permissions.can_dispatch(user))
        if form.is_valid() and run_service(
            form,
            lambda: services.instruction_add(
                actor=user,
                dispatch=dispatch,
                subdistrict=form.cleaned_data["subdistrict"],
                text=form.cleaned_data["text"],
                due_date=form.cleaned_data["due_date"],
            ),
        ):
            messages.success(request, _("Instruction recorded."))
            return redirect("supervision:dispatch-detail", pk=pk)
        messages.error(request, _("Not saved: see the form below."))
        status = 400
    return render(
        request,
        "supervision/dispatch_detail.html",
        {
            "dispatch": dispatch,
            "report": reports.dispatch_report(user=user, dispatch=dispatch),
            "instructions": services.instruction_visible(user).filter(dispatch=dispatch).select_related("subdistrict"),
            "form": form,
            "can_dispatch": permissions.can_dispatch(user),
            "can_report_done": permissions.can_review(user),
            "open_form": status == 400,
        },
        status=status,
    )


@require_POST
def instruction_done(request, pk: int):
    user = request.user
    instruction = get_visible_or_404(services.instruction_visible(user), pk=pk)
    form = DoneForm(request.POST)
    form.is_valid()
    if run_service(
        form, lambda: services.instruction_done(actor=user, instruction=instruction, note=form.cleaned_data["note"])
    ):
        messages.success(request, _("Marked done."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("supervision:dispatch-detail", pk=instruction.dispatch_id)


def dispatch_pdf(request, pk: int):
    user = request.user
    dispatch = _dispatch(request, pk)
    with translation.override("zh-hans"):
        return pdf_response(
            "supervision/pdf/dispatch.html",
            {
                "dispatch": dispatch,
                "report": reports.dispatch_report(user=user, dispatch=dispatch),
                "instructions": services.instruction_visible(user)
                .filter(dispatch=dispatch)
                .select_related("subdistrict"),
            },
            filename=f"monthly-dispatch-{dispatch.region.code}-{dispatch.month:%Y%m}.pdf",
        )


def dispatch_xlsx(request, pk: int):
    user = request.user
    dispatch = _dispatch(request, pk)
    with translation.override("zh-hans"):
        return reports.dispatch_xlsx_response(user=user, dispatch=dispatch)
