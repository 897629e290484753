"""user_create: the service the administration pages will call to open a login (no caller yet)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiati.accounts.models import Role, User
from jiati.accounts.services import user_create
from jiati.audit.models import AuditEntry


def test_user_create_saves_an_audited_login_with_its_unit(world):
    user = user_create(
        actor=world.users["admin"],
        username="new_staff",
        password="a-long-password-2026",
        role=Role.COMMUNITY,
        full_name="新同事",
        region=world.regions["A1a"],
    )
    user.refresh_from_db()
    assert (user.role, user.region_id, user.full_name) == (Role.COMMUNITY, world.regions["A1a"].pk, "新同事")
    assert user.check_password("a-long-password-2026")
    assert AuditEntry.objects.filter(object_id=str(user.pk), action="create", actor=world.users["admin"]).exists()


def test_user_create_without_a_password_leaves_it_unusable(world):
    user = user_create(actor=world.users["admin"], username="no_password", password=None, role=Role.RESIDENT)
    assert not user.has_usable_password()


def test_user_create_refuses_a_region_role_without_its_region(world):
    before = User.objects.count()
    with pytest.raises(ValidationError):
        user_create(actor=world.users["admin"], username="nowhere", password=None, role=Role.SUBDISTRICT)
    assert User.objects.count() == before
