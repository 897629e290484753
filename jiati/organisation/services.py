"""Writes on the organisation: service-group members (who answers for what)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.core.errors import refuse
from jiati.organisation.models import GroupMembership, ServiceGroup


@transaction.atomic
def membership_set(*, actor, group: ServiceGroup, user, role: str, duties: str = "") -> GroupMembership:
    """Add a staff member of the actor's area to a group, or change their role and duties."""
    if not can_edit_organisation(actor) or not ServiceGroup.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    if not staff_visible_to(user=actor).filter(pk=user.pk).exists():
        raise refuse(_("Choose a staff member of your area."), code="not_in_area", field="user")
    membership, created = GroupMembership.objects.select_for_update().get_or_create(
        group=group, user=user, defaults={"role": role, "duties": duties}
    )
    before = None if created else [membership.role, membership.duties]
    membership.role, membership.duties = role, duties
    membership.save()
    audit_record(
        actor=actor, instance=group, action=AuditAction.UPDATE, changes={f"member {user}": [before, [role, duties]]}
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, group: ServiceGroup, user) -> None:
    if not can_edit_organisation(actor) or not ServiceGroup.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    deleted, _rows = GroupMembership.objects.filter(group=group, user=user).delete()
    if deleted:
        audit_record(actor=actor, instance=group, action=AuditAction.UPDATE, changes={f"member {user}": ["", None]})
