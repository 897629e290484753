"""The resident portal's consultation section: my bookings and petitions, and links to book a window,
file a petition and read the publicity."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.consultation import selectors
from jiati.consultation.models import Petition
from jiati.core.formatting import format_datetime


def portal_sections(*, request, owner) -> list[dict]:
    return [
        {
            "order": 30,
            "template": "consultation/portal/_section.html",
            "bookings": list(selectors.owner_upcoming_bookings(owner=owner)[:5]),
            "petitions": list(Petition.objects.filter(owner=owner).order_by("-id")[:5]),
        }
    ]


def portal_matters(*, request, owner) -> list[dict]:
    """His coming window bookings and his petitions, each with its status; only what he booked or filed."""
    matters = [
        {
            "title": _("Booking: %(window)s") % {"window": booking.window.name},
            "status": _("Booked for %(time)s") % {"time": format_datetime(booking.slot.starts_at)},
            "url": reverse("consultation:portal-booking", args=[booking.pk]),
            "order": 45,
        }
        for booking in selectors.owner_upcoming_bookings(owner=owner)[:5]
    ]
    for petition in Petition.objects.filter(owner=owner).order_by("-id")[:5]:
        matters.append(
            {
                "title": _("Petition %(reference)s: %(subject)s")
                % {"reference": petition.reference, "subject": petition.subject},
                "status": petition.get_status_display(),
                "url": reverse("consultation:portal-petition", args=[petition.pk]),
                "order": 50,
            }
        )
    return matters
