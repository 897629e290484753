"""The resident portal: phone-first pages reached by QR code; residents sign in with a one-time code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.consultation.models import Article, ArticleKind
from jiati.core.errors import get_visible_or_404
from jiati.core.forms import run_service
from jiati.core.hooks import collect
from jiati.core.net import client_ip
from jiati.core.pdf import pdf_response, qr_svg
from jiati.core.personal_data import mask_phone
from jiati.core.site import absolute_url
from jiati.housing.models import Estate
from jiati.portal import checks, forms, selectors, services
from jiati.portal.forms import CodeForm, PhoneForm
from jiati.residents import auth


@login_not_required
def home(request):
    """The signed-in owner's matters; for anyone else the public start: learn, check, estimate, find, sign in."""
    owner = auth.resident_owner(request)
    if owner is None:
        return _welcome(request)
    request.owner = owner
    sections = collect("portal", "portal_sections", request=request, owner=request.owner)
    matters = selectors.urgent_first(collect("portal", "portal_matters", request=request, owner=request.owner))
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


# --- public pages: no sign-in, no personal data ---------------------------------------------------------------


def _welcome(request):
    articles = Article.objects.published().for_reader(translation.get_language()).order_by("-pinned", "-published_at")
    return render(
        request,
        "portal/welcome.html",
        {
            "policies": list(articles.filter(kind=ArticleKind.POLICY)[:5]),
            "guides": list(articles.filter(kind=ArticleKind.GUIDE)[:5]),
            "faqs": list(articles.filter(kind=ArticleKind.FAQ)[:8]),
        },
    )


@login_not_required
def self_check(request):
    """ "Can our building get an elevator?" — from a picked stairwell (its QR link) or from what the visitor types."""
    stairwell = selectors.stairwell_from_token(request.GET.get("s", "")) if request.GET.get("s") else None
    result = contact = None
    form = forms.SelfCheckForm(request.GET if "storeys" in request.GET else None)
    if stairwell is not None:
        building = stairwell.building
        result = checks.check_building(
            storeys=stairwell.storeys,
            year_built=building.year_built or stairwell.estate.year_built,
            space=checks.SPACE_UNSURE,
            min_storeys=selectors.min_storeys_for(stairwell.community),
            has_elevator=stairwell.has_elevator,
            assessment=selectors.current_assessment(stairwell),
        )
        contact = selectors.contact_for(community=stairwell.community, stairwell=stairwell)
    elif form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = run_service(
            form,
            lambda: checks.check_building(
                storeys=data["storeys"],
                year_built=data["year_built"],
                space=data["space"],
                min_storeys=selectors.min_storeys_for(data["community"]),
            ),
        )
        if result is not None:
            contact = selectors.contact_for(community=data["community"])
    return render(
        request,
        "portal/self_check.html",
        {
            "form": form,
            "stairwell": stairwell,
            "result": result,
            "contact": contact,
            "verdicts": {
                checks.POSSIBLE: _("Yes, an elevator looks possible"),
                checks.CONDITIONAL: _("Possibly — a few things must be checked first"),
                checks.NOT_POSSIBLE: _("Not possible as things stand"),
                checks.HAS_ELEVATOR: _("Your stairwell already has an elevator"),
            },
        },
    )


@login_not_required
def estimate(request):
    """My estimated share of the cost under the common schemes, after the subsidy in force, assumptions listed."""
    form = forms.EstimateForm(request.GET if "storeys" in request.GET else None, initial={"per_floor": 2})
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = run_service(
            form,
            lambda: checks.estimate_share(
                storeys=data["storeys"],
                floor=data["floor"],
                area=data["area"],
                per_floor=data["per_floor"],
                total_cost=data["total_cost"],
                community=data["community"] or selectors.home_district(),
            ),
        )
    return render(request, "portal/estimate.html", {"form": form, "result": result})


@login_not_required
def find(request):
    """Find my stairwell: type the estate's name, pick the building and the stairwell (plain links, no JavaScript)."""
    query = request.GET.get("q", "")[:60]
    estate = None
    if request.GET.get("estate"):
        estate = get_visible_or_404(Estate.objects.all(), pk=request.GET["estate"])
    buildings = [
        (building, [(s, selectors.stairwell_token(s)) for s in stairwells])
        for building, stairwells in (selectors.estate_stairwells(estate) if estate else [])
    ]
    return render(
        request,
        "portal/find.html",
        {"query": query, "estates": selectors.find_estates(query), "estate": estate, "buildings": buildings},
    )


@login_not_required
def stairwell(request, token):
    """A stairwell's page (its QR poster's link): the project's stage, next step, timeline, meetings, notices."""
    place = selectors.stairwell_from_token(token)
    if place is None:
        raise Http404
    facts = selectors.stairwell_project(place)
    contact = selectors.contact_for(community=place.community, stairwell=place, project=facts and facts.project)
    return render(
        request,
        "portal/stairwell.html",
        {"place": place, "facts": facts, "contact": contact, "token": token},
    )


@login_not_required
def stairwell_poster(request, token):
    """The A4 poster for the stairwell's door: a large QR code to its residents' page, in Chinese, large type."""
    place = selectors.stairwell_from_token(token)
    if place is None:
        raise Http404
    url = absolute_url(reverse("portal:stairwell", args=[token]))
    with translation.override("zh-hans"):
        return pdf_response(
            "portal/pdf/poster.html",
            {
                "place": place,
                "qr": qr_svg(url, scale=8),
                "url": url,
                "contact": selectors.contact_for(community=place.community, stairwell=place),
            },
            filename=f"stairwell-{place.pk}-qr.pdf",
        )
