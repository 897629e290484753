"""Pages for owners and the public, reached by QR code and open without a staff sign-in:

- the online vote: the phone on the frozen roll → a one-time code → the plan, the owner's own share,
  his choice → a receipt code;
- the receipt check: is this ballot in the chain, and is it the one that counts? No names are shown;
- the public notice, where an owner signed in to the portal may lodge an objection;
- the lead owner's live tally of his project's vote (counts only), and the cost-sharing table online.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.consent import chain, forms, selectors, services
from jiati.consent.models import (
    Ballot,
    Choice,
    CostScheme,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicNotice,
    RollVoter,
    Vote,
    VoteStatus,
)
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.net import client_ip
from jiati.core.personal_data import mask_phone
from jiati.core.refused_forms import remember_refused
from jiati.residents.auth import resident_owner

GRANTS = "consent_vote_grants"
PHONES = "consent_vote_phones"
RECEIPTS = "consent_vote_receipts"
GRANT_TTL = dt.timedelta(minutes=15)


def _vote(token: str) -> Vote:
    """The vote behind a public link: by its random token, never its id (issue 19)."""
    vote = (
        Vote.objects.select_related("project__estate", "project__stairwell__building", "rule_set", "cost_scheme")
        .filter(public_token=token)
        .exclude(status=VoteStatus.CANCELLED)
        .first()
    )
    if vote is None:
        raise Http404
    return vote


def _grant(request, vote: Vote) -> dict | None:
    grant = request.session.get(GRANTS, {}).get(str(vote.pk))
    if not grant:
        return None
    if dt.datetime.fromisoformat(grant["until"]) < timezone.now():
        _drop_grant(request, vote)
        return None
    return grant


def _drop_grant(request, vote: Vote) -> None:
    grants = request.session.get(GRANTS, {})
    grants.pop(str(vote.pk), None)
    request.session[GRANTS] = grants


def _portal_phone(request, vote: Vote) -> str:
    """Prefill the phone of an owner already signed in to the portal, if he is on this roll."""

    owner = resident_owner(request)
    if owner is None:
        return ""
    voter = RollVoter.objects.filter(vote=vote, owner=owner).exclude(phone="").first()
    return voter.phone if voter else ""


def _context(vote: Vote, **extra) -> dict:
    return {
        "vote": vote,
        "project": vote.project,
        "is_open": vote.is_open and not vote.voting_has_ended,
        **extra,
    }


@login_not_required
def legacy_vote(request, pk):
    """The old, counted address of a vote: staff who see the vote are sent on; for anyone else it is gone (404)."""
    vote = get_visible_or_404(Vote.objects.visible_to(request.user).exclude(status=VoteStatus.CANCELLED), pk=pk)
    return redirect("consent:online-vote", token=vote.public_token)


@login_not_required
def online_vote(request, token):
    """Step 1: the vote and the plan; ask for the phone on the roll and text it a code."""
    vote = _vote(token)
    if _grant(request, vote):
        return redirect("consent:online-ballot", token=vote.public_token)
    form = forms.OnlinePhoneForm(request.POST or None, initial={"phone": _portal_phone(request, vote)})
    if request.method == "POST" and form.is_valid():
        phone = run_service(
            form,
            lambda: services.vote_send_code(vote=vote, phone=form.cleaned_data["phone"], address=client_ip(request)),
        )
        if phone:
            phones = request.session.get(PHONES, {})
            phones[str(vote.pk)] = phone
            request.session[PHONES] = phones
            return redirect("consent:online-code", token=vote.public_token)
    return render(request, "consent/online/start.html", _context(vote, form=form))


@login_not_required
def online_code(request, token):
    """Step 2: the code. Checked outside any transaction, so wrong tries count against the limit."""
    vote = _vote(token)
    phone = request.session.get(PHONES, {}).get(str(vote.pk))
    if not phone:
        return redirect("consent:online-vote", token=vote.public_token)
    form = forms.OnlineCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity = run_service(
            form, lambda: services.vote_identify(vote=vote, phone=phone, code=form.cleaned_data["code"])
        )
        if identity:
            grants = request.session.get(GRANTS, {})
            grants[str(vote.pk)] = {
                "phone": identity.phone,
                "token": identity.token,
                "until": (timezone.now() + GRANT_TTL).isoformat(),
                "cast": [],
            }
            request.session[GRANTS] = grants
            request.session.cycle_key()
            return redirect("consent:online-ballot", token=vote.public_token)
    return render(request, "consent/online/code.html", _context(vote, form=form, phone_masked=mask_phone(phone)))


@login_not_required
def online_ballot(request, token):
    """Step 3: the owner sees the plan and his own share, then chooses. One code, one ballot per owner."""
    vote = _vote(token)
    grant = _grant(request, vote)
    if grant is None:
        return redirect("consent:online-vote", token=vote.public_token)
    voters = list(RollVoter.objects.filter(vote=vote, phone=grant["phone"]).prefetch_related("dwellings"))
    ballots = {b.voter_id: b for b in Ballot.objects.filter(vote=vote, voter__in=voters)}
    form = forms.OnlineBallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voter = next((v for v in voters if v.pk == form.cleaned_data["voter"]), None)
        if voter is None or voter.pk in grant["cast"]:
            form.add_error(None, _("Ask for a new code to vote again."))
        else:
            cast = run_service(
                form,
                lambda: services.ballot_cast(
                    vote=vote,
                    voter=voter,
                    choice=form.cleaned_data["choice"],
                    channel="online",
                    identity=grant["token"],
                    change=voter.pk in ballots,
                ),
            )
            if cast is not None:
                grants = request.session.get(GRANTS, {})
                grants[str(vote.pk)]["cast"] = [*grant["cast"], voter.pk]
                request.session[GRANTS] = grants
                receipts = request.session.get(RECEIPTS, {})
                receipts[str(vote.pk)] = {
                    "receipt": cast.receipt,
                    "choice": cast.ballot.choice,
                    "rooms": voter.rooms,
                    "changed": cast.changed,
                }
                request.session[RECEIPTS] = receipts
                return redirect("consent:online-done", token=vote.public_token)
    rows = []
    for v in voters:
        share = selectors.voter_share(vote, v)
        rows.append(
            {
                "voter": v,
                "ballot": ballots.get(v.pk),
                "share": share,
                "receives": -share if share is not None and share < 0 else None,
                "used": v.pk in grant["cast"],
            }
        )
    return render(
        request,
        "consent/online/ballot.html",
        _context(vote, rows=rows, form=form, choices=Choice.choices),
    )


@login_not_required
def online_done(request, token):
    """Step 4: the receipt, shown once."""
    vote = _vote(token)
    receipts = request.session.get(RECEIPTS, {})
    receipt = receipts.pop(str(vote.pk), None)
    request.session[RECEIPTS] = receipts
    if receipt is None:
        return redirect("consent:online-vote", token=vote.public_token)
    return render(
        request,
        "consent/online/done.html",
        _context(vote, receipt=receipt, choice_label=dict(Choice.choices).get(receipt["choice"], "")),
    )


@login_not_required
def receipt_check(request):
    """Anyone with a receipt can see that the ballot is in the chain and whether it counts; never a name."""
    form = forms.ReceiptForm(request.GET or None)
    entry = check = None
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        entry = selectors.entry_for_receipt(chain.receipt_digest(form.cleaned_data["receipt"]))
        if entry is not None:
            check = chain.verify_chain(entry.vote)
            ballot = Ballot.objects.filter(vote=entry.vote, voter_id=entry.voter_id).only("latest_entry_id").first()
            entry.counts = ballot is not None and ballot.latest_entry_id == entry.pk
    return render(
        request,
        "consent/online/receipt.html",
        {"form": form, "entry": entry, "check": check, "searched": searched},
    )


@login_not_required
def public_notice(request, pk):
    """The notice as posted, its period, and how many objections (no names); owners may object online."""

    notice = (
        PublicNotice.objects.select_related("project__estate", "project__stairwell__building", "vote")
        .filter(pk=pk, status=NoticeStatus.POSTED)
        .first()
    )
    if notice is None:
        raise Http404
    owner = resident_owner(request)
    form = forms.OnlineObjectionForm()
    objections = notice.project.objections.all()
    # The owner's own objections, with where each stands; while one is being handled he is not invited to
    # lodge another (he may still add to it at the window or by phone).
    mine = list(objections.filter(owner=owner).order_by("-lodged_at")) if owner else []
    return render(
        request,
        "consent/online/notice.html",
        {
            "notice": notice,
            "project": notice.project,
            "owner": owner,
            "form": form,
            "mine": mine,
            "mine_unresolved": any(o.status != ObjectionStatus.CLOSED for o in mine),
            "objections_total": objections.count(),
            "objections_open": objections.unresolved().count(),
            "login_url": f"{reverse('portal:login')}?next={request.path}",
            "today": timezone.localdate(),
        },
    )


@login_not_required
@require_POST
def public_objection(request, pk):

    notice = PublicNotice.objects.filter(pk=pk, status=NoticeStatus.POSTED).select_related("project").first()
    if notice is None:
        raise Http404
    owner = resident_owner(request)
    if owner is None:
        return redirect(f"{reverse('portal:login')}?next={reverse('consent:public-notice', args=[pk])}")
    form = forms.OnlineObjectionForm(request.POST)
    if form.is_valid() and run_service(
        form,
        lambda: services.objection_lodge(
            project=notice.project, owner=owner, channel="online", content=form.cleaned_data["content"]
        ),
    ):
        messages.success(request, _("Your objection is recorded; the community will answer you."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        remember_refused(request, form)
    return redirect("consent:public-notice", pk=pk)


# --- the lead owner's tally and the cost-sharing table, for owners signed in to the portal -------------------


def _owner_or_staff(request):
    """(staff user or None, portal owner or None): staff see through `visible_to`, an owner through his own link."""

    user = request.user
    if user.is_authenticated and user.is_staff_member:
        return user, None
    return None, resident_owner(request)


def _portal_login(request):
    return redirect(f"{reverse('portal:login')}?next={request.path}")


@login_not_required
def lead_vote(request, pk):
    """The live result of the vote on the project this owner leads — the four tests, what is still needed, and
    the counts; never who voted what. Only the project's lead owner (and staff of its area) may see it."""
    staff, owner = _owner_or_staff(request)
    if staff is None and owner is None:
        return _portal_login(request)
    votes = Vote.objects.visible_to(staff) if staff is not None else Vote.objects.led_by(owner)
    vote = get_visible_or_404(
        votes.select_related("project__estate", "project__stairwell__building", "rule_set"), pk=pk
    )
    context = {
        "vote": vote,
        "project": vote.project,
        "verdict": selectors.vote_verdict(vote),
        "breakdown": selectors.choice_breakdown(vote),
        "live": vote.is_open,
        "poll": vote.is_open,
        "poll_url": request.path,
    }
    if request.headers.get("HX-Request"):
        return render(request, "consent/_result.html", context)
    return render(request, "consent/online/lead.html", context)


@login_not_required
def public_costs(request, pk):
    """The cost-sharing table online (the printed table's QR code leads here): each dwelling's share, no names.
    For owners of the stairwell signed in to the portal, and staff of the area."""
    staff, owner = _owner_or_staff(request)
    if staff is None and owner is None:
        return _portal_login(request)
    schemes = CostScheme.objects.visible_to(staff) if staff is not None else CostScheme.objects.for_owner(owner)
    scheme = get_visible_or_404(schemes.select_related("project__estate", "project__stairwell__building"), pk=pk)
    shares = list(scheme.shares.all())
    own = set()
    if owner is not None:
        own = set(owner.ownerships.values_list("dwelling_id", flat=True))
    current = selectors.current_scheme(scheme.project)
    return render(
        request,
        "consent/online/costs.html",
        {
            "scheme": scheme,
            "project": scheme.project,
            "shares": shares,
            "own": own,
            "sum_share": sum((s.share for s in shares), 0),
            "sum_net": sum((s.net for s in shares), 0),
            "current": current,
        },
    )


@login_not_required
def my_objection(request, pk):
    """One of the owner's objections: what he wrote, where it stands, the answer once given. His own only (another
    owner's is a 404, as is a missing one); staff see those of their area."""
    staff, owner = _owner_or_staff(request)
    if staff is None and owner is None:
        return _portal_login(request)
    objections = Objection.objects.visible_to(staff) if staff is not None else Objection.objects.filter(owner=owner)
    objection = get_visible_or_404(
        objections.select_related("notice", "project__estate", "project__stairwell__building"), pk=pk
    )
    notice = objection.notice if objection.notice and objection.notice.status == NoticeStatus.POSTED else None
    return render(
        request,
        "consent/online/objection.html",
        {"objection": objection, "project": objection.project, "notice": notice},
    )
