"""Reminders to whoever holds a file too long, and of deadlines coming up."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from jiati.core.services import require
from jiati.core.stored_text import Choice, Message, joined
from jiati.subsidies import permissions, rules, selectors
from jiati.subsidies.models import (
    DEADLINE_STATUSES,
    NOT_APPLIED,
    Status,
    SubsidyApplication,
)
from jiati.subsidies.services.common import _tell

# After how many days in a status the holder is reminded (then once a week).
REMIND_AFTER_DAYS = {
    Status.DRAFT: 7,
    Status.RETURNED: 5,
    Status.COMMUNITY: 5,
    Status.SUBDISTRICT: 5,
    Status.DISTRICT: 10,
    Status.APPROVED: 10,
}
DEADLINE_WARNING_DAYS = 14


def reminders_send(*, actor=None, today: dt.date | None = None) -> int:
    """Remind whoever holds each waiting file (at most once a week per file and status). Returns how many
    notifications went out. With an actor: only files in the actor's area, if their role may remind.

    The same rule as the tracker: a withdrawn project's file is not due and nobody is reminded of it; a
    suspended project's file is still due, and its holders are reminded."""
    today = today or timezone.localdate()
    applications = SubsidyApplication.objects.filter(selectors.DUE_Q)
    if actor is not None:
        require(permissions.can_remind(actor))
        applications = applications.visible_to(actor)
    now = (
        timezone.now()
        if today == timezone.localdate()
        else timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    )
    due = Q()
    for status, days in REMIND_AFTER_DAYS.items():
        due |= Q(status=status, status_since__lte=now - dt.timedelta(days=days))
    soon = Q(
        status__in=DEADLINE_STATUSES,
        submitted_at__isnull=True,
        deadline__isnull=False,
        deadline__lte=today + dt.timedelta(days=DEADLINE_WARNING_DAYS),
    )
    applications = applications.filter(due | soon).select_related(
        "project__community__parent", "project__responsible", "project__estate"
    )
    holders: dict[tuple[str, int], list] = {}
    week = today.isocalendar()
    sent = 0
    for application in applications.order_by("pk").iterator(chunk_size=500):
        key = (application.status, application.project.community_id)
        if key not in holders:
            holders[key] = selectors.holders_for(application.status, application.project.community)
        recipients = list(holders[key])
        if application.status in NOT_APPLIED and application.project.responsible_id:
            recipients.append(application.project.responsible)
        days = selectors.days_waiting(application, today)
        title = Message(
            gettext_noop("Subsidy %(code)s: “%(status)s” for %(days)s days"),
            code=application.project.code,
            status=Choice.of(application, "status"),
            days=days,
        )
        amount = application.unpaid_amount if application.status == Status.APPROVED else application.amount_due
        body = joined(
            application.project.estate.name,
            rules.yuan(amount),
            Message(gettext_noop("apply by %(date)s"), date=application.deadline)
            if application.deadline_applies
            else "",
            separator=" · ",
        )
        sent += _tell(
            recipients,
            application,
            title,
            body=body,
            dedupe_key=f"subsidy:{application.pk}:{application.status}:{week[0]}w{week[1]}",
        )
    return sent
