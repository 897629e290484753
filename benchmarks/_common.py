"""Shared set-up for benchmark scripts: Django on the configured database, timing, peak memory."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MANAGE = str(ROOT / "manage.py")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiati.settings")
# Settings refuse to start without a key unless DEBUG is on (which would slow the runs): a throwaway one.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# A production database requires the site's address (printed on QR codes); any will do here.
os.environ.setdefault("SITE_URL", "http://localhost:8000")


def setup():
    import django

    django.setup()


PEAK_MARK = "PEAK_RSS_KB="
MANAGE_WITH_PEAK = (
    "import os, sys, resource; sys.path.insert(0, {root!r}); "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'jiati.settings'); import django; django.setup(); "
    "from django.core.management import call_command; call_command(*{args!r}); "
    # The command's own peak plus its largest child's (the bulk loader's writer process): an upper bound.
    "print('" + PEAK_MARK + "%d' % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))"
)


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a command; return (seconds, its own peak RSS in MB if it reports one, output)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - start
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    peak = 0.0
    lines = []
    for line in result.stdout.splitlines():
        if line.startswith(PEAK_MARK):
            peak = int(line[len(PEAK_MARK) :]) / 1024
        else:
            lines.append(line)
    return seconds, peak, "\n".join(lines)


def manage_with_peak(*args: str) -> list[str]:
    """A command line running one management command in a child that reports its own peak memory."""
    return [PYTHON, "-c", MANAGE_WITH_PEAK.format(root=str(ROOT), args=args)]


def fresh_postgres(url: str) -> None:
    """Drop and create the database named in a postgres:// URL."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
