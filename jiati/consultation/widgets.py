"""Start-page cards: my petitions (overdue ones stand out), my resolutions and follow-ups."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.models import COMPANY_ROLES, STAFF_ROLES
from jiati.consultation import selectors


def start_page_widgets(*, user) -> list[dict]:
    if user.role not in STAFF_ROLES and user.role not in COMPANY_ROLES and not user.is_superuser:
        return []
    widgets = []
    # Mine, and — while nobody handles them — my unit's (the responsible group, or the area's staff).
    overdue = list(
        selectors.petitions_answered_by(user=user)
        .filter(due_date__lt=timezone.localdate())
        .select_related("estate")
        .order_by("due_date")[:5]
    )
    if overdue:
        today = timezone.localdate()
        for petition in overdue:
            petition.late_days = (today - petition.due_date).days
        listing = reverse("consultation:petition-list")
        widgets.append(
            {
                "order": 1,
                "template": "consultation/_widget_overdue_petitions.html",
                "title": _("Overdue petitions"),
                "petitions": overdue,
                "url": listing + "?mine=true&overdue=true",
                "unassigned_url": listing + "?unit=true&overdue=true"
                if any(p.handler_id is None for p in overdue)
                else "",
            }
        )
    counts = selectors.start_page_counts(user=user)
    if user.role in STAFF_ROLES or any(counts.values()):
        petitions = reverse("consultation:petition-list")
        actions = reverse("consultation:action-list")
        records = reverse("consultation:record-list")
        widgets.append(
            {
                "order": 15,
                "template": "consultation/_widget_counts.html",
                "title": _("Consultation and petitions"),
                "items": [
                    {
                        "label": _("My petitions"),
                        "value": counts["petitions"],
                        "late": counts["petitions_overdue"],
                        "url": f"{petitions}?mine=true&open=true",
                        "late_url": f"{petitions}?mine=true&overdue=true",
                    },
                    *(
                        [
                            {
                                "label": _("Without a handler"),
                                "value": counts["unassigned"],
                                "late": counts["unassigned_overdue"],
                                "url": f"{petitions}?unit=true",
                                "late_url": f"{petitions}?unit=true&overdue=true",
                            }
                        ]
                        if counts["unassigned"]
                        else []
                    ),
                    *(
                        [
                            {
                                "label": _("Letters to post"),
                                "value": counts["letters"],
                                "late": 0,
                                "url": f"{petitions}?letter_due=true",
                                "late_url": "",
                            }
                        ]
                        if counts["letters"]
                        else []
                    ),
                    {
                        "label": _("My resolutions"),
                        "value": counts["actions"],
                        "late": counts["actions_overdue"],
                        "url": f"{actions}?mine=true&status=open",
                        "late_url": f"{actions}?mine=true&overdue=true",
                    },
                    {
                        "label": _("Follow-ups"),
                        "value": counts["follow_ups"],
                        "late": counts["follow_ups_overdue"],
                        "url": f"{records}?mine=true&follow_up=open",
                        "late_url": f"{records}?mine=true&follow_up=overdue",
                    },
                ],
            }
        )
    return widgets
