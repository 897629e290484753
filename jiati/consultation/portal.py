"""The resident portal's consultation section: my bookings and petitions, and links to book a window,
file a petition and read the publicity."""

from __future__ import annotations

from jiati.consultation import selectors
from jiati.consultation.models import Petition


def portal_sections(*, request, owner) -> list[dict]:
    return [
        {
            "order": 30,
            "template": "consultation/portal/_section.html",
            "bookings": list(selectors.owner_upcoming_bookings(owner=owner)[:5]),
            "petitions": list(Petition.objects.filter(owner=owner).order_by("-id")[:5]),
        }
    ]
