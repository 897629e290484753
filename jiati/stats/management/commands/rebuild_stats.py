"""Rebuild every summary row from the live tables: after a bulk load, or to repair by hand."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from jiati.stats import services


class Command(BaseCommand):
    help = "Rebuild the dashboards' summaries from the live data."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = services.rebuild_all()
        self.stdout.write(f"{rows:,} summary rows in {time.perf_counter() - started:,.1f} s")
