"""{% load supervision_tags %}: what the supervision tabs may offer a user (the same checks as the views)."""

from __future__ import annotations

from django import template

from jiati.supervision import permissions

register = template.Library()


@register.filter
def may_check_sites(user) -> bool:
    """Today's sites (supervision:home) opens for those who walk sites only."""
    return permissions.can_check(user)


@register.filter
def may_see_dispatches(user) -> bool:
    """The monthly dispatch list opens for reviewers and dispatchers only."""
    return permissions.can_review(user) or permissions.can_dispatch(user)
