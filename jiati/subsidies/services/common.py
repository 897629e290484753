"""Shared pieces of the subsidy services: who may act, locking a file, its events, telling people, audit."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.models import Role, User
from jiati.accounts.scoping import sees_everything
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record, changes_since
from jiati.core.errors import refuse
from jiati.core.services import lock_visible
from jiati.core.stored_text import Message
from jiati.notifications.services import notify
from jiati.organisation.models import Region, RegionLevel
from jiati.projects.models import EventKind
from jiati.projects.services import project_event_add
from jiati.subsidies import selectors
from jiati.subsidies.models import (
    Status,
    SubsidyApplication,
    _ancestor_paths,
)

APPLICATION_AUDIT_FIELDS = (
    "status",
    "policy",
    "applicant_kind",
    "applicant_owner",
    "applicant_name",
    "applicant_phone",
    "payee_name",
    "payee_bank_name",
    "payee_bank_account",
    "stops",
    "estimated_cost",
    "audited_cost",
    "amount_due",
    "approved_amount",
    "paid_amount",
    "budget",
    "deadline",
    "not_eligible_reason",
)
# What the lead owner may fill in himself on the portal (the rest is the window's: costs, extras, applicant).
LEAD_OWNER_FIELDS = frozenset({"applicant_phone", "payee_name", "payee_bank_name", "payee_bank_account"})
NEXT_STEP = {Status.COMMUNITY: Status.SUBDISTRICT, Status.SUBDISTRICT: Status.DISTRICT}
NOTIFY_KIND = "subsidy"


# --- shared helpers ---------------------------------------------------------------------


def application_url(application: SubsidyApplication) -> str:
    return reverse("subsidies:application-detail", args=[application.pk])


def _locked(application: SubsidyApplication, actor) -> SubsidyApplication:
    """Lock the row and re-check that the actor may see it (a stale or forged id answers like a missing one)."""
    applications = SubsidyApplication.objects.select_related(
        "project__community", "project__stairwell__building", "policy__region"
    )
    return lock_visible(applications, user=actor, pks=application.pk)


def _event(application: SubsidyApplication, actor, message: str, action: str, **data) -> None:

    project_event_add(
        project=application.project,
        actor=actor,
        kind=EventKind.OTHER,
        message=message,
        data={"subsidy_application": application.pk, "action": action, **data},
    )


def _tell(
    recipients, application: SubsidyApplication, title: str | Message, body: str | Message = "", dedupe_key: str = ""
) -> int:
    return len(
        notify(
            recipients=recipients,
            kind=NOTIFY_KIND,
            title=title,
            body=body or f"{application.project.code} {application.project.estate.name}",
            url=application_url(application),
            dedupe_key=dedupe_key,
        )
    )


def _tell_holders(application: SubsidyApplication, title: str | Message, *, with_responsible: bool = False) -> None:
    recipients = selectors.holders_for(application.status, application.project.community)
    if with_responsible and application.project.responsible_id:
        recipients.append(application.project.responsible)
    _tell(recipients, application, title)


def _tell_lead_owner(application: SubsidyApplication, title: str | Message, body: str = "") -> int:
    """The project's lead owner, if he has a resident account: his file is on the resident portal."""

    lead_owner_id = application.project.lead_owner_id
    if not lead_owner_id:
        return 0
    users = list(User.objects.filter(owner_id=lead_owner_id, role=Role.RESIDENT, is_active=True))
    if not users:
        return 0
    return len(
        notify(
            recipients=users,
            kind=NOTIFY_KIND,
            title=title,
            body=body or f"{application.project.code} {application.project.estate.name}",
            url=reverse("subsidies:portal-file", args=[application.pk]),
        )
    )


def district_of(region):
    """The district a region lies in (itself if it is one), or None above district level."""

    return (
        Region.objects.filter(level=RegionLevel.DISTRICT, path__in=_ancestor_paths(region.path))
        .order_by("path")
        .first()
    )


def _text(value: str, *, field: str, label: str, required: bool = True, max_length: int = 120) -> str:
    value = (value or "").strip()
    if required and not value:
        raise refuse(_("Enter the %(label)s.") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise refuse(
            _("The %(label)s is longer than %(n)s characters.") % {"label": label, "n": max_length},
            code="too_long",
            field=field,
        )
    return value


def _audit(actor, instance, before: dict, message: str = ""):
    """Record what changed among the fields `before` was taken of (a snapshot of those fields)."""
    changes = changes_since(before, instance)
    if not changes:
        return None
    return audit_record(
        actor=actor, instance=instance, action=AuditAction.UPDATE, changes=changes, message=message[:255]
    )


def _in_own_area(actor, region) -> bool:
    """The region is the actor's own or below it (the units above are visible for context, not to change)."""
    return sees_everything(actor) or bool(actor.region_id and region.path.startswith(actor.region.path))


def _whole(value) -> int | None:
    """A whole number from input, or None (a bad value is refused by the caller, naming its field)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number


def _not_future(day: dt.date, *, field: str) -> dt.date:
    if day > timezone.localdate():
        raise refuse(_("The date cannot be in the future."), code="future_date", field=field)
    return day
