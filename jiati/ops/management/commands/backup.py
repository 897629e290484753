"""Back up the database: a PostgreSQL custom-format dump, or SQLite's online copy, with its manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiati.ops.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Writes a backup of the database (and its manifest, <file>.json) into a directory (default var/backups)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path(settings.VAR_DIR) / "backups")

    def handle(self, *args, output, **options):
        try:
            path = backup_create(directory=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path} ({path.stat().st_size / 1e6:.1f} MB); manifest {path.name}.json")
        self.stdout.write("Keep it with MEDIA_ROOT (documents, signed forms) and, embedded, var/secret_key.")
