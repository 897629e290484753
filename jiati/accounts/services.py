"""Writes on users: creation (demo, admin command) and API tokens."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from jiati.accounts.models import User
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_created, audit_record


@transaction.atomic
def user_create(*, actor, username: str, password: str | None, role: str, full_name: str = "", **units) -> User:
    user = User(username=username, role=role, full_name=full_name, **units)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_created(actor=actor, instance=user)
    return user


def api_token_get(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def api_token_rotate(*, user) -> Token:
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(actor=user, instance=user, action=AuditAction.EVENT, message="API token rotated")
    return token
