"""What the table-loading commands share: run a check or an apply and print each rejected row."""

from __future__ import annotations

from django.core.management.base import CommandError

from jiati.administration.tables import TableError


def run_table(command, *, run, path: str, apply: bool) -> None:
    try:
        result = run(path=path, name=path, dry_run=not apply)
    except TableError as exc:
        raise CommandError(str(exc)) from exc
    for error in result.errors:
        command.stderr.write(f"row {error.row}, {error.column}: {error.message}")
    if result.errors:
        raise CommandError(f"{len(result.errors)} rejected rows; nothing was saved.")
    counts = {k: v for k, v in vars(result).items() if isinstance(v, int) and not isinstance(v, bool)}
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    if apply:
        command.stdout.write(command.style.SUCCESS(f"Applied: {summary}."))
    else:
        command.stdout.write(f"Checked, nothing saved ({summary}). Run again with --apply to save.")
