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


class Refusals:
    """A service's independent checks of its input, reported together: every wrong field in one refusal, not
    the first one per submit.

        with Refusals() as checked:
            name = checked(text_or_refuse, name, _("Give your name."), field="name")
            phone = checked(phone_or_refuse, phone, field="phone")
            if topic not in Topic.values:
                checked.add(refuse(_("Choose a topic."), code="invalid_choice", field="topic"))

    A check that refuses returns None; on leaving the block, if any refused, one ValidationError carrying all
    of them is raised (a form shows each on its field; the API lists them all).
    """

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def __enter__(self) -> Refusals:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None and self.errors:
            raise self.combined()

    def __call__(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationError as error:
            self.add(error)
            return None

    def add(self, error: ValidationError) -> None:
        self.errors.append(error)

    def combined(self) -> ValidationError:
        by_field: dict[str, list] = {}
        for error in self.errors:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    by_field.setdefault(field, []).extend(errors)
            else:
                by_field.setdefault("__all__", []).extend(error.error_list)
        return ValidationError(by_field)
