"""The resident portal: phone-first pages reached by QR code; residents sign in with a one-time code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.core.forms import run_service
from jiati.core.hooks import collect
from jiati.core.personal_data import mask_phone
from jiati.housing.models import Owner
from jiati.housing.services import phone_clean
from jiati.portal.forms import CodeForm, PhoneForm
from jiati.residents import auth, otp

LOGIN_PURPOSE = "portal-login"


@login_not_required
@auth.resident_required
def home(request):
    sections = collect("portal", "portal_sections", request=request, owner=request.owner)
    return render(request, "portal/home.html", {"owner": request.owner, "sections": sections})


@login_not_required
def login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    phone_form = PhoneForm(request.POST if "send" in request.POST else None)
    code_form = CodeForm(request.POST if "verify" in request.POST else None)
    sent_to = None
    if "send" in request.POST and phone_form.is_valid():
        phone = _phone_or_error(phone_form)
        if phone and run_service(phone_form, lambda: _send(phone)):
            sent_to = phone
            code_form = CodeForm(initial={"phone": phone})
    elif "verify" in request.POST and code_form.is_valid():
        phone = code_form.cleaned_data["phone"]
        sent_to = phone
        if run_service(
            code_form,
            lambda: otp.otp_verify(phone=phone, purpose=LOGIN_PURPOSE, code=code_form.cleaned_data["code"]) or True,
        ):
            owner = Owner.objects.filter(phone=phone).order_by("id").first()
            auth.sign_in(request, owner)
            return redirect(next_url or "portal:home")
    return render(
        request,
        "portal/login.html",
        {
            "phone_form": phone_form,
            "code_form": code_form,
            "sent_to": sent_to,
            "sent_to_masked": mask_phone(sent_to),
            "next": next_url,
        },
    )


def _phone_or_error(form) -> str | None:
    try:
        phone = phone_clean(form.cleaned_data["phone"])
    except ValidationError as exc:
        form.add_error("phone", exc.messages)
        return None
    if not Owner.objects.filter(phone=phone).exists():
        # Same answer shape as success would leak less, but residents need to know to go to a window.
        form.add_error(
            "phone", _("This number is not on any owner's record. Please ask at your community's service window.")
        )
        return None
    return phone


def _send(phone: str):
    return otp.otp_send(phone=phone, purpose=LOGIN_PURPOSE)


@login_not_required
@require_POST
def logout(request):
    auth.sign_out(request)
    return redirect("portal:login")
