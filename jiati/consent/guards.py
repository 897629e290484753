"""The stage guards this app registers (apps.py): what must be true to leave the vote and notice stages,
in plain words — including, for a vote that has not passed, what is still needed."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiati.consent import selectors
from jiati.consent.models import Objection, Scope


def guard_vote(project) -> list[str]:
    """Leaving the vote stage needs every round of the current rule set decided by a closed, passed vote."""
    vote, rounds = selectors.consent_rounds(project)
    if vote is None:
        return [_("No owners' vote has been held.")]
    for item in rounds:
        rule_round, decision, open_vote = item["round"], item["decision"], item["open"]
        if decision is not None and decision.passed:
            continue
        label = vote.rule_set.shown_name
        if len(rounds) > 1:
            label = _("%(rule)s, round %(round)s (%(scope)s)") % {
                "rule": vote.rule_set.shown_name,
                "round": rule_round.number,
                "scope": Scope(rule_round.scope).label,
            }
        if open_vote is not None:
            verdict = selectors.vote_verdict(open_vote, memo=project)
            when = date_format(timezone.localtime(open_vote.closes_at), "Y-m-d H:i")
            if verdict.passed:
                return [
                    _("The owners' vote (%(rule)s) is open until %(time)s; close it to record the result.")
                    % {"rule": label, "time": when}
                ]
            return [
                _("The owners' vote (%(rule)s) is open until %(time)s. Still needed to pass: %(needed)s.")
                % {"rule": label, "time": when, "needed": verdict.needed.text()}
            ]
        if decision is None:
            return [_("The owners' vote (%(rule)s) has not been held.") % {"rule": label}]
        verdict = selectors.vote_verdict(decision, memo=project)
        return [
            _("The owners' vote (%(rule)s) closed on %(date)s without passing. Still needed: %(needed)s.")
            % {
                "rule": label,
                "date": date_format(timezone.localtime(decision.closed_at), "Y-m-d"),
                "needed": verdict.needed.text() or "—",
            }
        ]
    return []


def guard_notice(project) -> list[str]:
    """Leaving the notice stage needs a notice whose period has ended and every objection answered and closed."""
    missing = []
    notice = selectors.current_notice(project)
    if notice is None:
        missing.append(_("No public notice has been posted."))
    elif not notice.has_ended:
        missing.append(_("The public notice runs until %(date)s.") % {"date": date_format(notice.ends_on, "Y-m-d")})
    unresolved = Objection.objects.filter(project=project).unresolved()
    waiting = unresolved.filter(status="open").count()
    answered = unresolved.filter(status="answered").count()
    if waiting:
        missing.append(
            ngettext("%(n)s objection has not been answered.", "%(n)s objections have not been answered.", waiting)
            % {"n": waiting}
        )
    if answered:
        missing.append(
            ngettext(
                "%(n)s answered objection is not closed yet.", "%(n)s answered objections are not closed yet.", answered
            )
            % {"n": answered}
        )
    return missing
