"""Evidence for the companies' scores (hook contract: `company_score_events`).

- every finding of a site check: `site_check_finding`, value 1, in the area of its checklist point (site
  conduct → civilised construction, the step's quality points → quality control), at the time it was found;
- every rectification closed after re-check: `rectification_hours`, the hours from finding to the closing
  re-check, at the time it closed; and `rectification_closed_late`, value 1, when that was after its due date;
- every rectification still open past its due date at the end of the period: `rectification_overdue`,
  value 1, dated at the end of its due date.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.supervision.models import Rectification, RectificationStatus


def score_event_kinds() -> list[dict]:
    """The kinds of evidence given here, for the companies' score scheme page."""
    return [
        {"kind": "site_check_finding", "label": _("Site-check finding"), "unit": _("per finding")},
        {"kind": "rectification_hours", "label": _("Time to rectify a finding"), "unit": _("per hour")},
        {"kind": "rectification_closed_late", "label": _("Rectification closed late"), "unit": _("per rectification")},
        {"kind": "rectification_overdue", "label": _("Rectification overdue"), "unit": _("per rectification")},
    ]


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def company_score_events(*, start: dt.datetime, end: dt.datetime, company_ids=None) -> list[dict]:
    rows = Rectification.objects.filter(company__isnull=False)
    if company_ids is not None:
        rows = rows.filter(company_id__in=list(company_ids))
    events: list[dict] = []
    for r in rows.filter(opened_at__gte=start, opened_at__lt=end).only("pk", "company_id", "area", "opened_at"):
        events.append(
            {
                "company_id": r.company_id,
                "area": r.area,
                "kind": "site_check_finding",
                "value": 1,
                "source": f"supervision.Rectification:{r.pk}",
                "occurred_at": r.opened_at,
            }
        )
    closed = rows.filter(status=RectificationStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
    for r in closed.only("pk", "company_id", "area", "opened_at", "closed_at", "due_date"):
        hours = Decimal((r.closed_at - r.opened_at).total_seconds()) / Decimal(3600)
        source = f"supervision.Rectification:{r.pk}"
        events.append(
            {
                "company_id": r.company_id,
                "area": r.area,
                "kind": "rectification_hours",
                "value": hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                "source": source,
                "occurred_at": r.closed_at,
            }
        )
        if r.closed_at > _end_of(r.due_date):
            events.append(
                {
                    "company_id": r.company_id,
                    "area": r.area,
                    "kind": "rectification_closed_late",
                    "value": 1,
                    "source": source,
                    "occurred_at": r.closed_at,
                }
            )
    # Past their due date and not closed by then: the moment they became overdue falls in the period.
    first_day = timezone.localtime(start).date() - dt.timedelta(days=1)
    last_day = timezone.localtime(end).date()
    candidates = rows.filter(due_date__gte=first_day, due_date__lte=last_day)
    for r in candidates.only("pk", "company_id", "area", "due_date", "closed_at"):
        at = _end_of(r.due_date)
        if start <= at < end and (r.closed_at is None or r.closed_at > at):
            events.append(
                {
                    "company_id": r.company_id,
                    "area": r.area,
                    "kind": "rectification_overdue",
                    "value": 1,
                    "source": f"supervision.Rectification:{r.pk}",
                    "occurred_at": at,
                }
            )
    return events
