"""The first start: create a platform administrator and print the one-time link where they choose a password."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiati.accounts.models import Role
from jiati.administration.services import set_password_url, staff_create


class Command(BaseCommand):
    help = "Create a platform administrator; prints a one-time link to choose the password (no password is typed)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="full name")
        parser.add_argument("--phone", required=True, help="11-digit mobile number")
        parser.add_argument("--username", default="", help="login (default: the phone number)")

    def handle(self, *args, name: str, phone: str, username: str, **options):
        try:
            user = staff_create(actor=None, full_name=name, phone=phone, role=Role.PLATFORM_ADMIN, username=username)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Platform administrator {user.username} created."))
        self.stdout.write(f"Open this one-time link to choose the password:\n{set_password_url(user)}")
