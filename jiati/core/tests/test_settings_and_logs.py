"""Production safety that lives in settings: no start without SECRET_KEY, and logs (tracebacks included) redacted."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from jiati.core.personal_data import RedactingLogFilter

ROOT = Path(__file__).resolve().parents[3]


def _load_settings(env: dict, argv: list[str] | None = None) -> subprocess.CompletedProcess:
    """Import jiati.settings in a fresh interpreter with exactly these variables (and this sys.argv)."""
    code = f"import sys; sys.argv = {argv or ['gunicorn']!r}; import jiati.settings as s; print(len(s.SECRET_KEY))"
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "JIATI_TESTING"}}
    clean["JIATI_VAR_DIR"] = tempfile.mkdtemp()  # no embedded key that bin/setup may have generated in var/
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("env", "argv"),
    [
        ({"SECRET_KEY": "x" * 60, "SITE_URL": "https://jiati.example.org"}, None),  # production
        ({"DEBUG": "1"}, None),  # the demo (bin/demo)
        ({"JIATI_TESTING": "1"}, None),  # tests and bin/test's checks
        ({}, ["manage.py", "makemigrations", "--check"]),  # build steps that sign nothing
        ({}, ["manage.py", "compilemessages"]),
    ],
)
def test_the_demo_tests_and_build_steps_start_without_one(env, argv):
    result = _load_settings(env, argv)
    assert result.returncode == 0, result.stderr


def _log_through_filter(emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingLogFilter())
    logger = logging.getLogger("jiati.tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_tracebacks_are_redacted():
    def emit(logger):
        try:
            raise ValueError("owner 11010519491231002X, phone 13812345678")
        except ValueError:
            logger.exception("import failed for 11010519491231002X")

    text = _log_through_filter(emit)
    assert "Traceback" in text and "ValueError" in text
    assert "11010519491231002X" not in text and "13812345678" not in text
    assert "110*************2X" in text and "138****5678" in text


def test_stack_info_is_redacted():
    text = _log_through_filter(lambda logger: logger.warning("phone %s", "13812345678", stack_info=True))
    assert "13812345678" not in text and "138****5678" in text


def test_djangos_own_loggers_go_through_the_redacting_handler():
    assert logging.getLogger("django").handlers == [] and logging.getLogger("django").propagate
    for name in ("django.server", ""):
        handlers = logging.getLogger(name or None).handlers
        assert any(isinstance(f, RedactingLogFilter) for h in handlers for f in h.filters), name
