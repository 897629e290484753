"""Daily sweeps, run once a day from cron (`0 6 * * * manage.py run_daily`): overdue projects, petition
escalation, subsidy reminders… Each app offers `<app>/daily.py: run_daily() -> dict[str, int]`."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            if not config.name.startswith("jiati."):
                continue
            try:
                module = import_module(f"{config.name}.daily")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.daily":
                    raise
                continue
            for name, count in module.run_daily().items():
                self.stdout.write(f"{config.label}.{name}: {count}")
