"""The API edge every app shares: one body for every refusal, scoped base viewsets, masked personal data.

Every refusal — 400 (invalid input or a service's refusal), 401, 403, 404, 405, 409 (any APIException with
that status), 429 — and an unexpected
500 answer the same JSON body, in the caller's language:

    {"errors": {"<field or 'detail'>": ["<message>", ...]}, "codes": {"<same key>": ["<stable code>", ...]}}

Services raise Django's ValidationError (`jiati.core.errors.refuse`), PermissionDenied or Http404; views and
serializers raise DRF's exceptions. Both reach the client the same way, so an endpoint never needs to translate
one into the other. (A 400 whose error is a bare list keeps DRF's list shape under "errors"/"codes".)
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from jiati.audit.models import DisclosureChannel
from jiati.core import replica
from jiati.core.errors import get_visible_or_404
from jiati.web.personal import personal_value

logger = logging.getLogger("jiati.api")


def _as_api_exception(exc):
    """Django's refusals as DRF's, so that every app's service errors take the same path."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def refusal_body(exc: exceptions.APIException) -> dict:
    """The one body of a refusal: messages and stable codes, keyed alike."""
    if isinstance(exc, exceptions.ValidationError):
        return {"errors": exc.detail, "codes": exc.get_codes()}
    detail = exc.detail
    if isinstance(detail, (dict, list)):  # an APIException raised with structured detail: keep its keys
        return {"errors": detail, "codes": exc.get_codes()}
    return {"errors": {"detail": [detail]}, "codes": {"detail": [exc.get_codes()]}}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every refusal in the one body; anything unexpected a 500 in the same body."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = refusal_body(exc)
        return response
    view = context.get("view")
    logger.error("API error in %s", type(view).__name__ if view else "?", exc_info=exc)
    set_rollback()
    server_error = exceptions.APIException()  # "A server error occurred.", translated by DRF
    return Response(refusal_body(server_error), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def scoped_or_refuse(queryset, pk, *, field: str, code: str = "does_not_exist"):
    """An object named by an id in a request body, looked up inside the caller's scope.

    Out of scope and missing answer the same 400 naming the field, so the answer tells nothing about other
    areas' rows. `queryset` must already be scoped (`Model.objects.visible_to(user)`). None passes through.
    """
    if pk is None or pk == "":
        return None
    try:
        return get_visible_or_404(queryset, pk=pk)
    except Http404:
        # DRF's own message for an unknown id, in DRF's translations.
        message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
        raise exceptions.ValidationError({field: [message.format(pk_value=pk)]}, code=code) from None


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Every API queryset starts from the model's `visible_to(user)`: out of scope is 404, like missing.

    Subclasses set `queryset` (with its select_related), `serializer_class` and `filterset_class`
    (the same FilterSet as the list page).
    """

    # The `list` action reads the replica when one is configured (jiati/core/replica.py); the rest the primary.
    replica_reads = staticmethod(replica.api_list_action)

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def respond(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        """The answer to an action on `obj` (override to render it with another serializer)."""
        return Response(self.get_serializer(obj).data, status=status_code)

    def act(self, request, input_serializer, call, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The one action helper: validate the input, run the service on this object, answer with `respond`.

        `call(obj, data)` runs the service — its refusals reach the client through the handler above — and
        returns the changed object, or None to answer with the object as fetched.
        """
        obj = self.get_object()
        data = {}
        if input_serializer is not None:
            serializer = input_serializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        result = call(obj, data)
        return self.respond(obj if result is None else result, status_code)


class PersonalDataField(serializers.CharField):
    """A personal-data string, masked unless the caller's role needs it in full; a full ID number or bank account
    is recorded as shown, with the serialized object as whose it is."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return None if value is None else (instance, value)

    def to_representation(self, value):
        subject, value = value
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return personal_value(user, value, self.kind, subject=subject, channel=DisclosureChannel.API)
