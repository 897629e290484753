"""Accounts: creating users (audited), signing in and out, the API token on the profile, who sees personal data
in full, and who sees everything."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from jiati.accounts import services
from jiati.accounts.models import Role, User
from jiati.accounts.permissions import can_edit_organisation, can_import_housing, has_role, sees_personal_data
from jiati.accounts.scoping import sees_everything
from jiati.audit.models import AuditAction, AuditEntry


def test_user_create_hashes_the_password_and_is_audited(world):
    admin = world.users["admin"]
    user = services.user_create(
        actor=admin,
        username="new_community",
        password="a-long-enough-secret",
        role=Role.COMMUNITY,
        full_name="王小明",
        region=world.regions["A1a"],
    )
    assert user.check_password("a-long-enough-secret") and user.password != "a-long-enough-secret"
    entry = AuditEntry.objects.get(object_id=str(user.pk), action=AuditAction.CREATE)
    assert entry.actor == admin


def test_user_create_without_a_password_can_not_sign_in(world):
    user = services.user_create(
        actor=world.users["admin"],
        username="no_password",
        password=None,
        role=Role.DISTRICT_OFFICE,
        region=world.regions["A"],
    )
    assert not user.has_usable_password()


def test_user_create_refuses_a_role_without_its_unit_and_saves_nothing(world):
    with pytest.raises(ValidationError):
        services.user_create(actor=world.users["admin"], username="nowhere", password=None, role=Role.COMMUNITY)
    assert not User.objects.filter(username="nowhere").exists()
    assert not AuditEntry.objects.filter(object_repr__contains="nowhere").exists()


def test_sign_in_and_out(world, client):
    user = world.users["community"]
    user.set_password("a-long-enough-secret")
    user.save()
    response = client.post(reverse("accounts:login"), {"username": "community", "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:login"), {"username": "community", "password": "a-long-enough-secret"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    # Signed in, the sign-in page sends the user on instead of showing the form again.
    assert client.get(reverse("accounts:login")).status_code == 302
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_the_profile_rotates_the_api_token_and_the_old_one_stops_working(world, client_for):
    user = world.users["district"]
    client = client_for(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert services.api_token_get(user=user) is None
    response = client.post(reverse("accounts:token-rotate"), follow=True)
    first = Token.objects.get(user=user)
    assert first.key in response.content.decode()  # shown once, to copy
    client.post(reverse("accounts:token-rotate"))
    second = Token.objects.get(user=user)
    assert second.key != first.key
    api = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    assert api.get("/api/projects/projects/", HTTP_AUTHORIZATION=f"Token {first.key}").status_code == 401
    assert api.get("/api/projects/projects/", HTTP_AUTHORIZATION=f"Token {second.key}").status_code == 200
    assert AuditEntry.objects.filter(object_id=str(user.pk), message="API token rotated").count() == 2


def test_rotating_a_token_needs_a_post(world, client_for):
    client = client_for(world.users["district"])
    assert client.get(reverse("accounts:token-rotate")).status_code == 405
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("role", "id_number", "phone", "bank_account"),
    [
        ("admin", True, True, True),
        ("district", False, False, False),
        ("finance", False, False, True),
        ("subdistrict", False, True, False),
        ("community", True, True, False),
        ("property", False, True, False),
        ("contractor", False, False, False),
        ("maintainer", False, False, False),
        ("resident", False, False, False),
    ],
)
def test_who_sees_personal_data_in_full(world, role, id_number, phone, bank_account):
    user = world.users[role]
    assert (
        sees_personal_data(user, "id_number"),
        sees_personal_data(user, "phone"),
        sees_personal_data(user, "bank_account"),
    ) == (id_number, phone, bank_account)


def test_an_inactive_user_has_no_role_powers(world):
    user = world.users["community"]
    assert can_import_housing(user) and sees_personal_data(user, "phone")
    user.is_active = False
    assert not can_import_housing(user) and not sees_personal_data(user, "phone")
    assert not has_role(user, {Role.COMMUNITY})


def test_who_edits_the_organisation_and_who_sees_everything(world):
    assert [r for r in ("district", "subdistrict", "community", "admin") if can_edit_organisation(world.users[r])] == [
        "district",
        "subdistrict",
        "admin",
    ]
    assert [name for name, user in world.users.items() if sees_everything(user)] == ["admin"]
    superuser = world.users["district"]
    superuser.is_superuser = True
    assert sees_everything(superuser)
