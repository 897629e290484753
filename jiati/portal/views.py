"""The resident portal: phone-first pages reached by QR code; residents sign in with a one-time code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jiati.core.forms import run_service
from jiati.core.hooks import collect
from jiati.core.net import client_ip
from jiati.core.personal_data import mask_phone
from jiati.portal import services
from jiati.portal.forms import CodeForm, PhoneForm
from jiati.residents import auth


@login_not_required
@auth.resident_required
def home(request):
    sections = collect("portal", "portal_sections", request=request, owner=request.owner)
    matters = collect("portal", "portal_matters", request=request, owner=request.owner)
    return render(request, "portal/home.html", {"owner": request.owner, "sections": sections, "matters": matters})


@login_not_required
def login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    phone_form = PhoneForm(request.POST if "send" in request.POST else None)
    code_form = CodeForm(request.POST if "verify" in request.POST else None)
    sent_to = None
    if "send" in request.POST and phone_form.is_valid():
        phone = run_service(
            phone_form,
            lambda: services.signin_code_request(phone=phone_form.cleaned_data["phone"], address=client_ip(request)),
        )
        if phone:
            sent_to = phone
            code_form = CodeForm(initial={"phone": phone})
    elif "verify" in request.POST and code_form.is_valid():
        phone = code_form.cleaned_data["phone"]
        sent_to = phone
        owner = run_service(
            code_form, lambda: services.signin_code_verify(phone=phone, code=code_form.cleaned_data["code"])
        )
        if owner is not None:
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


@login_not_required
@require_POST
def logout(request):
    auth.sign_out(request)
    return redirect("portal:login")


@login_not_required
@require_POST
def text_size(request):
    """The larger-text switch: remembered for a year in a cookie, works without JavaScript."""
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("portal:home")
    response = redirect(next_url)
    if request.POST.get("size") == "large":
        response.set_cookie("portal_text", "large", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie("portal_text", samesite="Lax")
    return response
