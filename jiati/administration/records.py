"""Sign-in records (django-axes: successes in AccessLog, failures in AccessFailureLog) and their retention.

Audit entries, sign-in records and disclosures of personal data are kept at least JIATI_RETENTION_DAYS (never
under 183 days, about six months: MLPS level 3); `records_purge` removes only what is older, and records that it
did so in the audit trail.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.administration import selectors
from jiati.administration.permissions import is_platform_admin
from jiati.audit.models import AuditAction, AuditEntry, Disclosure
from jiati.audit.services import audit_record
from jiati.core.errors import refuse

MINIMUM_RETENTION_DAYS = 183


def sign_ins_of(*, user, limit: int = 50):
    """The user's own successful sign-ins, newest first (time, address, browser)."""
    return AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[:limit]


def failed_sign_ins_visible_to(*, actor, limit: int = 200):
    """Failed and locked sign-ins an administrator may review: the platform administrator all of them (also
    unknown logins, which is how guessing shows), others those of the logins they administer."""
    failures = AccessFailureLog.objects.order_by("-attempt_time")
    if not is_platform_admin(actor):
        names = selectors.accounts_manageable_by(actor=actor).values("username")
        failures = failures.filter(username__in=names)
    return failures[:limit]


def locked_now_visible_to(*, actor):
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if not is_platform_admin(actor):
        attempts = attempts.filter(username__in=selectors.accounts_manageable_by(actor=actor).values("username"))
    return attempts.order_by("-attempt_time")


@transaction.atomic
def records_purge(*, actor, days: int | None = None, now=None) -> dict[str, int]:
    """Delete audit entries and sign-in records older than the retention period (`days` may only lengthen it)."""
    keep = settings.JIATI_RETENTION_DAYS
    if days is not None:
        if days < max(keep, MINIMUM_RETENTION_DAYS):
            raise refuse(
                _("Records are kept at least %(days)s days.") % {"days": max(keep, MINIMUM_RETENTION_DAYS)},
                code="retention_too_short",
                field="days",
            )
        keep = days
    cutoff = (now or timezone.now()) - timedelta(days=max(keep, MINIMUM_RETENTION_DAYS))
    counts = {
        # The one sanctioned deletion of an append-only log: entries past the retention period.
        "audit_entries": AuditEntry._base_manager.filter(timestamp__lt=cutoff).delete()[0],
        "sign_ins": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "failed_sign_ins": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "disclosures": Disclosure._base_manager.filter(timestamp__lt=cutoff).delete()[0],
    }
    audit_record(
        actor=actor,
        instance=ContentType.objects.get_for_model(AuditEntry),
        action=AuditAction.DELETE,
        changes={key: [value, 0] for key, value in counts.items()},
        message=f"records before {cutoff:%Y-%m-%d %H:%M} purged (kept {keep} days)",
    )
    return counts
