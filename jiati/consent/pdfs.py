"""Printed forms (A4 PDF, Chinese font embedded, a QR code to the online page): the ballot form for each
owner on the roll, the result notice, the owners' agreement, the public notice and the cost-sharing table."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.consent import selectors
from jiati.consent.chain import verify_chain
from jiati.consent.models import CostScheme, CostShare, PublicNotice, RollVoter, Vote
from jiati.consent.services.ballot_stack import form_code
from jiati.consent.views import _staff_only, _vote_or_404, public_url
from jiati.core.errors import get_visible_or_404
from jiati.core.pdf import pdf_response, qr_svg

MAX_FORMS_PER_FILE = 300


def _place(project) -> str:
    return f"{project.estate.name} {project.stairwell.building.number} {project.stairwell.number}"


def ballot_forms_context(vote: Vote, voters) -> dict:
    shares = {}
    if vote.cost_scheme_id:
        for share in CostShare.objects.filter(scheme_id=vote.cost_scheme_id):
            shares[share.dwelling_id] = share
    online = public_url(reverse("consent:online-vote", args=[vote.public_token]))
    forms = []
    for voter in voters:
        dwellings = list(voter.dwellings.all())
        own = [shares[d.dwelling_id] for d in dwellings if d.dwelling_id in shares]
        net = sum((s.net for s in own), 0) if own else None
        forms.append(
            {
                "voter": voter,
                "dwellings": dwellings,
                "share": net,
                "compensation": -net if net is not None and net < 0 else None,
                "code_qr": qr_svg(form_code(voter), scale=2),
            }
        )
    spec = selectors.round_spec(vote)
    return {
        "vote": vote,
        "place": _place(vote.project),
        "forms": forms,
        "tests": spec.tests,
        "qr": qr_svg(online) if vote.takes_ballots_online else None,
        "online_url": online,
        "printed": timezone.localtime(),
    }


def vote_forms_pdf(request, pk):
    vote = _vote_or_404(request, pk)
    voters = RollVoter.objects.filter(vote=vote).prefetch_related("dwellings").order_by("lowest_floor", "rooms", "id")
    voter_pk = request.GET.get("voter")
    if voter_pk:
        voters = voters.filter(pk=voter_pk)
    voters = list(voters[: MAX_FORMS_PER_FILE + 1])
    if len(voters) > MAX_FORMS_PER_FILE:
        messages.error(request, _("Too many owners for one file; print each owner's form from the roll."))
        return redirect("consent:vote-roll", pk=vote.pk)
    return pdf_response(
        "consent/pdf/ballot_forms.html",
        ballot_forms_context(vote, voters),
        filename=f"ballot-forms-{vote.pk}.pdf",
    )


def result_context(vote: Vote) -> dict:
    url = public_url(reverse("consent:receipt-check"))
    return {
        "vote": vote,
        "place": _place(vote.project),
        "verdict": selectors.vote_verdict(vote),
        "breakdown": selectors.choice_breakdown(vote),
        "chain": verify_chain(vote),
        "qr": qr_svg(url),
        "check_url": url,
        "printed": timezone.localtime(),
    }


def vote_result_pdf(request, pk):
    vote = _vote_or_404(request, pk)
    return pdf_response("consent/pdf/result.html", result_context(vote), filename=f"vote-result-{vote.pk}.pdf")


def agreement_context(vote: Vote) -> dict:
    voters = list(RollVoter.objects.filter(vote=vote).prefetch_related("dwellings").order_by("lowest_floor", "rooms"))
    shares = {}
    if vote.cost_scheme_id:
        for share in CostShare.objects.filter(scheme_id=vote.cost_scheme_id):
            shares[share.dwelling_id] = share
    rows = []
    for voter in voters:
        own = [shares[d.dwelling_id] for d in voter.dwellings.all() if d.dwelling_id in shares]
        rows.append({"voter": voter, "share": sum((s.net for s in own), 0) if own else None})
    return {
        "vote": vote,
        "place": _place(vote.project),
        "scheme": vote.cost_scheme,
        "rows": rows,
        "qr": qr_svg(public_url(reverse("consent:online-vote", args=[vote.public_token]))),
        "printed": timezone.localtime(),
    }


def vote_agreement_pdf(request, pk):
    vote = _vote_or_404(request, pk)
    return pdf_response("consent/pdf/agreement.html", agreement_context(vote), filename=f"agreement-{vote.pk}.pdf")


def notice_context(notice: PublicNotice) -> dict:
    url = public_url(reverse("consent:public-notice", args=[notice.pk]))
    return {
        "notice": notice,
        "place": _place(notice.project),
        "vote": notice.vote,
        "verdict": selectors.vote_verdict(notice.vote) if notice.vote_id else None,
        "scheme": selectors.current_scheme(notice.project),
        "qr": qr_svg(url),
        "url": url,
        "printed": timezone.localtime(),
    }


def notice_pdf(request, pk):
    _staff_only(request)
    notice = get_visible_or_404(
        PublicNotice.objects.visible_to(request.user).select_related("project__estate", "project__stairwell__building"),
        pk=pk,
    )
    return pdf_response("consent/pdf/notice.html", notice_context(notice), filename=f"public-notice-{notice.pk}.pdf")


def cost_context(scheme: CostScheme) -> dict:
    shares = list(scheme.shares.all())
    url = public_url(reverse("consent:public-costs", args=[scheme.pk]))
    return {
        "qr": qr_svg(url),
        "url": url,
        "scheme": scheme,
        "place": _place(scheme.project),
        "shares": shares,
        "sum_share": sum((s.share for s in shares), 0),
        "sum_net": sum((s.net for s in shares), 0),
        "sum_covered": sum((s.covered for s in shares), 0),
        "printed": timezone.localtime(),
    }


def cost_pdf(request, pk):
    _staff_only(request)
    scheme = get_visible_or_404(
        CostScheme.objects.visible_to(request.user).select_related("project__estate", "project__stairwell__building"),
        pk=pk,
    )
    return pdf_response("consent/pdf/costs.html", cost_context(scheme), filename=f"cost-sharing-{scheme.pk}.pdf")
