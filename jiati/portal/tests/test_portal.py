"""The resident portal: signing in with a one-time code, the home page of the signed-in owner, signing out."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiati.housing.models import Owner
from jiati.notifications.channels import ConsoleSmsSender
from jiati.residents.auth import SESSION_KEY
from jiati.residents.models import OneTimeCode


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # the rate-limit counters live in the shared cache
    yield
    cache.clear()


@pytest.fixture
def owner(world):
    owner = world.users["resident"].owner
    owner.phone = "13800138000"
    owner.save(update_fields=["phone"])
    return owner


def last_code(phone: str) -> str:
    text = next(t for p, t in reversed(ConsoleSmsSender.sent) if p == phone)
    return re.search(r"\d{6}", text).group(0)


def same_page(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def send(client, phone: str, **extra):
    """Ask for a code; upper-case keywords are request headers (REMOTE_ADDR, HTTP_X_FORWARDED_FOR)."""
    meta = {k: v for k, v in extra.items() if k.isupper()}
    data = {k: v for k, v in extra.items() if not k.isupper()}
    return client.post(reverse("portal:login"), {"send": "1", "phone": phone, **data}, **meta)


def verify(client, phone: str, code: str, **extra):
    return client.post(reverse("portal:login"), {"verify": "1", "phone": phone, "code": code, **extra})


def test_a_stranger_gets_the_public_start_with_the_way_to_sign_in(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("portal:login") in page and reverse("portal:logout") not in page


def test_an_owner_signs_in_with_a_code_and_out_again(owner, client):
    response = send(client, owner.phone)
    assert response.status_code == 200
    page = response.content.decode()
    assert "138****8000" in page  # the number the code went to, shown masked
    code = OneTimeCode.objects.get(phone=owner.phone)
    assert last_code(owner.phone) not in code.code_hash  # stored hashed
    response = verify(client, owner.phone, last_code(owner.phone))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY] == owner.pk
    home = client.get(reverse("portal:home")).content.decode()
    assert owner.name in home
    client.post(reverse("portal:logout"))
    assert SESSION_KEY not in client.session
    assert owner.name not in client.get(reverse("portal:home")).content.decode()  # the public start again


def test_a_known_and_an_unknown_number_get_the_same_answer(owner, client):
    """Issue 19: the sign-in must not tell a stranger whether a phone number owns a home."""
    known = send(client, owner.phone).content.decode()
    unknown = send(client, "13900000000").content.decode()
    assert "on your owner record" in known
    assert same_page(unknown).replace("139****0000", "X").replace("13900000000", "Y") == same_page(known).replace(
        "138****8000", "X"
    ).replace("13800138000", "Y")
    assert not OneTimeCode.objects.filter(phone="13900000000").exists()
    assert OneTimeCode.objects.filter(phone=owner.phone).count() == 1
    # the code step too: a guess on an unknown number reads like a wrong code on a known one
    wrong_known = verify(client, owner.phone, "000000" if last_code(owner.phone) != "000000" else "111111")
    wrong_unknown = verify(client, "13900000000", "123456")
    assert "not right or no longer valid" in wrong_known.content.decode()
    assert "not right or no longer valid" in wrong_unknown.content.decode()


def test_a_wrong_code_counts(owner, client):
    send(client, owner.phone)
    right = last_code(owner.phone)
    wrong = "000000" if right != "000000" else "111111"
    page = verify(client, owner.phone, wrong).content.decode()
    assert "not right or no longer valid" in page and SESSION_KEY not in client.session
    assert OneTimeCode.objects.get(phone=owner.phone).attempts == 1


def test_a_code_works_once_and_not_after_it_expired(owner, client):
    send(client, owner.phone)
    code = last_code(owner.phone)
    assert verify(client, owner.phone, code).status_code == 302
    client.post(reverse("portal:logout"))
    assert "no longer valid" in verify(client, owner.phone, code).content.decode()  # single use
    assert SESSION_KEY not in client.session
    cache.clear()  # past the resend wait
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    send(client, owner.phone)
    code = last_code(owner.phone)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "no longer valid" in verify(client, owner.phone, code).content.decode()
    assert SESSION_KEY not in client.session


def test_a_second_code_within_a_minute_is_not_sent_and_not_told(owner, client):
    first = send(client, owner.phone).content.decode()
    again = send(client, owner.phone).content.decode()
    assert OneTimeCode.objects.count() == 1 and "less than a minute" not in again
    assert "on your owner record" in first and "on your owner record" in again


def test_codes_are_limited_per_phone_per_address_and_overall(owner, client, settings):
    settings.JIATI_SIGNIN_CODES_PER_PHONE_HOUR = 2
    settings.JIATI_SIGNIN_CODES_PER_ADDRESS_HOUR = 3
    settings.JIATI_SIGNIN_CODES_PER_HOUR = 100
    too_many = "Too many codes were asked for"
    # per phone, whatever the address: the same for an unknown number as for a known one
    for phone in (owner.phone, "13900000000"):
        answers = [send(client, phone, REMOTE_ADDR=f"10.0.1.{i}").content.decode() for i in range(3)]
        assert [too_many in a for a in answers] == [False, False, True]
    # per address: many owners' phones from one client (code pumping) stop at the limit
    answers = [send(client, f"1370000000{i}", REMOTE_ADDR="10.0.0.9").content.decode() for i in range(4)]
    assert [too_many in a for a in answers] == [False, False, False, True]
    # overall, whatever the phone and the address
    cache.clear()
    settings.JIATI_SIGNIN_CODES_PER_HOUR = 2
    answers = [send(client, f"1360000000{i}", REMOTE_ADDR=f"10.0.2.{i}").content.decode() for i in range(3)]
    assert [too_many in a for a in answers] == [False, False, True]


def test_the_limits_read_the_client_address_behind_the_trusted_proxy(client, db, settings):
    settings.JIATI_SIGNIN_CODES_PER_ADDRESS_HOUR = 1
    settings.JIATI_TRUSTED_PROXIES = ["10.9.9.9"]
    too_many = "Too many codes were asked for"
    via_proxy = {"REMOTE_ADDR": "10.9.9.9"}
    assert too_many not in send(client, "13700000001", HTTP_X_FORWARDED_FOR="1.2.3.4", **via_proxy).content.decode()
    assert too_many not in send(client, "13700000002", HTTP_X_FORWARDED_FOR="5.6.7.8", **via_proxy).content.decode()
    assert too_many in send(client, "13700000003", HTTP_X_FORWARDED_FOR="1.2.3.4", **via_proxy).content.decode()


def test_an_abnormal_day_of_text_messages_alerts_the_platform_administrators(owner, settings, world, caplog):
    from jiati.accounts.models import Role
    from jiati.notifications.models import Notification
    from jiati.residents.otp import sms_volume_count

    settings.JIATI_SMS_ALARM_PER_DAY = 2
    admins = list(world.users.values())
    admins = [u for u in admins if u.role == Role.PLATFORM_ADMIN]
    assert admins
    with caplog.at_level("WARNING", logger="jiati.residents"):
        for _ in range(4):
            sms_volume_count()
    assert Notification.objects.filter(kind="sms_volume").count() == len(admins)  # once a day, not per message
    assert "abnormal" in caplog.text


def test_the_sign_in_returns_to_a_local_page_only(owner, client):
    send(client, owner.phone)
    response = verify(client, owner.phone, last_code(owner.phone), next="https://evil.example.com/")
    assert response["Location"] == reverse("portal:home")


def test_a_resident_user_account_reaches_the_portal_without_a_code(world, client_for):
    page = client_for(world.users["resident"]).get(reverse("portal:home"))
    assert page.status_code == 200 and world.users["resident"].owner.name in page.content.decode()


def test_an_owner_sharing_a_phone_signs_in_as_the_first_owner_of_it(owner, client):
    other = Owner.objects.exclude(pk=owner.pk).order_by("id").first()
    first = min(owner.pk, other.pk)
    Owner.objects.filter(pk=other.pk).update(phone=owner.phone)
    send(client, owner.phone)
    verify(client, owner.phone, last_code(owner.phone))
    assert client.session[SESSION_KEY] == first


def test_the_larger_text_switch_is_remembered_and_returns_to_the_page(client, db):
    login_url = reverse("portal:login")
    response = client.post(reverse("portal:text-size"), {"size": "large", "next": login_url})
    assert response.status_code == 302 and response["Location"] == login_url
    assert response.cookies["portal_text"]["max-age"] == 365 * 24 * 3600
    page = client.get(login_url).content.decode()
    assert 'class="text-large"' in page and 'value="normal"' in page
    client.post(reverse("portal:text-size"), {"size": "normal", "next": "https://evil.example.com/"})
    assert 'class="text-large"' not in client.get(login_url).content.decode()


def test_portal_pages_load_no_bootstrap_no_icon_font_and_stay_light(owner, client_for, world):
    """The page and everything it links stay far below 150 KB (the browser test measures the transfer too)."""
    from django.contrib.staticfiles import finders

    for page in (
        client_for(world.users["resident"]).get(reverse("portal:home")),
        Client().get(reverse("portal:login")),
    ):
        html = page.content.decode()
        assert "bootstrap" not in html and "bootstrap-icons" not in html and "<script" not in html
        linked = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
        size = len(page.content) + sum(Path(finders.find(name)).stat().st_size for name in linked)
        assert size < 150_000, size


def test_my_matters_gather_every_kind_with_what_waits_for_me_on_top(owner, world, client):
    from jiati.consent import services as consent_services
    from jiati.consultation.models import ReplyMethod
    from jiati.consultation.services import petitions
    from jiati.pool import services as pool_services
    from jiati.projects import services as project_services

    stairwell = world.stairwells["a1a"]
    project = project_services.project_open(actor=world.users["community"], stairwell=stairwell)
    objection = consent_services.objection_lodge(project=project, content="挡住采光", channel="online", owner=owner)
    petitions.petition_submit(
        actor=None,
        owner=owner,
        estate=world.estates["a1a"],
        petitioner_name=owner.name,
        reply_method=ReplyMethod.PORTAL,
        subject="施工噪音",
        content="晚上十点后仍在施工",
    )
    survey = pool_services.survey_open(actor=world.users["community"], stairwell=stairwell)
    session = client.session
    session[SESSION_KEY] = owner.pk
    session.save()

    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    matters = response.context["matters"]
    assert [m["url"] for m in matters] == [
        reverse("pool:portal-survey", args=[survey.pk]),  # waiting for his answer: first
        reverse("consent:my-objection", args=[objection.pk]),  # his objection (lodged outside a notice)
        reverse("consultation:portal-petition", args=[owner.petitions.get().pk]),
    ]
    assert [m["status"] for m in matters] == [
        "Waiting for your answer",
        "Waiting for an answer",
        "Received, acceptance to decide",
    ]
    page = response.content.decode()
    assert "My matters" in page and "施工噪音" in page
