"""Where signing in on the staff page lands (issue 13: a resident landed on an empty staff workbench)."""

from __future__ import annotations

from django.urls import reverse

PASSWORD = "pass-Word-2026"


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_resident_signing_in_on_the_staff_page_lands_on_the_portal(world, client):
    with_password(world.users["resident"])
    response = client.post(reverse("accounts:login"), {"username": "resident", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("core:home"))["Location"] == reverse("portal:home")


def test_staff_still_land_on_their_workbench(world, client):
    with_password(world.users["community"])
    response = client.post(reverse("accounts:login"), {"username": "community", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")


def test_the_site_has_its_own_icon(world, client):
    from django.contrib.staticfiles import finders

    assert finders.find("jiati/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("jiati/favicon.svg")
    assert 'rel="icon"' in client.get(reverse("accounts:login")).content.decode()
