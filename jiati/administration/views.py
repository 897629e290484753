"""Administration pages: staff and company logins, the divisions, and choosing a password from a one-time link."""

from __future__ import annotations

import base64
import os
import tempfile
from contextlib import contextmanager

import django_filters
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiati.accounts.permissions import can_edit_organisation
from jiati.administration import assignments, divisions, selectors, services, units
from jiati.administration.forms import AccountChangeForm, AccountForm, AssignForm, TableUploadForm, TokenForm
from jiati.administration.permissions import can_administer, can_load_divisions, can_manage_user
from jiati.administration.tables import TableError
from jiati.audit.models import Disclosure, DisclosureChannel, DisclosureKind
from jiati.core.errors import get_visible_or_404
from jiati.core.personal_data import mask_phone
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


def _require_admin(request):
    if not can_administer(request.user):
        raise PermissionDenied


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@contextmanager
def _saved_upload(upload):
    suffix = os.path.splitext(upload.name)[1].lower()
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115 - removed below
    try:
        with handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield handle.name
    finally:
        os.unlink(handle.name)


def _context(request, context: dict) -> dict:
    return {
        **context,
        "can_load_divisions": can_load_divisions(request.user),
        "can_assign": can_edit_organisation(request.user),
    }


def home(request):
    _require_admin(request)
    return redirect("administration:account-list")


def account_list(request):
    _require_admin(request)
    accounts = selectors.accounts_manageable_by(actor=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        accounts = accounts.filter(full_name__icontains=query) | accounts.filter(username__icontains=query)
    status = request.GET.get("status", "active")
    if status == "active":
        accounts = accounts.filter(is_active=True)
    elif status == "inactive":
        accounts = accounts.filter(is_active=False)
    return render(
        request,
        "administration/account_list.html",
        _context(request, {"accounts": accounts[:200], "query": query, "status": status}),
    )


def account_create(request):
    _require_admin(request)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_create(
                actor=request.user,
                full_name=data["full_name"],
                phone=data["phone"],
                role=data["role"],
                unit_code=data["unit"],
                username=data["username"],
                is_unit_admin=data["is_unit_admin"],
            )
        except PermissionDenied:
            form.add_error("unit", _("You may not create a login of this role in this unit."))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s's login was created. A one-time link to choose a password was sent to %(phone)s.")
                % {"name": user.display_name, "phone": mask_phone(user.phone)},
            )
            return redirect("administration:account-detail", pk=user.pk)
    return render(request, "administration/account_form.html", _context(request, {"form": form}))


def account_detail(request, pk: int):
    _require_admin(request)
    account = get_visible_or_404(selectors.accounts_manageable_by(actor=request.user), pk=pk)
    initial = {
        "full_name": account.full_name,
        "phone": account.phone,
        "role": account.role,
        "unit": services.unit_code_of(account),
        "is_unit_admin": account.is_unit_admin,
    }
    form = AccountChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_change(
                actor=request.user,
                user=account,
                full_name=data["full_name"],
                phone=data["phone"],
                role=data["role"],
                unit_code=data["unit"],
                is_unit_admin=data["is_unit_admin"],
            )
        except PermissionDenied:
            form.add_error("unit", _("You may not give this role or unit."))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("administration:account-detail", pk=account.pk)
    return render(
        request,
        "administration/account_detail.html",
        _context(request, {"account": account, "form": form}),
    )


@require_POST
def account_action(request, pk: int, action: str):
    _require_admin(request)
    account = get_visible_or_404(selectors.accounts_manageable_by(actor=request.user), pk=pk)
    if not can_manage_user(request.user, account):
        raise PermissionDenied
    try:
        if action == "deactivate":
            services.staff_deactivate(actor=request.user, user=account, reason=request.POST.get("reason", ""))
            messages.success(request, _("The login was deactivated."))
        elif action == "reactivate":
            services.staff_reactivate(actor=request.user, user=account)
            messages.success(request, _("The login was reactivated."))
        elif action == "reset-password":
            services.staff_password_reset(actor=request.user, user=account)
            messages.success(
                request,
                _("The password was voided. A one-time link to choose a new one was sent to %(phone)s.")
                % {"phone": mask_phone(account.phone)},
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("administration:account-detail", pk=account.pk)


def _table_page(request, *, template: str, run, columns, title: str, active: str):
    form = TableUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with _saved_upload(upload) as path:
                result = run(path=path, name=upload.name, dry_run="apply" not in request.POST)
        except TableError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if result.applied:
                messages.success(request, _("The file was applied."))
    context = {"form": form, "result": result, "columns": columns, "title": title, "active": active}
    return render(request, template, _context(request, context))


def account_import(request):
    _require_admin(request)
    return _table_page(
        request,
        template="administration/table_upload.html",
        run=lambda **kwargs: services.staff_import(actor=request.user, **kwargs),
        columns=services.STAFF_COLUMNS,
        title=_("Create logins from a spreadsheet"),
        active="import",
    )


def division_load(request):
    if not can_load_divisions(request.user):
        raise PermissionDenied
    return _table_page(
        request,
        template="administration/table_upload.html",
        run=lambda **kwargs: divisions.divisions_load(actor=request.user, **kwargs),
        columns=divisions.COLUMNS,
        title=_("Load the administrative divisions"),
        active="divisions",
    )


@method_decorator(login_not_required, name="dispatch")
class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link: Django's token generator; the token dies once the password is set."""

    template_name = "administration/set_password.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        from jiati.audit.models import AuditAction
        from jiati.audit.services import audit_record

        audit_record(actor=self.user, instance=self.user, action=AuditAction.EVENT, message="password chosen")
        messages.success(self.request, _("Your password is set. Sign in with it."))
        return response


def answers(request):
    """Who answers for what: assign one estate or building, and the lists of what no one answers for."""
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            estate = get_visible_or_404(assignments.Estate.objects.visible_to(request.user), code=data["estate_code"])
        except Http404:
            form.add_error("estate_code", _("No estate in your area has this code."))
        else:
            person = selectors.staff_by_phone_or_login(actor=request.user, key=data["person"])
            if person is None:
                form.add_error("person", _("No active staff member of your area has this phone or login."))
            else:
                try:
                    if data["building"]:
                        building = assignments.Building.objects.filter(estate=estate, number=data["building"]).first()
                        if building is None:
                            raise ValidationError({"building": [_("The estate has no building of this number.")]})
                        assignments.building_assign(actor=request.user, building=building, person=person)
                    else:
                        assignments.estate_assign(actor=request.user, estate=estate, person=person)
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("administration:answers")
    estates = assignments.estates_unanswered(user=request.user)
    buildings = assignments.buildings_unanswered(user=request.user)
    return render(
        request,
        "administration/answers.html",
        _context(
            request,
            {
                "form": form,
                "estates": estates[:100],
                "buildings": buildings[:100],
                "estate_count": estates.count(),
                "building_count": buildings.count(),
            },
        ),
    )


def answers_import(request):
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    return _table_page(
        request,
        template="administration/table_upload.html",
        run=lambda **kwargs: assignments.assignments_import(actor=request.user, **kwargs),
        columns=assignments.COLUMNS,
        title=_("Assign estates and buildings from a spreadsheet"),
        active="answers",
    )


def units_load(request):
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    return _table_page(
        request,
        template="administration/table_upload.html",
        run=lambda **kwargs: units.units_import(actor=request.user, **kwargs),
        columns=units.COLUMNS,
        title=_("Import workstations and property offices"),
        active="units",
    )


def second_factor_setup(request):
    """Scan the QR code (or type the key) into an authenticator app, then type its first code."""
    from jiati.administration import second_factor

    if second_factor.has_second_factor(request.user) and not request.user.is_verified():
        return redirect("administration:second-factor-verify")
    form = TokenForm(request.POST or None)
    device_id = request.session.get("jiati_totp_setup")
    device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first() if device_id else None
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            codes = second_factor.totp_device_confirm(
                user=request.user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session.pop("jiati_totp_setup", None)
            return render(request, "administration/recovery_codes.html", {"codes": codes})
    if device is None or request.method == "GET":
        device = second_factor.totp_device_start(user=request.user)
        request.session["jiati_totp_setup"] = device.pk
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(request, "administration/second_factor_setup.html", {"form": form, "secret": secret, "qr": qr})


def second_factor_verify(request):
    """The code from the authenticator app, or one recovery code."""
    from jiati.administration.middleware import SESSION_HAS_DEVICE
    from jiati.administration.second_factor import has_second_factor

    if not has_second_factor(request.user):  # reset by an administrator since this session began
        request.session.pop(SESSION_HAS_DEVICE, None)
        return redirect("administration:second-factor-setup")
    form = TokenForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is None:
            form.add_error("token", _("The code is not right. Check the time on your phone and try again."))
        else:
            otp_login(request, device)
            return redirect(next_url)
    return render(request, "administration/second_factor_verify.html", {"form": form, "next": next_url})


@require_POST
def second_factor_reset(request, pk: int):
    from jiati.administration import second_factor

    _require_admin(request)
    account = get_visible_or_404(selectors.accounts_manageable_by(actor=request.user), pk=pk)
    second_factor.second_factor_reset(actor=request.user, user=account)
    messages.success(request, _("The second factor was removed; a new one is set up at the next sign-in."))
    return redirect("administration:account-detail", pk=account.pk)


def sign_ins(request):
    """My own sign-in history; administrators also see failed and locked sign-ins of the logins they administer."""
    from jiati.administration import records

    context = {"mine": records.sign_ins_of(user=request.user)}
    if can_administer(request.user):
        context["failures"] = records.failed_sign_ins_visible_to(actor=request.user)
        context["locked"] = records.locked_now_visible_to(actor=request.user)
    return render(request, "administration/sign_ins.html", _context(request, context))


class DisclosureFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DisclosureKind.choices, label=_lazy("Data shown"))
    channel = django_filters.ChoiceFilter(choices=DisclosureChannel.choices, label=_lazy("Shown in"))
    viewer = django_filters.CharFilter(field_name="viewer__full_name", lookup_expr="icontains", label=_lazy("Seen by"))
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label=_lazy("Belongs to"))

    class Meta:
        model = Disclosure
        fields = ["kind", "channel", "viewer", "object_repr"]


class DisclosureListView(ScopedListView):
    """Who was shown full ID numbers and bank accounts (PIPL), for the administrators of the viewers' logins."""

    model = Disclosure
    filterset_class = DisclosureFilterSet
    template_name = "administration/disclosures.html"
    title = _lazy("Who was shown personal data")
    export_name = "disclosures"
    columns = [
        Column(_lazy("Time"), "timestamp"),
        Column(_lazy("Seen by"), "viewer.display_name"),
        Column(_lazy("Data shown"), "get_kind_display"),
        Column(_lazy("Belongs to"), "object_repr"),
        Column(_lazy("Shown in"), "get_channel_display", css="d-none d-md-table-cell"),
        Column(_lazy("Web address"), "path", css="d-none d-lg-table-cell"),
        Column(_lazy("IP address"), "ip_address", css="d-none d-lg-table-cell"),
    ]

    def get(self, request, *args, **kwargs):
        _require_admin(request)
        if request.htmx and not request.htmx.boosted:
            self.template_name = "core/list.html"  # its `results` partial; this page only adds the tabs around it
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.disclosures_visible_to(actor=self.request.user)

    def get_extra_context(self) -> dict:
        return _context(self.request, {"active": "disclosures"})
