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
from jiati.subsidies.tests.conftest import budgets, policies  # noqa: F401 - fixtures of `approved`
from jiati.subsidies.tests.test_payments import approved, pay  # noqa: F401 - `approved` is a fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _drill_target_connections(monkeypatch, django_db_blocker):
    """Django's test case refuses connections to databases it was not told of; the drill opens one to its target."""
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", django_db_blocker._real_ensure_connection)


@pytest.fixture
def new_target(tmp_path):
    """Makes empty databases of the test database's engine for the drill (dropped afterwards on PostgreSQL)."""
    made = []

    def make() -> str:
        made.append(f"{connection.settings_dict['NAME']}_drill{len(made)}")
        if connection.vendor == "sqlite":
            return f"sqlite:///{tmp_path / f'restored{len(made)}.sqlite3'}"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{made[-1]}"')
            cursor.execute(f'CREATE DATABASE "{made[-1]}"')
        db = connection.settings_dict
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{made[-1]}"

    yield make
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in made:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_target(new_target):
    return new_target()


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


def test_the_drill_reconciles_the_subsidy_ledger_to_the_fen(world, request, tmp_path, new_target):
    application = request.getfixturevalue("approved")
    pay(world, application, "50000", "V-001")
    report = restore_drill(backup=_backup(tmp_path), target_url=new_target())
    assert report.ok, report.problems
    assert report.ledger_entries == 1
    with connection.cursor() as cursor:  # one fen more on the file than the ledger holds
        cursor.execute(
            f"UPDATE {SubsidyApplication._meta.db_table} SET paid_amount = paid_amount + 0.01 WHERE id = %s",  # noqa: S608
            [application.pk],
        )
    report = restore_drill(backup=_backup(tmp_path / "second"), target_url=new_target())
    assert f"subsidy application {application.pk}: ledger 50000.00, paid 50000.01" in report.problems
    assert "the ledger sums to 50000.00, the applications' paid amounts to 50000.01" in report.problems
    assert any(problem.endswith("applications paid 50000.01, budget paid 50000.00") for problem in report.problems)
