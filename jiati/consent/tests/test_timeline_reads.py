"""Issue 18: the project page's timeline reads no database per entry. A closed vote's entry names its rule set (a
`Row`) and its figures (`Worked`: the tests, what was still needed); they are read once for the whole timeline
(`projects.selectors.timeline_events`, `core.stored_text.prepare`), worded from the result stored on each vote —
no ballot counted again — and the rule round, when an older result lacks it, read once and shared with the page's
consent panel and vote-stage guard (`core.read_once`)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jiati.consent import services
from jiati.consent.models import Vote
from jiati.consent.tests.conftest import cast_online, open_vote, voters
from jiati.consent.tests.test_services_votes import move_vote_deadline_to_past
from jiati.projects.selectors import timeline_events


def _closed_votes(project, actor, count: int) -> list[Vote]:
    """`count` votes held and closed on the project, the last one passed and the others not (each closed entry
    then names its rule set, its tests and, when it failed, what it still needed)."""
    closed = []
    for n in range(count):
        vote = open_vote(project, actor)
        passing = n == count - 1
        for voter in voters(vote)[: 12 if passing else 6]:
            cast_online(vote, voter, "agree")
        move_vote_deadline_to_past(vote)
        closed.append(services.vote_close(vote=vote, actor=actor))
    return closed


def _as_older_results(votes) -> None:
    """Results stored before the rule round was stored with them (as the demo's are): no "spec", no `rule_spec`."""
    for vote in votes:
        vote.result.pop("spec", None)
        Vote.objects.filter(pk=vote.pk).update(result=vote.result, rule_spec={})


def _sqls(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


def _read_timeline(project, user):
    return [event.text for event in timeline_events(project, user=user)]


@pytest.mark.parametrize("older", [False, True], ids=["stored-round", "older-results"])
def test_the_timeline_reads_the_same_queries_for_one_or_three_closed_votes(project, world, older):
    community = world.users["community"]
    _closed_votes(project, community, 1)
    if older:
        _as_older_results(Vote.objects.all())
    one = _sqls(lambda: _read_timeline(project, community))
    _closed_votes(project, community, 2)
    if older:
        _as_older_results(Vote.objects.all())
    three = _sqls(lambda: _read_timeline(project, community))
    assert len(three) == len(one)
    assert sum('FROM "consent_vote"' in q for q in three) == 1  # all the closed votes in one query
    # Every Row naming a rule set, read with the set's rounds (`rule_rounds`); without the page's memo (here) the
    # older results' rounds are read again for their tests.
    assert sum('"consent_ruleset"."id"' in q for q in three) == (2 if older else 1)
    assert sum('FROM "consent_ruletest"' in q for q in three) == (1 if older else 0)  # the round, once
    assert not [q for q in three if 'FROM "consent_ballot"' in q]  # no ballot counted again
    assert len(three) == (5 if older else 3)  # the events, the rule sets, the votes (older: the round, its tests)


def test_the_timeline_reads_as_each_entry_reads_on_its_own(project, world):
    community = world.users["community"]
    votes = _closed_votes(project, community, 2)
    for older in (False, True):
        if older:
            _as_older_results(votes)
        alone = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                alone[language] = [e.text for e in project.events.order_by("-at", "-id")]  # each read by itself
        for language in ("en", "zh-hans"):
            with translation.override(language):
                assert _read_timeline(project, community) == alone[language]
        with translation.override("en"):
            texts = "\n".join(alone["en"])
        assert "Agreeing owners / participating owners" in texts and "still needed: owner count" in texts
        assert texts.count("Owners' vote closed") == 2


def test_the_page_does_not_grow_with_closed_votes_and_reads_the_round_once(project, world, client_for):
    community = world.users["community"]
    client = client_for(community)
    url = reverse("projects:detail", args=[project.pk])
    _closed_votes(project, community, 1)
    _as_older_results(Vote.objects.all())
    client.get(url)  # sessions and caches settle
    one = _sqls(lambda: client.get(url))
    _closed_votes(project, community, 2)
    _as_older_results(Vote.objects.all())
    three = _sqls(lambda: client.get(url))
    assert len(three) == len(one)
    # The consent panel's verdict, the guard and the timeline's entries share one read of the rule round.
    assert sum('FROM "consent_ruletest"' in q for q in three) == 1
    assert not [q for q in three if "COUNT(" in q and 'FROM "consent_ruleround"' in q]
    # The timeline's rule-set names and closed votes, the panel and the guard: one read of the project's votes and
    # one of its rule set's rounds (with the set) for them all.
    assert sum('FROM "consent_vote"' in q for q in three) == 1
    assert sum('FROM "consent_ruleround"' in q for q in three) == 1
    assert not [q for q in three if 'FROM "consent_ruleset"' in q]
