"""Staff pages: votes (open, live result, roll, paper ballots, close), public notices and objections,
cost sharing, the spreadsheet tally and the rule sets. Each action is one POST → one service → a page."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST

from jiati.consent import filtersets, forms, permissions, selectors, services
from jiati.consent.chain import verify_chain
from jiati.consent.models import (
    Ballot,
    BallotEntry,
    Choice,
    CostScheme,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    PublicNotice,
    RollVoter,
    RuleSet,
    Vote,
    VoteStatus,
)
from jiati.consent.rules import find_spec
from jiati.consent.tally import TallyInputError, tally_file
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.pdf import qr_svg
from jiati.core.refused_forms import remember_refused
from jiati.core.uploads import serve_private_file
from jiati.projects.models import Project
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def _staff_only(request) -> None:
    if not (request.user.is_authenticated and request.user.is_staff_member):
        raise PermissionDenied


def _vote_or_404(request, pk) -> Vote:
    _staff_only(request)
    return get_visible_or_404(
        Vote.objects.visible_to(request.user).select_related(
            "project__estate", "project__stairwell__building", "rule_set", "opened_by", "closed_by", "cost_scheme"
        ),
        pk=pk,
    )


def _project_or_404(request, pk) -> Project:
    _staff_only(request)
    return get_visible_or_404(
        Project.objects.visible_to(request.user).select_related("estate", "stairwell__building"), pk=pk
    )


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip() for f, e in form.errors.items()
    )


def public_url(path: str) -> str:
    from jiati.core.site import absolute_url

    return absolute_url(path)


# --- votes ----------------------------------------------------------------------------


class VoteListView(ScopedListView):
    model = Vote
    filterset_class = filtersets.VoteFilterSet
    template_name = "consent/vote_list.html"
    title = gettext_lazy("Owners' votes")
    export_name = "votes"
    columns = [
        Column(gettext_lazy("Vote"), "title", link=lambda v: reverse("consent:vote-detail", args=[v.pk])),
        Column(
            gettext_lazy("Project"),
            "project.code",
            link=lambda v: reverse("projects:detail", args=[v.project_id]),
        ),
        Column(gettext_lazy("Estate"), "project.estate.name"),
        Column(
            gettext_lazy("Stairwell"),
            lambda v: f"{v.project.stairwell.building.number} {v.project.stairwell.number}",
        ),
        Column(gettext_lazy("Rule set"), lambda v: v.rule_set.label),
        Column(gettext_lazy("Scope"), "get_scope_display"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Voting ends"), "closes_at"),
        Column(gettext_lazy("Owners"), "owners_total"),
        Column(gettext_lazy("Passed"), "passed"),
    ]

    def get_base_queryset(self):
        _staff_only(self.request)
        return super().get_base_queryset().select_related("project__estate", "project__stairwell__building", "rule_set")


def vote_detail(request, pk):
    vote = _vote_or_404(request, pk)
    verdict = selectors.vote_verdict(vote)
    entries = list(vote.entries.select_related("voter", "recorded_by").order_by("-sequence")[:20])
    online = reverse("consent:online-vote", args=[vote.public_token])
    context = {
        "vote": vote,
        "project": vote.project,
        "verdict": verdict,
        "breakdown": selectors.choice_breakdown(vote),
        "entries": entries,
        "rounds": vote.rule_set.rounds.order_by("number").prefetch_related("tests"),
        "online_url": public_url(online),
        "online_qr": qr_svg(public_url(online)) if vote.takes_ballots_online else None,
        "can_run": permissions.can_run_votes(request.user),
        "can_record": permissions.can_record_ballots(request.user) and vote.is_open,
        "can_close_now": vote.is_open
        and (vote.voting_has_ended or verdict.counts.owners_participating >= vote.owners_total),
        "cancel_form": forms.ReasonForm(),
        "chain": verify_chain(vote) if not vote.is_open else None,
    }
    return render(request, "consent/vote_detail.html", context)


def vote_result(request, pk):
    """The live result, for htmx to refresh on the vote page."""
    vote = _vote_or_404(request, pk)
    return render(
        request,
        "consent/_result.html",
        {
            "vote": vote,
            "verdict": selectors.vote_verdict(vote),
            "breakdown": selectors.choice_breakdown(vote),
            "live": vote.is_open,
            "poll": vote.is_open,
        },
    )


def vote_open(request, project_pk):
    project = _project_or_404(request, project_pk)
    if not permissions.can_run_votes(request.user):
        raise PermissionDenied
    scheme = selectors.current_scheme(project)
    form = forms.VoteOpenForm(
        request.POST or None,
        project=project,
        initial={"cost_scheme": scheme.pk if scheme else None, "rule_set": services.default_rule_set()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        vote = run_service(
            form,
            lambda: services.vote_open(
                project=project,
                actor=request.user,
                rule_set=data["rule_set"],
                round_number=data["round_number"],
                scope=data["scope"],
                closes_at=data["closes_at"],
                title=data["title"],
                plan=data["plan"],
                cost_scheme=data["cost_scheme"],
            ),
        )
        if vote is not None:
            messages.success(request, _("The vote is open; the roll is frozen."))
            return redirect("consent:vote-detail", pk=vote.pk)
    rule_sets = RuleSet.objects.active().prefetch_related("rounds__tests").order_by("-is_default", "code")
    return render(request, "consent/vote_open.html", {"form": form, "project": project, "rule_sets": rule_sets})


@require_POST
def vote_close(request, pk):
    vote = _vote_or_404(request, pk)
    try:
        services.vote_close(vote=vote, actor=request.user)
    except Exception as exc:  # ValidationError → message; PermissionDenied propagates
        if not isinstance(exc, ValidationError):
            raise
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The vote is closed and its result recorded."))
    return redirect("consent:vote-detail", pk=vote.pk)


@require_POST
def vote_cancel(request, pk):
    vote = _vote_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid() and run_service(
        form, lambda: services.vote_cancel(vote=vote, actor=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, _("The vote is cancelled."))
    else:
        messages.error(request, _form_errors(form) or _("Nothing was changed."))
        remember_refused(request, form)
    return redirect("consent:vote-detail", pk=vote.pk)


def _choice_label(value) -> str:

    return str(dict(Choice.choices).get(value, "—")) if value else "—"


class RollListView(ScopedListView):
    """The frozen roll of one vote, with each owner's ballot."""

    model = RollVoter
    filterset_class = filtersets.RollFilterSet
    template_name = "consent/roll.html"
    export_name = "roll"
    page_size = 100
    columns = [
        Column(gettext_lazy("Dwellings"), "rooms"),
        Column(gettext_lazy("Owner"), "name"),
        Column(gettext_lazy("Phone"), "phone", personal="phone"),
        Column(gettext_lazy("Exclusive area (m²)"), "area"),
        Column(gettext_lazy("Choice"), lambda v: _choice_label(v.choice)),
        Column(gettext_lazy("Last cast"), "cast_at"),
        Column(
            gettext_lazy("Ballot"),
            lambda v: pgettext("action", "Open"),
            link=lambda v: reverse("consent:ballot-record", args=[v.vote_id, v.pk]),
            export=False,
        ),
    ]

    def get_base_queryset(self):
        self.vote = _vote_or_404(self.request, self.kwargs["pk"])
        ballots = Ballot.objects.filter(voter=OuterRef("pk"))
        return (
            super()
            .get_base_queryset()
            .filter(vote=self.vote)
            .annotate(choice=Subquery(ballots.values("choice")[:1]), cast_at=Subquery(ballots.values("cast_at")[:1]))
        )

    def get_extra_context(self):
        title = _("Roll: %(title)s") % {"title": self.vote.title}
        return {"vote": self.vote, "title": title}


def ballot_record(request, pk, voter_pk):
    vote = _vote_or_404(request, pk)
    voter = get_visible_or_404(RollVoter.objects.filter(vote=vote).prefetch_related("dwellings"), pk=voter_pk)
    ballot = Ballot.objects.filter(vote=vote, voter=voter).first()
    form = forms.BallotForm(request.POST or None, request.FILES or None)
    receipt = None
    if request.method == "POST":
        if not permissions.can_record_ballots(request.user):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            cast = run_service(
                form,
                lambda: services.ballot_cast(
                    vote=vote,
                    voter=voter,
                    choice=data["choice"],
                    channel="proxy" if data["proxy_name"] or data["authorisation"] else "paper",
                    actor=request.user,
                    change=data["change"],
                    signed_form=data["signed_form"],
                    proxy_name=data["proxy_name"],
                    authorisation=data["authorisation"],
                ),
            )
            if cast is not None:
                receipt = cast.receipt
                messages.success(
                    request,
                    _("Ballot recorded. Receipt code for the owner: %(receipt)s") % {"receipt": cast.receipt},
                )
                ballot = cast.ballot
                form = forms.BallotForm()
    history = voter.entries.select_related("recorded_by").order_by("-sequence")
    return render(
        request,
        "consent/ballot_record.html",
        {
            "vote": vote,
            "voter": voter,
            "ballot": ballot,
            "history": history,
            "form": form,
            "receipt": receipt,
            "share": selectors.voter_share(vote, voter),
            "can_record": permissions.can_record_ballots(request.user) and vote.is_open,
        },
    )


def ballot_stack(request, pk):
    """A stack of signed paper forms at once: "Preview" runs every row through the ballot service and undoes it;
    "Record" keeps it (all or nothing, or row by row). The preview keeps the files, so "Record" needs no second
    upload; files chosen again replace the kept ones."""
    vote = _vote_or_404(request, pk)
    if not permissions.can_record_ballots(request.user):
        raise PermissionDenied
    form = forms.BallotStackForm(request.POST or None, request.FILES or None)
    result = staged = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dry_run = request.POST.get("action") != "record"
        run = run_service(
            form,
            lambda: services.ballot_stack_submit(
                vote=vote,
                actor=request.user,
                sheet=data["sheet"],
                scans=data["scans"],
                token=data["staged"],
                mode=data["mode"],
                dry_run=dry_run,
            ),
        )
        if run is None:
            staged = selectors.staged_ballot_stack(vote=vote, user=request.user, token=data["staged"])
        else:
            result, staged = run.result, run.staged
            # The next submit names the kept files (a new form: a bound one shows what was posted).
            form = forms.BallotStackForm(
                initial={"mode": data["mode"], "staged": staged.token if staged else ""},
            )
        if result is not None and not dry_run:
            if result.recorded:
                messages.success(
                    request,
                    ngettext("%(count)s ballot recorded.", "%(count)s ballots recorded.", result.recorded)
                    % {"count": result.recorded},
                )
            else:
                messages.error(request, _("Nothing was recorded; correct the rows listed and upload again."))
    return render(
        request, "consent/ballot_stack.html", {"vote": vote, "form": form, "result": result, "staged": staged}
    )


def entry_file(request, pk, entry_pk, kind):
    vote = _vote_or_404(request, pk)
    entry = get_visible_or_404(BallotEntry.objects.filter(vote=vote), pk=entry_pk)
    field = {"form": entry.signed_form, "authorisation": entry.authorisation}.get(kind)
    if not field:
        raise Http404
    return serve_private_file(field, filename=field.name.rsplit("/", 1)[-1])


# --- public notices and objections ----------------------------------------------------------


class NoticeListView(ScopedListView):
    model = PublicNotice
    filterset_class = filtersets.NoticeFilterSet
    template_name = "consent/list.html"
    title = gettext_lazy("Public notices")
    export_name = "notices"
    columns = [
        Column(gettext_lazy("Notice"), "title", link=lambda n: reverse("consent:notice-detail", args=[n.pk])),
        Column(gettext_lazy("Project"), "project.code", link=lambda n: reverse("projects:detail", args=[n.project_id])),
        Column(gettext_lazy("Estate"), "project.estate.name"),
        Column(gettext_lazy("First day"), "starts_on"),
        Column(gettext_lazy("Last day"), "ends_on"),
        Column(gettext_lazy("Status"), "get_phase_display"),
    ]

    def get_base_queryset(self):
        _staff_only(self.request)
        return super().get_base_queryset().select_related("project__estate")


def notice_post(request, project_pk):
    project = _project_or_404(request, project_pk)
    if not permissions.can_post_notices(request.user):
        raise PermissionDenied
    vote = selectors.current_vote(project)
    form = forms.NoticeForm(
        request.POST or None,
        initial={"starts_on": timezone.localdate(), "content": vote.plan if vote else ""},
    )
    if request.method == "POST" and form.is_valid():
        notice = run_service(
            form, lambda: services.notice_post(project=project, actor=request.user, **form.cleaned_data)
        )
        if notice is not None:
            messages.success(request, _("The notice is posted."))
            return redirect("consent:notice-detail", pk=notice.pk)
    return render(
        request, "consent/form_page.html", {"form": form, "project": project, "title": _("Post a public notice")}
    )


def notice_detail(request, pk):
    _staff_only(request)
    notice = get_visible_or_404(
        PublicNotice.objects.visible_to(request.user).select_related(
            "project__estate", "project__stairwell__building", "vote"
        ),
        pk=pk,
    )
    public = public_url(reverse("consent:public-notice", args=[notice.pk]))
    return render(
        request,
        "consent/notice_detail.html",
        {
            "notice": notice,
            "project": notice.project,
            "objections": selectors.project_objections(notice.project),
            "objection_form": forms.ObjectionForm(project=notice.project),
            "withdraw_form": forms.ReasonForm(),
            "public_url": public,
            "public_qr": qr_svg(public),
            "can_record": permissions.can_record_objections(request.user),
            "can_post": permissions.can_post_notices(request.user),
        },
    )


@require_POST
def notice_withdraw(request, pk):
    _staff_only(request)
    notice = get_visible_or_404(PublicNotice.objects.visible_to(request.user), pk=pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid() and run_service(
        form, lambda: services.notice_withdraw(notice=notice, actor=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, _("The notice is withdrawn."))
    else:
        messages.error(request, _form_errors(form) or _("Nothing was changed."))
        remember_refused(request, form)
    return redirect("consent:notice-detail", pk=notice.pk)


@require_POST
def objection_new(request, project_pk):
    project = _project_or_404(request, project_pk)
    if not permissions.can_record_objections(request.user):
        raise PermissionDenied
    form = forms.ObjectionForm(request.POST, project=project)
    objection = None
    if form.is_valid():
        objection = run_service(
            form, lambda: services.objection_lodge(project=project, actor=request.user, **form.service_kwargs())
        )
    if objection is None:
        messages.error(request, _form_errors(form) or _("Nothing was changed."))
        remember_refused(request, form)
        notice = selectors.current_notice(project)
        return redirect("consent:notice-detail", pk=notice.pk) if notice else redirect("projects:detail", pk=project.pk)
    messages.success(request, _("Objection recorded."))
    return redirect("consent:objection-detail", pk=objection.pk)


class ObjectionListView(ScopedListView):
    model = Objection
    filterset_class = filtersets.ObjectionFilterSet
    template_name = "consent/list.html"
    title = gettext_lazy("Objections")
    export_name = "objections"
    columns = [
        Column(gettext_lazy("Lodged"), "lodged_at", link=lambda o: reverse("consent:objection-detail", args=[o.pk])),
        Column(gettext_lazy("Project"), "project.code", link=lambda o: reverse("projects:detail", args=[o.project_id])),
        Column(gettext_lazy("Objector"), "name"),
        Column(gettext_lazy("Phone"), "phone", personal="phone"),
        Column(gettext_lazy("Objection"), lambda o: o.content[:60]),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Handling"), "get_level_display"),
        Column(gettext_lazy("Outcome"), "get_outcome_display"),
    ]

    def get_base_queryset(self):
        _staff_only(self.request)
        return super().get_base_queryset().select_related("project")


def objection_detail(request, pk):
    _staff_only(request)
    objection = get_visible_or_404(
        Objection.objects.visible_to(request.user).select_related(
            "project__estate", "notice", "owner", "dwelling__building", "dwelling__stairwell"
        ),
        pk=pk,
    )
    return render(
        request,
        "consent/objection_detail.html",
        {
            "objection": objection,
            "project": objection.project,
            "steps": objection.steps.select_related("by"),
            "answer_form": forms.AnswerForm(initial={"text": objection.response}),
            "escalate_form": forms.EscalateForm(),
            "close_form": forms.CloseObjectionForm(),
            "withdraw_form": forms.WithdrawObjectionForm(),
            "can_handle": permissions.can_handle_objections(request.user)
            and objection.status != ObjectionStatus.CLOSED,
        },
    )


@require_POST
def objection_action(request, pk, action):
    _staff_only(request)
    objection = get_visible_or_404(Objection.objects.visible_to(request.user), pk=pk)
    actions = {
        "answer": (forms.AnswerForm, lambda d: services.objection_answer(objection=objection, actor=request.user, **d)),
        "escalate": (
            forms.EscalateForm,
            lambda d: services.objection_escalate(objection=objection, actor=request.user, **d),
        ),
        "close": (
            forms.CloseObjectionForm,
            lambda d: services.objection_close(objection=objection, actor=request.user, **d),
        ),
        "withdraw": (
            forms.WithdrawObjectionForm,
            lambda d: services.objection_close(
                objection=objection, actor=request.user, outcome=ObjectionOutcome.WITHDRAWN, text=d["text"]
            ),
        ),
    }
    if action not in actions:
        raise Http404
    form_class, call = actions[action]
    form = form_class(request.POST)
    if form.is_valid() and run_service(form, lambda: call(form.cleaned_data)):
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _form_errors(form) or _("Nothing was changed."))
        remember_refused(request, form)
    return redirect("consent:objection-detail", pk=objection.pk)


# --- cost sharing ---------------------------------------------------------------------


def _default_coefficients(project) -> str:
    """A starting point in the Guangzhou pattern: floors 1–2 at 0, then 0.7, 0.8 … by floor (exact decimals)."""
    storeys = project.stairwell.storeys
    lines = []
    for floor in range(1, storeys + 1):
        value = Decimal(0) if floor <= 2 else min(Decimal("0.7") + Decimal("0.1") * (floor - 3), Decimal("2.0"))
        lines.append(f"{floor}: {value}")
    return "\n".join(lines)


def cost_new(request, project_pk):
    project = _project_or_404(request, project_pk)
    if not permissions.can_share_costs(request.user):
        raise PermissionDenied
    form = forms.CostSchemeForm(
        request.POST or None,
        project=project,
        initial={"total_cost": project.estimated_cost, "coefficients": _default_coefficients(project)},
    )
    if request.method == "POST" and form.is_valid():
        scheme = run_service(
            form,
            lambda: services.cost_scheme_create(
                project=project,
                actor=request.user,
                method=form.cleaned_data["method"],
                total_cost=form.cleaned_data["total_cost"],
                parameters=form.parameters(),
                note=form.cleaned_data["note"],
            ),
        )
        if scheme is not None:
            messages.success(request, _("Cost sharing calculated."))
            return redirect("consent:cost-detail", pk=scheme.pk)
    subsidy, status = selectors.subsidy_for(project)
    return render(
        request,
        "consent/cost_new.html",
        {"form": form, "project": project, "subsidy": subsidy, "subsidy_status": status},
    )


def cost_detail(request, pk):
    _staff_only(request)
    scheme = get_visible_or_404(
        CostScheme.objects.visible_to(request.user).select_related(
            "project__estate", "project__stairwell__building", "created_by"
        ),
        pk=pk,
    )
    shares = list(scheme.shares.all())
    change = selectors.subsidy_change(scheme) if scheme.is_current else None
    public = public_url(reverse("consent:public-costs", args=[scheme.pk]))
    return render(
        request,
        "consent/cost_detail.html",
        {
            "scheme": scheme,
            "project": scheme.project,
            "shares": shares,
            "sums": {
                key: sum((getattr(s, key) for s in shares), Decimal(0))
                for key in ("share", "covered", "compensation", "net")
            },
            "others": CostScheme.objects.filter(project=scheme.project).exclude(pk=scheme.pk).order_by("-version"),
            "subsidy_change": change,
            "can_recalculate": change is not None and permissions.can_share_costs(request.user),
            "public_url": public,
        },
    )


@require_POST
def cost_recalculate(request, pk):
    """The current scheme again, as a new audited version with the approved subsidy."""
    _staff_only(request)
    scheme = get_visible_or_404(CostScheme.objects.visible_to(request.user), pk=pk)
    try:
        new = services.cost_scheme_recalculate(scheme=scheme, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("consent:cost-detail", pk=scheme.pk)
    messages.success(
        request,
        _("Recalculated as v%(version)s with the approved subsidy.") % {"version": new.version},
    )
    return redirect("consent:cost-detail", pk=new.pk)


# --- the spreadsheet tally and the rule sets --------------------------------------------------


def tally_page(request):
    """Upload a spreadsheet of a paper vote → the verdict, by the same code as `manage.py vote_tally`."""
    if not permissions.can_tally(request.user):
        raise PermissionDenied
    form = forms.TallyForm(request.POST or None, request.FILES or None)
    verdict = problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            spec = find_spec(form.cleaned_data["rule"], form.cleaned_data["round_number"])
        except LookupError:
            spec = None
            form.add_error("round_number", _("This rule set has no such round."))
        if spec is not None:
            try:
                verdict = tally_file(upload, upload.name, spec)
            except TallyInputError as exc:
                problems = [str(p) for p in exc.problems]
    return render(request, "consent/tally.html", {"form": form, "verdict": verdict, "problems": problems})


def rules_page(request):
    _staff_only(request)
    rule_sets = (
        RuleSet.objects.visible_to(request.user)
        .prefetch_related("rounds__tests")
        .annotate(votes_count=Count("votes"))
        .order_by("code", "-version")
    )
    return render(
        request,
        "consent/rules.html",
        {"rule_sets": rule_sets, "title": _("Rule sets"), "can_edit": permissions.can_edit_rules(request.user)},
    )


def rule_set_new(request):
    """The district office adds a new version of a rule set (or a new rule set). Versions are never edited."""
    _staff_only(request)
    if not permissions.can_edit_rules(request.user):
        raise PermissionDenied
    initial = {"r1_scope": "stairwell", "r1_others_scope": "building"}
    based_on = None
    if request.method == "GET" and request.GET.get("from"):
        based_on = get_visible_or_404(RuleSet.objects.visible_to(request.user), pk=request.GET["from"])
        initial = forms.RuleSetForm.initial_from(based_on, services.rule_set_rounds_data(based_on))
    form = forms.RuleSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule_set = run_service(
            form,
            lambda: services.rule_set_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                jurisdiction=data["jurisdiction"],
                legal_basis=data["legal_basis"],
                description=data["description"],
                rounds=form.rounds(),
                make_default=data["make_default"],
                retire_older=data["retire_older"],
            ),
        )
        if rule_set is not None:
            messages.success(request, _("Rule set %(label)s created.") % {"label": rule_set.label})
            return redirect(f"{reverse('consent:rules')}#rule-{rule_set.code}-{rule_set.version}")
    return render(
        request,
        "consent/rule_set_new.html",
        {"form": form, "based_on": based_on, "title": _("New rule set version")},
    )


def home(request):
    """The consent start page: open votes, running notices, unresolved objections of the user's area."""
    _staff_only(request)
    user = request.user
    open_votes = (
        Vote.objects.visible_to(user)
        .filter(status=VoteStatus.OPEN)
        .select_related("project__estate", "project__stairwell__building", "rule_set")
        .order_by("closes_at")[:50]
    )
    votes = []
    for vote in open_votes:
        votes.append({"vote": vote, "verdict": selectors.vote_verdict(vote)})
    return render(
        request,
        "consent/home.html",
        {
            "votes": votes,
            "notices": PublicNotice.objects.visible_to(user)
            .filter(status="posted", ends_on__gte=timezone.localdate())
            .select_related("project__estate")
            .order_by("ends_on")[:20],
            "objections": Objection.objects.visible_to(user)
            .unresolved()
            .select_related("project")
            .order_by("lodged_at")[:20],
            "title": _("Owner consent"),
        },
    )
