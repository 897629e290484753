"""Remove audit entries and sign-in records older than the retention period (at least six months); audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiati.administration.records import records_purge


class Command(BaseCommand):
    help = "Delete audit entries and sign-in records older than JIATI_RETENTION_DAYS (never under 183 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep this many days (not fewer than the setting)")

    def handle(self, *args, days: int | None, **options):
        try:
            counts = records_purge(actor=None, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
