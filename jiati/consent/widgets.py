"""The start page: open votes and objections waiting in the user's area."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.consent.models import Objection, ObjectionStatus, PublicNotice, Vote, VoteStatus


def start_page_widgets(*, user) -> list[dict]:
    if not (user.is_authenticated and user.is_staff_member):
        return []
    objections = Objection.objects.visible_to(user)
    return [
        {
            "order": 30,
            "template": "core/_widget_counts.html",
            "title": _("Owner consent"),
            "items": [
                {
                    "label": _("Open votes"),
                    "value": Vote.objects.visible_to(user).filter(status=VoteStatus.OPEN).count(),
                    "url": f"{reverse('consent:vote-list')}?status=open",
                },
                {
                    "label": _("Notices posted"),
                    "value": PublicNotice.objects.visible_to(user).filter(status="posted").count(),
                    "url": f"{reverse('consent:notice-list')}?status=posted",
                },
                {
                    "label": _("Objections to answer"),
                    "value": objections.filter(status=ObjectionStatus.OPEN).count(),
                    "url": f"{reverse('consent:objection-list')}?status=open",
                },
            ],
        }
    ]
