"""The dashboard's completions-against-target and coverage charts: figures against hand counts, and scoping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.pool import services as pool_services
from jiati.pool.models import Target
from jiati.pool.tests.conftest import answer_all
from jiati.stats.tests.test_figures import scene  # noqa: F401 - fixture reused


@pytest.fixture
def pool_scene(world, scene):  # noqa: F811
    """On top of the figures' scene: in A1a the in-service and the design-stage stairwells are feasible and willing;
    A1b's stairwell is feasible only. The year's target of A1a is 3 elevators in service, of A1b 2; A2a has
    only last year's."""
    community, other = world.users["community"], world.users["other_community"]
    for project in (scene["done"], scene["late"]):
        pool_services.assessment_record(actor=community, stairwell=project.stairwell, result="feasible")
        survey = pool_services.survey_open(actor=community, stairwell=project.stairwell)
        answer_all(survey, community, ["willing"] * 20)
    pool_services.assessment_record(actor=other, stairwell=world.stairwells["a1b"], result="feasible")
    year, admin = timezone.localdate().year, world.users["admin"]
    for key, at, n in (("A1a", year, 3), ("A1b", year, 2), ("A2a", year - 1, 9)):
        Target.objects.create(
            region=world.regions[key], year=at, projects_started=n, elevators_in_service=n, set_by=admin
        )
    return scene


def _page(client_for, user, **params):
    response = client_for(user).get(reverse("stats:dashboard"), params)
    assert response.status_code == 200
    return response


def test_completions_this_year_against_the_summed_target(world, pool_scene, client_for):
    response = _page(client_for, world.users["subdistrict"])
    today = timezone.localdate()
    rows = response.context["completions"]
    assert [r["month"].month for r in rows] == list(range(1, today.month + 1))
    assert rows[-1]["completed"] == 1 and rows[-1]["cumulative"] == 1
    assert sum(r["completed"] for r in rows[:-1]) == 0
    assert response.context["target"] == 5  # A1 has no target of its own: A1a's 3 + A1b's 2
    data = response.context["chart_data"]["completions"]
    assert data["target"] == 5 and data["cumulative"][-1] == 1
    assert 'data-key="target">5<' in response.content.decode()


def test_a_community_sees_its_own_target_and_no_coverage_chart(world, pool_scene, client_for):
    response = _page(client_for, world.users["community"])
    assert response.context["target"] == 3
    assert response.context["coverage"] == []
    assert 'id="chart-coverage"' not in response.content.decode()


def test_coverage_per_community_by_hand(world, pool_scene, client_for):
    response = _page(client_for, world.users["subdistrict"])
    rows = {c["region"].name: c for c in response.context["coverage"]}
    a1a, a1b = rows[world.regions["A1a"].name], rows[world.regions["A1b"].name]
    # A1a: willing and feasible = in service + design; only the first is done.
    assert (a1a["willing_feasible"], a1a["willing_feasible_done"], a1a["willing_rate"]) == (2, 1, Decimal("50"))
    assert (a1a["feasible"], a1a["feasible_done"], a1a["feasible_rate"]) == (2, 1, Decimal("50"))
    assert (a1b["willing_feasible"], a1b["willing_rate"], a1b["feasible"], a1b["feasible_rate"]) == (0, None, 1, 0)
    data = response.context["chart_data"]["coverage"]
    assert data["ids"] == [world.regions["A1a"].pk, world.regions["A1b"].pk]
    assert data["willing"] == [50.0, None] and data["feasible"] == [50.0, 0.0]
    body = response.content.decode()
    assert f'href="?region={world.regions["A1a"].pk}"' in body and "50.0%" in body
    # counts in words, never a bare fraction such as "1/2" or "0/0"
    assert "1 started of 2" in body and "1/2" not in body and "0/0" not in body


def test_a_subdistrict_never_sees_another_subdistricts_coverage_or_target(world, pool_scene, client_for):
    response = _page(client_for, world.users["subdistrict"])
    names = response.context["chart_data"]["coverage"]["names"]
    assert world.regions["A2a"].name not in names and world.regions["A2"].name not in response.content.decode()
    district = _page(client_for, world.users["district"])
    by_name = {c["region"].name: c for c in district.context["coverage"]}
    assert set(by_name) == {world.regions["A1"].name, world.regions["A2"].name}
    assert by_name[world.regions["A1"].name]["feasible"] == 3
    assert district.context["target"] == 5  # last year's A2a target does not count
    client = client_for(world.users["subdistrict"])
    assert client.get(reverse("stats:dashboard"), {"region": world.regions["A2"].pk}).status_code == 404


def test_hooked_charts_render_with_their_tables_and_drill_down(world, scene, client_for):  # noqa: F811
    """Petition deadlines and site-check findings (hook `figures.region_charts`): a chart, a table beside it with
    a link per figure, rows drilling into the child region; a community (no children) gets one bar of its own."""
    response = _page(client_for, world.users["subdistrict"])
    keys = [c["key"] for c in response.context["charts"]]
    assert keys == ["rectifications_by_area", "findings_by_month", "petition_deadlines"]
    body = response.content.decode()
    a1a = world.regions["A1a"].pk
    for key in keys:
        assert f'id="chart-{key}"' in body and f'id="{key}-table"' in body
    hooked = {h["id"]: h for h in response.context["chart_data"]["hooked"]}
    deadlines = hooked["chart-petition_deadlines"]
    assert deadlines["names"] == [world.regions["A1a"].name, world.regions["A1b"].name]
    assert deadlines["drill"] == [f"?region={a1a}", f"?region={world.regions['A1b'].pk}"]
    assert deadlines["values"] == [[0, 0, 0, 0], [0, 0, 0, 0]]
    assert f"deadline=overdue&amp;region={a1a}" in body
    community = _page(client_for, world.users["community"]).context["chart_data"]["hooked"]
    one = {h["id"]: h for h in community}["chart-petition_deadlines"]
    assert one["names"] == [world.regions["A1a"].name] and one["drill"] == [None]
    assert "region=" in one["urls"][0][0]


def test_the_red_and_black_list_on_the_dashboard(world, client_for):
    """The current published lists' red and black companies, black first, each linking to its list and company;
    a draft list shows nothing."""
    import datetime as dt

    from jiati.companies import ranking
    from jiati.companies.models import Colour
    from jiati.companies.tests.test_scoring import DEDUCTIONS, WEIGHTS

    district = world.users["district"]
    ranking.scheme_create(
        actor=district, name="2026", valid_from=dt.date(2020, 1, 1), area_weights=WEIGHTS,
        deductions=DEDUCTIONS, red_min_score=95, black_below_score=80,
    )  # fmt: skip
    period = ranking.period_start(timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    contractor, maintainer = world.companies["contractor"], world.companies["maintainer"]
    builders = ranking.ranking_list_draft(actor=district, period=period, kind="contractor")
    ranking.violation_add(
        actor=district, company=contractor, period=period, kind="falsified_records", description="伪造记录",
        evidence_note="通报",
    )  # fmt: skip
    assert _page(client_for, district).context["red_black"] == []  # drafts are not the list
    ranking.ranking_list_publish(actor=district, ranking=builders)
    keepers = ranking.ranking_list_draft(actor=district, period=period, kind="maintainer")
    ranking.ranking_list_publish(actor=district, ranking=keepers)
    response = _page(client_for, world.users["subdistrict"])
    rows = [(r["company"], r["colour"]) for r in response.context["red_black"]]
    assert rows == [(contractor.name, Colour.BLACK), (maintainer.name, Colour.RED)]
    body = response.content.decode()
    assert f'href="{reverse("companies:detail", args=[contractor.pk])}"' in body
    assert f'href="{reverse("companies:ranking", args=[builders.pk])}"' in body
    assert 'id="red-black-table"' in body
    for row in response.context["red_black"]:
        assert client_for(world.users["subdistrict"]).get(row["company_url"]).status_code == 200


def test_the_api_names_coverage_as_the_dashboard_counts_it(world, pool_scene, client_for):
    """`GET /api/stats/figures/` carries coverage as a named object (in the schema), counted by hand: A1 has
    three feasible stairwells (A1a's two, A1b's one), two willing, one started and in service."""
    api = reverse("stats-figures")
    from jiati.pool.selectors import coverage

    body = client_for(world.users["subdistrict"]).get(api).json()
    live = coverage(user=world.users["subdistrict"], region=world.regions["A1"])
    assert body["coverage"] == {
        "pool": live.pool,
        "feasible": 3,
        "willing_feasible": 2,
        "started": live.started,
        "in_service": 1,
        "willing_rate": "50.0%",
        "feasible_rate": "33.3%",
    }
    assert live.pool == 5  # the five A1 stairwells of the world and the scene
    a1a = client_for(world.users["subdistrict"]).get(api, {"region": world.regions["A1a"].pk}).json()
    assert (a1a["coverage"]["feasible"], a1a["coverage"]["willing_rate"]) == (2, "50.0%")
    schema = client_for(world.users["admin"]).get(reverse("api-schema")).content.decode()
    assert "CoverageSerializer" not in schema and "willing_feasible" in schema and "feasible_rate" in schema
