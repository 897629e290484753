"""Keep the Chinese translations complete: one catalogue per app (<app>/locale/zh_Hans/LC_MESSAGES/django.po).

manage.py translations            update every app's catalogue from the code, then list what is untranslated
manage.py translations --check    the same, but leave the files as they were (CI: fail if anything is missing)
manage.py translations --fill F   merge translations from a JSON file {"English": "中文", ...} into every catalogue
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

LANGUAGE = "zh_Hans"


def app_dirs() -> list[Path]:
    return [Path(c.path) for c in apps.get_app_configs() if c.name.startswith("jiati.") and c.name != "jiati.demo"]


def po_path(app_dir: Path) -> Path:
    return app_dir / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def make_messages(app_dir: Path) -> None:
    (app_dir / "locale").mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            str(Path(__file__).resolve().parents[4] / "manage.py"),
            "makemessages",
            "-l",
            LANGUAGE,
            "--no-obsolete",
            "--no-location",
            "-v",
            "0",
        ],
        cwd=app_dir,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "jiati.settings"},
    )


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Do not change the files; fail if incomplete.")
        parser.add_argument("--fill", help="A JSON file of translations to merge in.")
        parser.add_argument("--app", action="append", help="Only this app label (repeatable).")

    def handle(self, *args, check: bool, fill: str | None, app: list[str] | None, **options):
        missing_total = 0
        mapping = json.loads(Path(fill).read_text(encoding="utf-8")) if fill else {}
        for app_dir in app_dirs():
            if app and app_dir.name not in app:
                continue
            path = po_path(app_dir)
            original = path.read_bytes() if path.exists() else None
            make_messages(app_dir)
            if not path.exists():
                continue
            catalogue = polib.pofile(str(path))
            if mapping:
                for entry in catalogue:
                    if entry.msgid in mapping and (not entry.msgstr or "fuzzy" in entry.flags):
                        entry.msgstr = mapping[entry.msgid]
                        if entry.msgid_plural:
                            entry.msgstr_plural = {0: mapping.get(entry.msgid_plural, mapping[entry.msgid])}
                    if "fuzzy" in entry.flags and entry.msgstr:
                        entry.flags.remove("fuzzy")
                catalogue.save()
            missing = [
                e
                for e in catalogue
                if not e.obsolete and ("fuzzy" in e.flags or not (e.msgstr or any(e.msgstr_plural.values())))
            ]
            if missing:
                missing_total += len(missing)
                self.stdout.write(f"{app_dir.name}: {len(missing)} untranslated")
                for entry in missing[:200]:
                    self.stdout.write(f"    {entry.msgid!r}")
            if check:
                if original is None:
                    path.unlink()
                else:
                    path.write_bytes(original)
        if missing_total and check:
            raise CommandError(f"{missing_total} strings have no Chinese translation (run manage.py translations).")
        self.stdout.write(f"{missing_total} untranslated strings.")
