"""Writes on owner consent. Views, the API, commands, the demo and tests all call these.

- votes: `vote_open`, `ballot_cast`, `ballot_stack_record` (a stack of paper ballots at once),
  `vote_send_code`, `vote_identify`, `vote_close`, `vote_cancel`;
- notices: `notice_post`, `notice_withdraw`, `objection_lodge`, `objection_answer`, `objection_escalate`,
  `objection_close`;
- cost sharing: `cost_scheme_create`, `cost_scheme_recalculate`;
- rule sets: `rule_set_create` (a new version; versions are never edited).
"""

from jiati.consent.services.ballot_stack import ballot_stack_record, ballot_stack_submit, ballot_stack_sweep, form_code
from jiati.consent.services.cost_sharing import cost_scheme_create, cost_scheme_recalculate, stairwell_units
from jiati.consent.services.notices import (
    notice_last_day,
    notice_post,
    notice_url,
    notice_withdraw,
    objection_answer,
    objection_close,
    objection_escalate,
    objection_lodge,
    objection_url,
)
from jiati.consent.services.rule_sets import parse_threshold, rule_set_create, rule_set_rounds_data
from jiati.consent.services.votes import (
    VOTE_PURPOSE,
    Cast,
    Identity,
    ballot_cast,
    default_rule_set,
    vote_cancel,
    vote_close,
    vote_identify,
    vote_open,
    vote_send_code,
    vote_url,
)

__all__ = [
    "VOTE_PURPOSE",
    "Cast",
    "Identity",
    "ballot_cast",
    "ballot_stack_record",
    "ballot_stack_submit",
    "ballot_stack_sweep",
    "cost_scheme_create",
    "cost_scheme_recalculate",
    "default_rule_set",
    "form_code",
    "notice_last_day",
    "notice_post",
    "notice_url",
    "notice_withdraw",
    "objection_answer",
    "objection_close",
    "objection_escalate",
    "objection_lodge",
    "objection_url",
    "parse_threshold",
    "rule_set_create",
    "rule_set_rounds_data",
    "stairwell_units",
    "vote_cancel",
    "vote_close",
    "vote_identify",
    "vote_open",
    "vote_send_code",
    "vote_url",
]
