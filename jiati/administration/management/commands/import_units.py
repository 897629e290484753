"""Import community workstations and property offices from an .xlsx or .csv file."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiati.administration.management.commands._tables import run_table
from jiati.administration.units import units_import


class Command(BaseCommand):
    help = (
        "Import units (columns: 类型, 社区代码, 名称[, 物业服务中心编码, 物业公司, 地址, 电话, 设窗口]). "
        "Checks only, unless --apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="save (all or nothing) instead of only checking")

    def handle(self, *args, file: str, apply: bool, **options):
        run_table(self, run=lambda **kw: units_import(actor=None, **kw), path=file, apply=apply)
