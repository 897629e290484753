"""Load the administrative divisions (12-digit statistical codes) from an .xlsx or .csv file."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiati.administration.divisions import divisions_load
from jiati.administration.management.commands._tables import run_table


class Command(BaseCommand):
    help = "Load divisions (columns: 统计用区划代码/code, 名称/name). Checks only, unless --apply."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="save (all or nothing) instead of only checking")

    def handle(self, *args, file: str, apply: bool, **options):
        run_table(self, run=lambda **kw: divisions_load(actor=None, **kw), path=file, apply=apply)
