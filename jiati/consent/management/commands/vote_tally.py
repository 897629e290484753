"""Tally a paper vote from a spreadsheet, without setting anything up.

    manage.py vote_tally FILE [--rule civil-code-278] [--round N] [--json]

FILE is a .csv or .xlsx whose header row is `dwelling,owner,area,choice` (or `房号,业主,面积,意见`);
`owner` identifies the owner (the same value on several rows is one owner), `choice` is one of
agree, disagree, abstain, absent (同意, 不同意, 弃权, 未参与). Abstaining counts as taking part without
agreeing. Bad input exits non-zero, naming the row; nothing is recorded either way.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiati.consent.rules import DEFAULT_RULE, find_spec, known_rule_labels
from jiati.consent.tally import TallyInputError, tally_file


class Command(BaseCommand):
    help = __doc__
    requires_system_checks: list = []  # a quick command: start-up time counts
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv or .xlsx with the header dwelling,owner,area,choice")
        parser.add_argument(
            "--rule", default=DEFAULT_RULE, help="Rule set code, optionally @version (default: %(default)s)."
        )
        parser.add_argument("--round", type=int, default=None, help="Round of a multi-round rule set (default 1).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, file: str, rule: str, round: int | None, json: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            spec = find_spec(rule, round)
        except LookupError:
            raise CommandError(
                _("Unknown rule set “%(rule)s” (known: %(known)s).")
                % {"rule": rule, "known": ", ".join(known_rule_labels())}
            ) from None
        try:
            verdict = tally_file(path, path.name, spec)
        except TallyInputError as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_json_dumps(verdict.as_json()))
            return
        self._print(verdict)

    def _print(self, verdict) -> None:
        c = verdict.counts
        spec = verdict.spec
        self.stdout.write(
            _("Rule set: %(name)s (%(label)s), round %(round)s")
            % {"name": spec.name, "label": spec.label, "round": spec.round_number}
        )
        self.stdout.write(
            _("Owners: %(total)s, participating %(participating)s, agreeing %(agreeing)s")
            % {"total": c.owners_total, "participating": c.owners_participating, "agreeing": c.owners_agreeing}
        )
        self.stdout.write(
            _("Exclusive area (m²): %(total)s, participating %(participating)s, agreeing %(agreeing)s")
            % {"total": c.area_total, "participating": c.area_participating, "agreeing": c.area_agreeing}
        )
        for test in verdict.tests:
            mark = "✓" if test.passed else "✗"
            self.stdout.write(f"  {mark} {test.label()}: {test.ratio_text} ≥ {test.threshold_text}")
        if spec.no_objection_from_others:
            self.stdout.write(_("  ? No objection from other owners: not in the file; check it separately."))
        if verdict.passed:
            self.stdout.write(self.style.SUCCESS(_("Result: passed")))
        else:
            self.stdout.write(self.style.ERROR(_("Result: not passed")))
            if verdict.needed.text():
                self.stdout.write(_("Still needed: %(needed)s") % {"needed": verdict.needed.text()})


def _json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
