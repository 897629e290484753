"""The service kit every app's writes start from: permission checks and row locks inside the actor's scope.

Services call `require(...)` for a permission rule and `lock_visible(...)` to take the rows they change:
locked in primary-key order (so two writers never wait on each other in opposite orders), and only if the
actor may see them — a stale or forged id answers like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models


def require(allowed: bool) -> None:
    """Refuse (403) unless the permission rule holds."""
    if not allowed:
        raise PermissionDenied


def _wanted(pks) -> tuple[bool, list]:
    if isinstance(pks, models.Model):
        return True, [pks.pk]
    if isinstance(pks, Iterable) and not isinstance(pks, (str, bytes)):
        return False, sorted({getattr(pk, "pk", pk) for pk in pks})
    return True, [pks]


def lock_rows(queryset, *, pks, of: tuple[str, ...] = ("self",)):
    """Lock rows of an already scoped queryset, in pk order (SELECT … FOR UPDATE).

    `pks` is one primary key or model instance (returns the object) or an iterable of them (returns the
    objects in pk order). A row the queryset does not hold raises PermissionDenied.
    """
    single, wanted = _wanted(pks)
    rows = list(queryset.select_for_update(of=of).filter(pk__in=wanted).order_by("pk"))
    if len(rows) != len(wanted):
        raise PermissionDenied
    return rows[0] if single else rows


def lock_visible(model_or_qs, *, user, pks, of: tuple[str, ...] = ("self",)):
    """Lock rows inside `user`'s scope (the model's `visible_to(user)`), in pk order.

    `model_or_qs` is a model or a queryset of it (its select_related and filters are kept). The scope is
    applied as `pk IN (visible rows)`, so a scope that joins or is distinct never widens the lock.
    """
    if isinstance(model_or_qs, type) and issubclass(model_or_qs, models.Model):
        queryset = model_or_qs._default_manager.all()
    else:
        queryset = model_or_qs
    _single, wanted = _wanted(pks)
    visible = queryset.model._default_manager.visible_to(user).filter(pk__in=wanted).values("pk")
    return lock_rows(queryset.filter(pk__in=visible), pks=pks, of=of)
