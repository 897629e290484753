"""Shared API pieces: keyset pagination, and errors with stable codes."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, viewsets
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Every error answers {"errors": <messages>, "codes": <stable codes, same shape>}.

    Service ValidationErrors (Django's) become 400s naming the field, like serializer errors.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = {"errors": response.data, "codes": exc.get_codes()}
    return response


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Every API queryset starts from the model's `visible_to(user)`: out of scope is 404, like missing.

    Subclasses set `queryset` (with its select_related), `serializer_class` and `filterset_class`
    (the same FilterSet as the list page).
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class PersonalDataField(serializers.CharField):
    """A personal-data string, masked unless the caller's role needs it in full."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        from jiati.accounts.permissions import sees_personal_data
        from jiati.core.personal_data import MASKS

        request = self.context.get("request")
        if value and request is not None and sees_personal_data(request.user, self.kind):
            return value
        return MASKS[self.kind](value)
