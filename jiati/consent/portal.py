"""The resident portal's section: the votes open for the signed-in owner, notices he may object to, and — for
the lead owner of a project — the live result of its vote and what is still needed (counts only, no names)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.consent import selectors
from jiati.consent.models import CostShare, NoticeStatus, Objection, PublicNotice
from jiati.core.formatting import format_date, format_money


def portal_sections(*, request, owner) -> list[dict]:
    votes = selectors.open_votes_for_owner(owner)
    led = selectors.lead_owner_results(owner)
    today = timezone.localdate()
    estates = owner.ownerships.values("dwelling__estate_id")
    notices = list(
        PublicNotice.objects.filter(status=NoticeStatus.POSTED, starts_on__lte=today, ends_on__gte=today)
        .filter(Q(project__estate_id__in=estates))
        .select_related("project__estate", "project__stairwell__building")
        .order_by("ends_on")[:10]
    )
    if not votes and not notices and not led:
        return []
    return [{"order": 10, "template": "consent/_portal_section.html", "votes": votes, "notices": notices, "led": led}]


def _place(project) -> str:
    return f"{project.estate.name} {project.stairwell.building.number} {project.stairwell.number}"


def portal_matters(*, request, owner) -> list[dict]:
    """His open votes (to vote, or his receipt), the notices of his stairwells, his objections and his cost
    shares — his own dwellings only; an open vote without his ballot comes first."""
    matters = []
    for item in selectors.open_votes_for_owner(owner):
        vote = item["vote"]
        matters.append(
            {
                "title": _("Vote: %(title)s") % {"title": vote.title},
                "status": _("You voted: %(choice)s") % {"choice": item["ballot"].get_choice_display()}
                if item["ballot"]
                else _("Waiting for your vote"),
                "url": reverse("consent:online-vote", args=[vote.public_token]),
                "urgent": item["ballot"] is None,
                "order": 10,
            }
        )
    today = timezone.localdate()
    stairwells = owner.ownerships.values("dwelling__stairwell_id")
    notices = PublicNotice.objects.filter(
        status=NoticeStatus.POSTED, starts_on__lte=today, ends_on__gte=today, project__stairwell_id__in=stairwells
    ).select_related("project__estate", "project__stairwell__building")
    for notice in notices.order_by("ends_on")[:10]:
        matters.append(
            {
                "title": _("Public notice: %(place)s") % {"place": _place(notice.project)},
                "status": _("You may object until %(date)s") % {"date": format_date(notice.ends_on)},
                "url": reverse("consent:public-notice", args=[notice.pk]),
                "order": 15,
            }
        )
    objections = Objection.objects.filter(owner=owner).select_related(
        "notice", "project__estate", "project__stairwell__building"
    )
    for objection in objections.order_by("-lodged_at")[:10]:
        matters.append(
            {
                "title": _("My objection: %(place)s") % {"place": _place(objection.project)},
                "status": objection.get_status_display(),
                "url": reverse("consent:my-objection", args=[objection.pk]),
                "order": 20,
            }
        )
    shares = CostShare.objects.filter(scheme__is_current=True, dwelling__ownerships__owner=owner).select_related(
        "scheme__project__estate", "scheme__project__stairwell__building"
    )
    for share in shares.order_by("-scheme__created_at")[:10]:
        matters.append(
            {
                "title": _("My cost share: %(room)s") % {"room": f"{_place(share.scheme.project)} {share.room}"},
                "status": format_money(share.net),
                "url": reverse("consent:public-costs", args=[share.scheme_id]),
                "order": 25,
            }
        )
    return matters
