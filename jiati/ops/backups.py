"""Backups and the restore drill: a backup is only as good as a restore that was checked.

`backup_create` writes a PostgreSQL custom-format dump (pg_dump, taken in an exported snapshot) or an online copy of
the embedded SQLite database, with a manifest beside it: row counts per table and the ledger's totals, read in the
very snapshot the dump holds. `restore_drill` loads a backup into a fresh, empty database and verifies it against
the manifest and against itself: every vote's ballot hash chain, the subsidy ledger reconciling to the fen with
each application's paid amount and each budget's, and the audit trail's count.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.consent.chain import verify_chain
from jiati.consent.models import Vote
from jiati.subsidies.models import Budget, LedgerEntry, SubsidyApplication

DRILL_ALIAS = "restore_drill"
FEN = Decimal("0.01")


def _fen(value) -> Decimal:
    """An amount to the fen (SQLite's sums come back as 50000 or 50000.0100000000)."""
    return Decimal(value or 0).quantize(FEN)


class BackupError(Exception):
    """The backup or the drill cannot go on (a tool failed, a target holds data); the message says why."""


def _pg_env(settings_dict: dict) -> dict:
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _quote(conn, name: str) -> str:
    return conn.ops.quote_name(name)


def table_counts(conn) -> dict[str, int]:
    """Rows in each of the database's tables (Django's and the apps', whatever introspection lists)."""
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        counts = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(conn, table)}")  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def ledger_totals(alias: str) -> dict[str, str]:
    """The ledger's sum and the applications' and budgets' paid sums, as exact decimal strings (to the fen)."""

    def total(queryset, column):
        return str(_fen(queryset.aggregate(s=Sum(column))["s"]))

    return {
        "ledger": total(LedgerEntry.objects.using(alias), "amount"),
        "applications_paid": total(SubsidyApplication.objects.using(alias), "paid_amount"),
        "budgets_paid": total(Budget.objects.using(alias), "paid"),
    }


def _manifest(conn, alias: str) -> dict:
    return {
        "vendor": conn.vendor,
        "taken_at": timezone.now().isoformat(),
        "tables": table_counts(conn),
        "ledger": ledger_totals(alias),
        "audit_entries": AuditEntry.objects.using(alias).count(),
        "votes": Vote.objects.using(alias).count(),
    }


def backup_create(*, directory: Path) -> Path:
    """Write a backup of the default database into `directory`; returns its path (the manifest is `<path>.json`)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        path = directory / f"jiati-{stamp}.dump"
        with connection.cursor() as cursor:
            connection.set_autocommit(False)
            try:
                # The dump and the manifest read one snapshot: the counts are those of the dump, to the row.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                manifest = _manifest(connection, "default")
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot}",
                        f"--file={path}",
                        db["NAME"],
                    ],
                    _pg_env(db),
                )
            finally:
                connection.rollback()
                connection.set_autocommit(True)
    elif connection.vendor == "sqlite":
        path = directory / f"jiati-{stamp}.sqlite3"
        # SQLite's online backup: a consistent copy while the web server and the worker keep writing.
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(path) as copy:
            source.backup(copy)
        connections.settings[DRILL_ALIAS] = _alias_settings(f"sqlite:///{path}")
        try:
            manifest = _manifest(connections[DRILL_ALIAS], DRILL_ALIAS)
        finally:
            _close_alias()
    else:
        raise BackupError(f"no backup for the {connection.vendor} database")
    manifest["file"] = path.name
    Path(f"{path}.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return path


def _alias_settings(url: str) -> dict:
    # configure_settings fills in Django's defaults; it wants the default database beside the new one.
    configured = connections.configure_settings(
        {"default": dict(connection.settings_dict), DRILL_ALIAS: dj_database_url.parse(url)}
    )
    return configured[DRILL_ALIAS]


def _close_alias() -> None:
    if DRILL_ALIAS in connections.settings:
        connections[DRILL_ALIAS].close()
        del connections[DRILL_ALIAS]
        del connections.settings[DRILL_ALIAS]


@dataclass
class DrillReport:
    restore_seconds: float = 0.0
    verify_seconds: float = 0.0
    tables: int = 0
    rows: int = 0
    votes: int = 0
    ballots: int = 0
    ledger_entries: int = 0
    audit_entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _refuse_non_empty(target_url: str) -> None:
    conn = connections[DRILL_ALIAS]
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables): a restore drill loads into a fresh database only"
        )


def _restore(backup: Path, target_url: str) -> None:
    target = connections.settings[DRILL_ALIAS]
    if backup.suffix == ".dump":
        if connections[DRILL_ALIAS].vendor != "postgresql":
            raise BackupError("a PostgreSQL dump restores into a PostgreSQL database")
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target['NAME']}", str(backup)],
            _pg_env(target),
        )
    else:
        if connections[DRILL_ALIAS].vendor != "sqlite":
            raise BackupError("an SQLite backup restores into an SQLite file")
        connections[DRILL_ALIAS].close()
        shutil.copyfile(backup, target["NAME"])


def _verify(manifest: dict, report: DrillReport) -> None:
    conn = connections[DRILL_ALIAS]
    counts = table_counts(conn)
    report.tables, report.rows = len(counts), sum(counts.values())
    for table in sorted(set(counts) | set(manifest["tables"])):
        if counts.get(table) != manifest["tables"].get(table):
            report.problems.append(
                f"table {table}: {counts.get(table)} rows restored, {manifest['tables'].get(table)} backed up"
            )
    for vote in Vote.objects.using(DRILL_ALIAS).order_by("pk").iterator():
        check = verify_chain(vote)
        report.votes += 1
        report.ballots += check.length
        if not check.ok:
            report.problems.append(f"vote {vote.pk}: the ballot hash chain breaks at entry {check.broken_at}")
    totals = ledger_totals(DRILL_ALIAS)
    if totals != manifest["ledger"]:
        report.problems.append(f"subsidy totals {totals} differ from the backup's {manifest['ledger']}")
    if totals["ledger"] != totals["applications_paid"]:
        report.problems.append(
            f"the ledger sums to {totals['ledger']}, the applications' paid amounts to {totals['applications_paid']}"
        )
    by_application = dict(
        LedgerEntry.objects.using(DRILL_ALIAS)
        .values("application")
        .annotate(s=Sum("amount"))
        .values_list("application", "s")
    )
    for pk, paid in SubsidyApplication.objects.using(DRILL_ALIAS).values_list("pk", "paid_amount"):
        if _fen(by_application.get(pk)) != _fen(paid):
            report.problems.append(
                f"subsidy application {pk}: ledger {_fen(by_application.get(pk))}, paid {_fen(paid)}"
            )
    by_budget = dict(
        SubsidyApplication.objects.using(DRILL_ALIAS)
        .filter(budget__isnull=False)
        .values("budget")
        .annotate(s=Sum("paid_amount"))
        .values_list("budget", "s")
    )
    for pk, paid in Budget.objects.using(DRILL_ALIAS).values_list("pk", "paid"):
        if _fen(by_budget.get(pk)) != _fen(paid):
            report.problems.append(
                f"budget {pk}: applications paid {_fen(by_budget.get(pk))}, budget paid {_fen(paid)}"
            )
    report.ledger_entries = LedgerEntry.objects.using(DRILL_ALIAS).count()
    report.audit_entries = AuditEntry.objects.using(DRILL_ALIAS).count()
    if report.audit_entries != manifest["audit_entries"]:
        report.problems.append(
            f"audit trail: {report.audit_entries} entries restored, {manifest['audit_entries']} backed up"
        )


def restore_drill(*, backup: Path, target_url: str) -> DrillReport:
    """Load `backup` into the empty database at `target_url` and verify it; refuses a target that holds tables."""
    manifest_path = Path(f"{backup}.json")
    if not backup.is_file() or not manifest_path.is_file():
        raise BackupError(f"{backup} and its manifest {manifest_path.name} are both needed")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    connections.settings[DRILL_ALIAS] = _alias_settings(target_url)
    report = DrillReport()
    try:
        _refuse_non_empty(target_url)
        started = time.perf_counter()
        _restore(backup, target_url)
        report.restore_seconds = time.perf_counter() - started
        started = time.perf_counter()
        _verify(manifest, report)
        report.verify_seconds = time.perf_counter() - started
    finally:
        _close_alias()
    return report
