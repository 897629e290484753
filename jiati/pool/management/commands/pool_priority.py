"""Recompute the stored priority of every stairwell (or of some communities) from the live rows: after a bulk load
that wrote rows directly, or to repair. The daily sweep (`run_daily`) catches birthdays and missing rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiati.pool.priority import priority_rebuild


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--community", type=int, action="append", help="Only this community (id); repeatable.")

    def handle(self, *args, **options):
        done = priority_rebuild(community_ids=options["community"])
        self.stdout.write(f"{done} stairwells scored.")
