"""Real processes for the Redis proofs: an RQ worker and gunicorn, on the test database and the machine's Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

# The machine's Redis; each test takes a database number of its own (13–15), so tests running side by side
# (pytest-xdist) neither see nor clear each other's keys, nor anyone else's.
REDIS_SERVER = os.environ.get("JIATI_TEST_REDIS", "redis://127.0.0.1:6379")
BASE_DIR = Path(settings.BASE_DIR)


def redis_url(db: int) -> str:
    return f"{REDIS_SERVER}/{db}"


def redis_or_skip(db: int):
    """Redis database `db`, emptied; the test is skipped where no Redis answers (a developer machine without one)."""
    import redis

    url = redis_url(db)
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    client.flushdb()
    return client


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(redis_db: int, **extra) -> dict:
    """The production settings (jiati.settings, not the test settings) on the test database and the test Redis.

    JIATI_TESTING only keeps static files unhashed (nothing is collected here) and cookies sendable over plain HTTP.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiati.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url(redis_db),
        "SECRET_KEY": "redis-proof-" + "x" * 50,
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "JIATI_TESTING": "1",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JIATI_NOTIFICATION_CHANNELS": "console",
        "LOG_FORMAT": "text",
    }
    env.pop("TASKS_BACKEND", None)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(args: list[str], env: dict, log: Path):
    """Start a process (its output in `log`), yield it, and stop it (SIGTERM, then SIGKILL) whatever happens."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _descendants(pid: int) -> list[int]:
    """The processes under `pid` (Linux /proc): an RQ worker's forked job runs in a process group of its own."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process) -> None:
    """SIGKILL the process and everything under it at once, as a lost machine or a killed container would."""
    for pid in [process.pid, *_descendants(process.pid)]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=20)


def wait_for(condition, *, timeout: float, what: str, process=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.5)
    output = log.read_text(errors="replace")[-3000:] if log else ""
    pytest.fail(f"{what} did not happen within {timeout} s\n{output}")


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def gunicorn(*args: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "jiati.wsgi", *args]
