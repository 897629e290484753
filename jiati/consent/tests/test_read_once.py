"""Issue 18: the project page reads the consent rounds once for its stage guard and its consent panel; outside
such a page (services, writes) they are read afresh every time."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jiati.consent import guards, panels, selectors
from jiati.consent.tests.conftest import open_vote
from jiati.core import read_once


def test_the_current_vote_is_one_query_and_prefers_the_open_one(project, world, django_assert_num_queries):
    community = world.users["community"]
    with django_assert_num_queries(1):
        assert selectors.current_vote(project) is None
    vote = open_vote(project, community)
    with django_assert_num_queries(1):
        assert selectors.current_vote(project) == vote


def test_the_guard_and_the_panel_share_the_rounds_on_the_page(vote, world, django_assert_max_num_queries):
    project = vote.project
    request = RequestFactory().get("/")
    request.user = world.users["community"]
    guards.guard_vote(project)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def vote_queries(call):
        with CaptureQueriesContext(connection) as captured:
            call()
        return [q["sql"] for q in captured.captured_queries if 'FROM "consent_vote"' in q["sql"]]

    fresh = vote_queries(lambda: panels.project_panels(request=request, project=project))
    assert fresh, "without the page's memo the panel reads the rounds itself"
    read_once.enable(project)
    assert vote_queries(lambda: guards.guard_vote(project))
    shared = vote_queries(lambda: panels.project_panels(request=request, project=project))
    assert len(shared) < len(fresh)
    assert not [q for q in shared if '"consent_vote"."status" IN' in q or "CASE WHEN" in q]  # no current vote again


def test_the_page_counts_an_open_vote_once_for_its_guard_and_its_panel(vote, world):
    """The live result (one aggregate over the ballots) is shown by the vote-stage guard and the consent panel: on
    the page it is counted once; outside it, every time (nothing stale after a ballot)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = vote.project
    request = RequestFactory().get("/")
    request.user = world.users["community"]

    def counts(call) -> int:
        with CaptureQueriesContext(connection) as captured:
            call()
        return sum('AS "participating"' in q["sql"] for q in captured.captured_queries)

    both = lambda: (guards.guard_vote(project), panels.project_panels(request=request, project=project))  # noqa: E731
    assert counts(both) == 2
    read_once.enable(project)
    assert counts(both) == 1


def test_the_panel_reads_notice_scheme_and_objections_in_one_query(project, world, django_assert_num_queries):
    """Issue 18: the consent panel's notice, cost scheme and objection counts are one query (then the notice and
    the scheme only when there are any): with no vote and none of them, the panel is two queries."""
    request = RequestFactory().get("/")
    request.user = world.users["community"]
    with django_assert_num_queries(2):  # the project's votes; its notice, scheme and objections
        panels.project_panels(request=request, project=project)
    notice, scheme, counts = selectors.panel_reads(project)
    assert (notice, scheme, counts) == (None, None, {"open": 0, "answered": 0, "closed": 0})


def test_the_panel_counts_the_objections_by_status_and_shows_the_current_scheme(project, world, client_for):
    from jiati.consent import services
    from jiati.consent.models import Objection, ObjectionStatus

    community = world.users["community"]
    for content in ("a", "b", "c"):
        services.objection_lodge(project=project, actor=community, channel="phone", name="甲", content=content)
    Objection.objects.filter(content="c").update(
        status=ObjectionStatus.ANSWERED, response="答复", answered_at=timezone.now()
    )
    client_for(community).post(
        reverse("consent-costscheme-list"),
        {"project": project.pk, "method": "area", "total_cost": "360000.00"},
        content_type="application/json",
    )
    notice, scheme, counts = selectors.panel_reads(project)
    assert notice is None and scheme == selectors.current_scheme(project) and scheme is not None
    assert counts == {"open": 2, "answered": 1, "closed": 0}


def test_the_panel_reads_with_a_statement_compiled_once(project, world, monkeypatch, compiled_models):
    """Issue 18: building and compiling the panel's query (five subqueries) cost the page more than running it: it
    is compiled once per process (core.prepared), then only run, with the same answers as a fresh one."""

    from jiati.consent.models import Objection, ObjectionStatus
    from jiati.core.prepared import PreparedQuery
    from jiati.projects.models import Project

    monkeypatch.setattr(selectors, "_PANEL_READS", PreparedQuery(Project, selectors._panel_reads_query, kinds=(int,)))
    compiled_models.clear()  # counted from here
    compiled = compiled_models
    assert selectors.panel_reads(project) == (None, None, {"open": 0, "answered": 0, "closed": 0})
    assert compiled, "compiled on its first use"
    from jiati.consent import services

    services.objection_lodge(project=project, actor=world.users["community"], channel="phone", name="甲", content="a")
    Objection.objects.update(status=ObjectionStatus.ANSWERED, response="答复", answered_at=timezone.now())
    compiled.clear()
    assert selectors.panel_reads(project) == (None, None, {"open": 0, "answered": 1, "closed": 0})
    assert compiled == []


def test_the_page_reads_its_votes_with_a_statement_compiled_once(vote, world, monkeypatch, compiled_models):
    """Issue 18: the page's votes (its own, and its estate's closed estate-wide ones) are read with a statement
    compiled once per process (core.prepared): the same votes, newest first, with their rule sets."""

    from jiati.consent.models import Vote
    from jiati.core.prepared import PreparedQuery

    monkeypatch.setattr(selectors, "_PAGE_VOTES", PreparedQuery(Vote, selectors._PAGE_VOTES._build, kinds=(int, int)))
    project = vote.project
    compiled_models.clear()  # counted from here
    compiled = compiled_models
    assert selectors._page_votes(project) == [vote] and Vote in compiled
    compiled.clear()
    found = selectors._page_votes(project)
    assert found == [vote] and found[0].rule_set.pk == vote.rule_set_id
    assert compiled == []


def test_the_panel_compiles_nothing_per_view_after_the_first(vote, world, compiled_models):
    """Issue 18: on the project page the consent panel's reads — the rule set's rounds, the notice and the scheme,
    the ballots by choice, the approved subsidy (the subsidies app, through the "costs" hook) — are compiled once
    per process (core.prepared); a later view compiles none of them, and reads what a fresh query reads."""
    from decimal import Decimal

    from jiati.consent import services
    from jiati.consent.models import RuleRound, Vote
    from jiati.consent.tests.conftest import cast_online, in_stage, voters
    from jiati.projects.models import Project, Stage

    community = world.users["community"]
    for voter in voters(vote):
        cast_online(vote, voter, "agree")
    services.vote_close(vote=vote, actor=community)
    project = in_stage(vote.project, Stage.PUBLIC_NOTICE)
    notice = services.notice_post(
        project=project, actor=community, starts_on=timezone.localdate(), period_days=10, content="方案"
    )
    scheme = services.cost_scheme_create(project=project, actor=community, total_cost=Decimal("480000"))
    again = open_vote(project, community, round_number=1)
    cast_online(again, voters(again)[0], "disagree")
    request = RequestFactory().get("/")
    request.user = community

    def panel():
        page_project = read_once.enable(Project.objects.get(pk=project.pk))  # as the page reads it
        (found,) = panels.project_panels(request=request, project=page_project)
        return found

    panel()
    compiled_models.clear()  # counted from here: a second view
    found = panel()
    compiled = list(compiled_models)
    assert (found["notice"], found["scheme"], found["vote"]) == (notice, scheme, again)
    assert found["breakdown"] == {"agree": 0, "disagree": 1, "abstain": 0} | {"absent": again.owners_total - 1}
    assert [r["round"].number for r in found["rounds"]] == list(
        RuleRound.objects.filter(rule_set=again.rule_set).values_list("number", flat=True)
    )
    assert found["subsidy_change"] is None
    # The page's project, and the open vote's live count (one aggregate, not among these reads).
    assert compiled == [Project, Vote], compiled
