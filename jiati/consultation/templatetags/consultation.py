"""Template helpers for consultation pages: contact details shown in full only to the handling staff."""

from __future__ import annotations

from django import template
from django.utils import timezone

from jiati.consultation import permissions
from jiati.core.personal_data import mask_phone

register = template.Library()


def mask_name(name: str | None) -> str:
    """Keep the family name (the first character): 张三丰 → 张**."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_address(address: str | None) -> str:
    if not address:
        return ""
    return address[:6] + "…"


MASKS = {"name": mask_name, "phone": mask_phone, "address": mask_address}


def invitee_name(invitee, *, full: bool) -> str:
    """An invitee's name: staff and companies always in full; owners and other residents masked unless `full`
    (`permissions.sees_invitees`)."""
    if full or invitee.kind in ("staff", "company"):
        return invitee.name
    return mask_name(invitee.name)


def with_shown_names(invitees, *, full: bool) -> list:
    """The invitees, each with `shown_name` set for the viewer."""
    invitees = list(invitees)
    for invitee in invitees:
        invitee.shown_name = invitee_name(invitee, full=full)
    return invitees


@register.filter(name="mask_name")
def mask_name_filter(value):
    return mask_name(value)


def petitioner_value(user, petition, kind: str) -> str:
    """The petitioner's name, phone or address, masked unless `user` is handling staff (`sees_petitioner`)."""
    value = getattr(
        petition, {"name": "petitioner_name", "phone": "petitioner_phone", "address": "petitioner_address"}[kind]
    )
    if user is not None and permissions.sees_petitioner(user, petition):
        return value
    return MASKS[kind](value)


@register.simple_tag(takes_context=True)
def petitioner(context, petition, kind: str):
    """{% petitioner petition "phone" %}: the petitioner's name, phone or address, masked unless handling staff."""
    return petitioner_value(getattr(context.get("request"), "user", None), petition, kind)


@register.simple_tag(takes_context=True)
def visitor(context, record, kind: str):
    """{% visitor record "phone" %}: the visitor's name or phone, masked unless the staff who took or follow it."""
    value = record.visitor_name if kind == "name" else record.visitor_phone
    user = getattr(context.get("request"), "user", None)
    if user is not None and permissions.sees_visitor(user, record):
        return value
    return MASKS[kind](value)


@register.simple_tag
def days_late(due) -> int:
    if not due:
        return 0
    return max((timezone.localdate() - due).days, 0)


@register.simple_tag(takes_context=True)
def booker(context, booking):
    """{% booker booking %}: the booker's name, masked unless the role receives residents (`sees_booker`)."""
    user = getattr(context.get("request"), "user", None)
    if user is not None and permissions.sees_booker(user, booking):
        return booking.name
    return mask_name(booking.name)
