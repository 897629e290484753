"""Create staff and company logins from an .xlsx or .csv file; each person receives a one-time link."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiati.administration.management.commands._tables import run_table
from jiati.administration.services import staff_import


class Command(BaseCommand):
    help = "Create logins (columns: 姓名, 手机号, 角色, 单位代码[, 登录名, 单位管理员]). Checks only, unless --apply."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="save (all or nothing) instead of only checking")

    def handle(self, *args, file: str, apply: bool, **options):
        run_table(self, run=lambda **kw: staff_import(actor=None, **kw), path=file, apply=apply)
