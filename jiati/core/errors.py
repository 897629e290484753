"""How services report a refused change: a ValidationError with a stable code, naming the field when there is one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404


def refuse(message, *, code: str, field: str | None = None, params: dict | None = None) -> ValidationError:
    """Build the error a service raises; `field` lets forms and the API attach it to the right input."""
    if isinstance(message, (list, tuple)):
        error = ValidationError([ValidationError(m, code=code, params=params) for m in message])
    else:
        error = ValidationError(message, code=code, params=params)
    if field:
        return ValidationError({field: [error]})
    return error


def get_visible_or_404(queryset, **lookup):
    """Fetch one object from an already scoped queryset; out of scope and missing answer the same 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
