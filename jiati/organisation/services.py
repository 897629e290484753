"""Writes on the organisation: service-group members (who answers for what) and each group's WeCom robot."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jiati.accounts.permissions import can_edit_organisation
from jiati.accounts.selectors import staff_visible_to
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.core.errors import refuse
from jiati.organisation.models import GroupMembership, ServiceGroup, mask_webhook


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


@transaction.atomic
def service_group_robot_set(*, actor, group: ServiceGroup, url: str) -> ServiceGroup:
    """Set (or clear, with "") the WeCom group robot that the group members' notices go to."""
    if not can_edit_organisation(actor) or not ServiceGroup.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    url = url.strip()
    if url and not url.startswith("https://"):
        raise refuse(_("A robot address starts with https://."), code="webhook_not_https", field="wecom_webhook_url")
    group = ServiceGroup.objects.select_for_update().get(pk=group.pk)
    before = group.wecom_webhook_url
    if url == before:
        return group
    group.wecom_webhook_url = url
    group.full_clean()
    group.save(update_fields=["wecom_webhook_url"])
    audit_record(
        actor=actor,
        instance=group,
        action=AuditAction.UPDATE,
        changes={"wecom_webhook_url": [mask_webhook(before), mask_webhook(url)]},
    )
    return group
