"""Backups and the restore drill, on the database the tests run on (SQLite, or PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from jiati.accounts.models import User
from jiati.audit.models import AuditEntry
from jiati.consent.models import BallotEntry
from jiati.ops.backups import DRILL_ALIAS, restore_drill
from jiati.subsidies.models import LedgerEntry, SubsidyApplication

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _drill_target_connections(monkeypatch, django_db_blocker):
    """Django's test case refuses connections to databases it was not told of; the drill opens one to its target."""
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", django_db_blocker._real_ensure_connection)


@pytest.fixture
def fresh_target(tmp_path):
    """An empty database of the same engine for the drill (dropped afterwards on PostgreSQL)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_drill"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backup(tmp_path):
    call_command("backup", output=tmp_path / "backups")
    [path] = [p for p in (tmp_path / "backups").iterdir() if p.suffix in {".dump", ".sqlite3"}]
    return path


@pytest.fixture
def ballots(world):
    """A vote with three ballots cast: a hash chain of three entries."""
    from jiati.consent.tests.conftest import cast_online, ensure_rule_sets, in_stage, open_vote, voters
    from jiati.projects import services as project_services
    from jiati.projects.models import Stage

    ensure_rule_sets()
    project = project_services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    vote = open_vote(in_stage(project, Stage.VOTE), world.users["community"])
    for voter, choice in zip(voters(vote)[:3], ["agree", "agree", "disagree"], strict=True):
        cast_online(vote, voter, choice)
    return vote


def test_backup_and_drill_restore_verify_everything(world, ballots, tmp_path, fresh_target, capsys):
    path = _backup(tmp_path)
    manifest = json.loads(path.with_name(path.name + ".json").read_text())
    assert manifest["tables"]["accounts_user"] == User.objects.count()
    assert manifest["audit_entries"] == AuditEntry.objects.count()
    assert path.suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")
    call_command("restore_drill", str(path), target=fresh_target)
    out = capsys.readouterr().out
    assert "restore drill passed" in out
    assert f"{AuditEntry.objects.count()} audit entries" in out
    assert "1 votes (3 ballots) chained" in out


def test_the_drill_refuses_a_target_that_is_not_empty(world, tmp_path, fresh_target):
    path = _backup(tmp_path)
    call_command("restore_drill", str(path), target=fresh_target)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_drill", str(path), target=fresh_target)


def test_the_drill_reports_a_backup_that_lost_rows(world, tmp_path, fresh_target):
    path = _backup(tmp_path)
    manifest_path = path.with_name(path.name + ".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["accounts_user"] += 1  # the database had one more user than the backup holds
    manifest["audit_entries"] += 2
    manifest["ledger"]["ledger"] = "0.01"
    manifest_path.write_text(json.dumps(manifest))
    report = restore_drill(backup=path, target_url=fresh_target)
    assert not report.ok
    text = "\n".join(report.problems)
    assert "table accounts_user" in text
    assert "audit trail" in text
    assert "subsidy totals" in text


def test_the_drill_finds_a_broken_ballot_chain(ballots, tmp_path, fresh_target):
    entry = BallotEntry.objects.get(vote=ballots, sequence=2)
    with connection.cursor() as cursor:  # behind the append-only guard: a changed choice, as a bad disk or hand would
        cursor.execute(f"UPDATE {BallotEntry._meta.db_table} SET choice = 'disagree' WHERE id = %s", [entry.pk])  # noqa: S608
    report = restore_drill(backup=_backup(tmp_path), target_url=fresh_target)
    assert report.problems == [f"vote {ballots.pk}: the ballot hash chain breaks at entry 2"]


def test_the_drill_needs_the_manifest(tmp_path, fresh_target):
    path = _backup(tmp_path)
    path.with_name(path.name + ".json").unlink()
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore_drill", str(path), target=fresh_target)


def test_drill_alias_is_gone_afterwards(world, tmp_path, fresh_target):
    from django.db import connections

    restore_drill(backup=_backup(tmp_path), target_url=fresh_target)
    assert DRILL_ALIAS not in connections.settings


def test_ledger_totals_are_exact_decimals():
    from jiati.ops.backups import ledger_totals

    assert ledger_totals("default") == {"ledger": "0.00", "applications_paid": "0.00", "budgets_paid": "0.00"}
    assert not LedgerEntry.objects.exists() and not SubsidyApplication.objects.exists()
    assert Decimal(ledger_totals("default")["ledger"]) == 0
