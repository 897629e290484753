"""The administration API: the same services as the pages, for a city identity system pushing staff changes."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiati.accounts.models import User
from jiati.accounts.permissions import can_edit_organisation
from jiati.administration import assignments, divisions, selectors, services, units
from jiati.administration.api import serializers
from jiati.administration.permissions import can_administer, can_load_divisions
from jiati.administration.tables import TableError
from jiati.administration.views import _saved_upload
from jiati.core.errors import refuse


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Staff and company logins the caller administers; out of reach answers 404, like missing."""

    serializer_class = serializers.AccountSerializer
    filterset_fields = ["role", "is_active", "username", "phone"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        if not can_administer(self.request.user):
            raise PermissionDenied
        return selectors.accounts_manageable_by(actor=self.request.user)

    def _out(self, user, code=status.HTTP_200_OK):
        user.refresh_from_db()
        return Response(serializers.AccountSerializer(user, context={"request": self.request}).data, status=code)

    @extend_schema(request=serializers.AccountCreateSerializer, responses={201: serializers.AccountSerializer})
    def create(self, request):
        if not can_administer(request.user):
            raise PermissionDenied
        data = serializers.AccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = services.staff_create(
            actor=request.user,
            full_name=values["full_name"],
            phone=values["phone"],
            role=values["role"],
            unit_code=values["unit"],
            username=values["username"],
            is_unit_admin=values["is_unit_admin"],
        )
        return self._out(user, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.AccountChangeSerializer, responses=serializers.AccountSerializer)
    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = serializers.AccountChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "unit" in values:
            values["unit_code"] = values.pop("unit")
        services.staff_change(actor=request.user, user=user, **values)
        return self._out(user)

    @extend_schema(request=serializers.DeactivateSerializer, responses=serializers.AccountSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        data = serializers.DeactivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.staff_deactivate(actor=request.user, user=self.get_object(), reason=data.validated_data["reason"])
        )

    @extend_schema(request=None, responses=serializers.AccountSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._out(services.staff_reactivate(actor=request.user, user=self.get_object()))

    @extend_schema(request=None, responses=serializers.AccountSerializer)
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        return self._out(services.staff_password_reset(actor=request.user, user=self.get_object()))


class _TableView(APIView):
    parser_classes = [MultiPartParser]

    def run(self, **kwargs):
        raise NotImplementedError

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def post(self, request):
        if not self.allowed(request.user):
            raise PermissionDenied
        data = serializers.TableSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            with _saved_upload(upload) as path:
                result = self.run(path=path, name=upload.name, dry_run=not data.validated_data["apply"])
        except TableError as exc:
            raise refuse(str(exc), code="unreadable_file", field="file") from exc
        body = dataclasses.asdict(result)
        body["applied"] = result.applied
        return Response(body, status=status.HTTP_200_OK if not result.errors else status.HTTP_400_BAD_REQUEST)


class DivisionLoadView(_TableView):
    """Check (default) or apply (`apply=true`) a list of divisions; 400 lists every rejected row."""

    @extend_schema(request={"multipart/form-data": serializers.TableSerializer}, responses={200: dict, 400: dict})
    def post(self, request):
        return super().post(request)

    def allowed(self, user) -> bool:
        return can_load_divisions(user)

    def run(self, **kwargs):
        return divisions.divisions_load(actor=self.request.user, **kwargs)


class StaffImportView(_TableView):
    """Check (default) or apply (`apply=true`) a spreadsheet of logins; 400 lists every rejected row."""

    @extend_schema(request={"multipart/form-data": serializers.TableSerializer}, responses={200: dict, 400: dict})
    def post(self, request):
        return super().post(request)

    def allowed(self, user) -> bool:
        return can_administer(user)

    def run(self, **kwargs):
        return services.staff_import(actor=self.request.user, **kwargs)


class UnitsImportView(_TableView):
    """Check (default) or apply (`apply=true`) a table of workstations and property offices."""

    @extend_schema(request={"multipart/form-data": serializers.TableSerializer}, responses={200: dict, 400: dict})
    def post(self, request):
        return super().post(request)

    def allowed(self, user) -> bool:
        return can_edit_organisation(user)

    def run(self, **kwargs):
        return units.units_import(actor=self.request.user, **kwargs)


class AssignmentsImportView(_TableView):
    """Check (default) or apply (`apply=true`) a table of estate/building → person (分片包干, 专人包栋)."""

    @extend_schema(request={"multipart/form-data": serializers.TableSerializer}, responses={200: dict, 400: dict})
    def post(self, request):
        return super().post(request)

    def allowed(self, user) -> bool:
        return can_edit_organisation(user)

    def run(self, **kwargs):
        return assignments.assignments_import(actor=self.request.user, **kwargs)
