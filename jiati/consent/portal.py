"""The resident portal's section: the votes open for the signed-in owner, notices he may object to, and — for
the lead owner of a project — the live result of its vote and what is still needed (counts only, no names)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from jiati.consent import selectors
from jiati.consent.models import NoticeStatus, PublicNotice


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
