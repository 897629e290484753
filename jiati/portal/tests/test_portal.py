"""The resident portal: signing in with a one-time code, the home page of the signed-in owner, signing out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.housing.models import Owner
from jiati.notifications.channels import ConsoleSmsSender
from jiati.residents.auth import SESSION_KEY
from jiati.residents.models import OneTimeCode


@pytest.fixture
def owner(world):
    owner = world.users["resident"].owner
    owner.phone = "13800138000"
    owner.save(update_fields=["phone"])
    return owner


def last_code(phone: str) -> str:
    text = next(t for p, t in reversed(ConsoleSmsSender.sent) if p == phone)
    return re.search(r"\d{6}", text).group(0)


def send(client, phone: str, **extra):
    return client.post(reverse("portal:login"), {"send": "1", "phone": phone, **extra})


def verify(client, phone: str, code: str, **extra):
    return client.post(reverse("portal:login"), {"verify": "1", "phone": phone, "code": code, **extra})


def test_the_portal_sends_strangers_to_the_code_sign_in(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={reverse('portal:home')}"


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
    assert client.get(reverse("portal:home")).status_code == 302


def test_an_unknown_number_gets_no_code_and_is_told_where_to_go(db, world, client):
    response = send(client, "13900000000")
    assert "not on any owner" in response.content.decode()
    assert not OneTimeCode.objects.exists()


def test_a_wrong_code_counts_and_says_how_many_tries_are_left(owner, client):
    send(client, owner.phone)
    right = last_code(owner.phone)
    wrong = "000000" if right != "000000" else "111111"
    page = verify(client, owner.phone, wrong).content.decode()
    assert "4 tries left" in page and SESSION_KEY not in client.session
    assert OneTimeCode.objects.get(phone=owner.phone).attempts == 1


def test_a_code_works_once_and_not_after_it_expired(owner, client):
    send(client, owner.phone)
    code = last_code(owner.phone)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "expired" in verify(client, owner.phone, code).content.decode()
    assert SESSION_KEY not in client.session


def test_a_second_code_within_a_minute_is_refused(owner, client):
    send(client, owner.phone)
    page = send(client, owner.phone).content.decode()
    assert "less than a minute ago" in page and OneTimeCode.objects.count() == 1


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
