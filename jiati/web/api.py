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
from django.db import connection
from django.db.models.query import MAX_GET_RESULTS
from django.http import Http404
from rest_framework import exceptions, generics, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from jiati.accounts.scoping import ScopedQuerySet, scope_shape
from jiati.audit.models import DisclosureChannel
from jiati.core import replica
from jiati.core.errors import get_visible_or_404
from jiati.core.prepared import NotPreparable, PreparedQuery
from jiati.web.filters import FilterBackend
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

    def get_object(self):
        """DRF's `get_object`, the scoped row read by a statement compiled once per scope shape where it can be.

        Building the scoped queryset and compiling it was a third of a project detail call, for the same SQL with
        another id and path every time (benchmarks/README.md, "HTTP load"). The same row, the same 404 for out of
        scope, missing or malformed, the same object permissions; any other view (its own queryset or filters, a
        scope that is a function of the user) takes DRF's path."""
        prepared = _prepared_lookup(self)
        if prepared is None:
            return super().get_object()
        query, values = prepared
        try:
            found = query.fetch(*values)
        except NotPreparable:  # a queryset whose values do not reach the SQL as parameters one by one
            logger.warning("%s: the object's lookup cannot be prepared", type(self).__name__, exc_info=True)
            lookups = type(self).__dict__["_jiati_prepared_lookups"]
            lookups.update({key: None for key, kept in lookups.items() if kept is query})  # not tried again
            return super().get_object()
        if not found:
            raise Http404
        if len(found) > 1:  # as QuerySet.get
            raise self.queryset.model.MultipleObjectsReturned
        self.check_object_permissions(self.request, found[0])
        return found[0]

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


def _prepared_lookup(view) -> tuple[PreparedQuery, tuple] | None:
    """The compiled-once lookup of `view`'s object for this request and its values, or None to take DRF's path."""
    cls = type(view)
    queryset = cls.queryset
    if (
        cls.get_queryset is not ScopedReadOnlyViewSet.get_queryset
        or cls.filter_queryset is not generics.GenericAPIView.filter_queryset
        or not all(backend is FilterBackend for backend in view.filter_backends)  # no filters on a detail request
        or not isinstance(queryset, ScopedQuerySet)
        or queryset.query.is_empty()  # `.none()`: DRF's path answers 404 without a statement
        or queryset._prefetch_related_lookups
        or queryset.query.select_for_update
        or queryset.query.distinct_fields
        or not queryset.query.can_filter()
    ):
        return None
    lookup_url_kwarg = view.lookup_url_kwarg or view.lookup_field
    model = queryset.model
    if view.lookup_field not in ("pk", model._meta.pk.name) or lookup_url_kwarg not in view.kwargs:
        return None
    shape = scope_shape(view.request.user, queryset.reach)
    if shape is None:
        return None
    pk_field = model._meta.pk
    if pk_field.get_internal_type() not in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
        return None
    try:
        pk = pk_field.get_prep_value(view.kwargs[lookup_url_kwarg])
    except (TypeError, ValueError):  # as DRF's get_object_or_404: a malformed id is not found
        raise Http404 from None
    low, high = connection.ops.integer_field_range(pk_field.get_internal_type())
    if not isinstance(pk, int) or not low <= pk <= high:  # beyond the column: no such row (the ORM's answer too)
        raise Http404
    prepared = cls.__dict__.get("_jiati_prepared_lookups")
    if prepared is None:
        prepared = cls._jiati_prepared_lookups = {}
    query = prepared.get(shape.key, False)
    if query is None:  # tried: it cannot be prepared
        return None
    if query is False:
        query = prepared[shape.key] = PreparedQuery(
            model,
            lambda *markers: (
                queryset.all().filter(shape.q(*markers[:-1])).filter(pk=markers[-1]).order_by()[:MAX_GET_RESULTS]
            ),
            kinds=(*(type(value) for value in shape.values), int),
            # Values only in the filter (the scope, the id): each compared with a column, so the server can bind them.
            server_prepared=not (queryset.query.annotations or queryset.query.extra),
        )
    return query, (*shape.values, pk)


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
