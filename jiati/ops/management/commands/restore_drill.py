"""The restore drill: load a backup into a fresh database and prove it whole (docs/deployment.md, "Backups")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiati.ops.backups import BackupError, restore_drill


class Command(BaseCommand):
    help = (
        "Restores a backup (from `backup`) into an EMPTY database and verifies row counts per table, every vote's "
        "ballot hash chain, the subsidy ledger to the fen and the audit trail's count. Exits 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the .dump or .sqlite3 file (its .json manifest beside it)")
        parser.add_argument(
            "--target",
            required=True,
            help="the fresh database: postgres://…/jiati_restore (created, empty) or sqlite:////path/new.sqlite3",
        )

    def handle(self, *args, backup, target, **options):
        try:
            report = restore_drill(backup=backup, target_url=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {report.tables} tables, {report.rows} rows in {report.restore_seconds:.1f} s; "
            f"verified in {report.verify_seconds:.1f} s: {report.votes} votes ({report.ballots} ballots) chained, "
            f"{report.ledger_entries} ledger entries reconciled, {report.audit_entries} audit entries"
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  ✗ {problem}")
            raise CommandError(f"the restore drill found {len(report.problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS("restore drill passed"))
