"""bin/setup on a fresh machine: the embedded installation keeps a generated key; production still needs SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def manage(var_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "JIATI_TESTING", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, "JIATI_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_embedded_key_from_var_lets_commands_run_and_check_deploy_stays_clean(tmp_path):
    refused = manage(tmp_path, "check")
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr
    (tmp_path / "secret_key").write_text("k" * 20 + "embedded-secret-generated-by-bin-setup-0123456789\n")
    checked = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stderr


def test_a_production_database_still_needs_secret_key(tmp_path):
    (tmp_path / "secret_key").write_text("k" * 70)
    refused = manage(tmp_path, "check", DATABASE_URL="postgres://postgres@127.0.0.1:5432/jiati_admin")
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr
