"""Coverage figures against hand-computed ones, and the list behind each figure holding exactly those rows."""

from fractions import Fraction

import pytest

from jiati.core.tests.factories import StairwellFactory, stairwell_with_dwellings
from jiati.pool import selectors, services
from jiati.pool.figures import region_figures
from jiati.pool.tests.conftest import answer_all
from jiati.projects import services as project_services
from jiati.projects.models import Project, Stage


def _project(stairwell, actor, stage, status="active"):
    project = project_services.project_open(actor=actor, stairwell=stairwell)
    Project.objects.filter(pk=project.pk).update(stage=stage, status=status)
    return project


@pytest.fixture
def scene(world):
    """Estate A1a (community A1a) and one stairwell in A1b:

    S1 feasible, willing, construction started   S2 feasible, willing, no project
    S3 conditional, not willing, in service       S4 not feasible
    S5 three storeys (not a candidate)           S6 has an elevator (not a candidate)
    S7 not assessed, willing                     S8 feasible, withdrawn project (counts as not started)
    T1 (A1b) feasible, willing, started
    """
    community, other = world.users["community"], world.users["other_community"]
    estate = world.estates["a1a"]
    s = {"S1": world.stairwells["a1a"]}
    for name in ("S2", "S3", "S4", "S7", "S8"):
        s[name] = stairwell_with_dwellings(estate=estate, number=name, storeys=5, per_floor=1)
    s["S5"] = stairwell_with_dwellings(estate=estate, number="S5", storeys=3, per_floor=1)
    s["S6"] = StairwellFactory(building=s["S2"].building, number="S6", storeys=8, has_elevator=True)
    s["T1"] = world.stairwells["a1b"]

    def assess(name, result, actor=community, **extra):
        services.assessment_record(actor=actor, stairwell=s[name], result=result, **extra)

    def willing(name, actor=community):
        survey = services.survey_open(actor=actor, stairwell=s[name])
        answer_all(survey, actor, ["willing"] * 20)

    for name in ("S1", "S2", "S8"):
        assess(name, "feasible")
    assess("S3", "conditional", obstacles=["pipes"], conditions="move the pipe")
    assess("S4", "not_feasible", obstacles=["no_space"])
    assess("T1", "feasible", actor=other)
    for name in ("S1", "S2", "S7"):
        willing(name)
    willing("T1", actor=other)
    survey = services.survey_open(actor=community, stairwell=s["S3"])
    answer_all(survey, community, ["not_willing"] * 5)
    _project(s["S1"], community, Stage.FOUNDATION)
    _project(s["S3"], community, Stage.IN_SERVICE)
    _project(s["S8"], community, Stage.SHAFT, status="withdrawn")
    _project(s["T1"], other, Stage.INSTALLATION)
    return s


def test_community_coverage_by_hand(world, scene):
    c = selectors.coverage(user=world.users["district"], region=world.regions["A1a"])
    assert (c.pool, c.feasible, c.willing_feasible, c.started, c.in_service) == (6, 4, 2, 1, 1)
    assert c.willing_rate == Fraction(1, 2)  # S1 of S1, S2
    assert c.feasible_rate == Fraction(2, 4)  # S1, S3 of S1, S2, S3, S8


def test_district_coverage_by_hand_and_scoped(world, scene):
    c = selectors.coverage(user=world.users["district"], region=world.regions["A"])
    # The district also holds A2a's unassessed 6-storey stairwell: in the pool, nothing more.
    assert (c.pool, c.feasible, c.willing_feasible, c.started, c.in_service) == (8, 5, 3, 2, 1)
    assert (c.willing_rate, c.feasible_rate) == (Fraction(2, 3), Fraction(3, 5))
    # The community's staff see only their own community, whatever region they ask for.
    mine = selectors.coverage(user=world.users["community"])
    assert (mine.pool, mine.feasible, mine.started) == (6, 4, 1)
    assert selectors.coverage(user=world.users["other_district"]).pool == 1  # B1a's own stairwell, nothing of A


def test_coverage_is_one_query(world, scene, django_assert_num_queries):
    district = world.users["district"]
    district.region  # noqa: B018 - loaded once, as in a request
    selectors.coverage(user=district, region=world.regions["A"])  # warms the user's cached community ids
    with django_assert_num_queries(2):  # the rules (settings lookup) and the aggregate
        selectors.coverage(user=district, region=world.regions["A"])


@pytest.mark.parametrize(
    ("key", "names"),
    [
        ("pool", {"S1", "S2", "S3", "S4", "S7", "S8"}),
        ("feasible", {"S1", "S2", "S3", "S8"}),
        ("willing_feasible", {"S1", "S2"}),
        ("started", {"S1"}),
        ("in_service", {"S3"}),
        ("willing_feasible_done", {"S1"}),
        ("feasible_done", {"S1", "S3"}),
    ],
)
def test_each_figure_links_to_exactly_its_rows(world, scene, client_for, key, names):
    client = client_for(world.users["district"])
    figures = {f["key"]: f for f in region_figures(user=world.users["district"], region=world.regions["A1a"])}
    url = f"/pool/?coverage={key}&region={world.regions['A1a'].pk}"
    response = client.get(url)
    assert response.status_code == 200
    shown = {row.number for row in response.context["rows"]}
    expected = {scene[n].number for n in names}
    assert shown == expected
    if key in {"pool", "feasible", "willing_feasible", "started", "in_service"}:
        assert figures[f"pool_{key}" if key != "pool" else "pool_candidates"]["value"] == len(expected)
        assert figures[f"pool_{key}" if key != "pool" else "pool_candidates"]["url"] == url


def test_region_figures_give_the_rates_and_nothing_outside_scope(world, scene):
    figures = {f["key"]: f for f in region_figures(user=world.users["district"], region=world.regions["A"])}
    assert figures["pool_willing_rate"]["value"] == "66.6%"
    assert figures["pool_feasible_rate"]["value"] == "60.0%"
    assert region_figures(user=world.users["other_district"], region=world.regions["A"]) == []
    assert region_figures(user=world.users["contractor"], region=None) == []


def test_target_progress_counts_this_years_starts_and_entries_into_service(world, scene):
    from django.utils import timezone

    from jiati.projects.models import EventKind, ProjectEvent

    year = timezone.localdate().year
    services.target_set(
        actor=world.users["district"], region=world.regions["A1"], year=year, projects_started=4, elevators_in_service=2
    )
    s1_project = Project.objects.get(stairwell=scene["S1"])
    s3_project = Project.objects.get(stairwell=scene["S3"])
    ProjectEvent.objects.create(project=s1_project, kind=EventKind.STAGE, to_stage=Stage.FOUNDATION)
    ProjectEvent.objects.create(project=s3_project, kind=EventKind.STAGE, to_stage=Stage.IN_SERVICE)
    last_year = timezone.now().replace(year=year - 1)
    ProjectEvent.objects.create(project=s3_project, kind=EventKind.STAGE, to_stage=Stage.FOUNDATION, at=last_year)
    rows = selectors.targets_with_progress(user=world.users["community"], year=year)
    assert [(r["target"].region.code, r["started"], r["in_service"], r["started_percent"]) for r in rows] == [
        ("440307001", 1, 1, 25)
    ]


def test_target_progress_agrees_with_the_per_region_count_and_sums_communities(world, scene):
    from django.utils import timezone

    from jiati.projects.models import EventKind, ProjectEvent

    year = timezone.localdate().year
    district = world.users["district"]
    for region in ("A1", "A1a", "A1b"):
        services.target_set(
            actor=district, region=world.regions[region], year=year, projects_started=2, elevators_in_service=1
        )
    for name in ("S1", "T1"):
        ProjectEvent.objects.create(
            project=Project.objects.get(stairwell=scene[name]), kind=EventKind.STAGE, to_stage=Stage.FOUNDATION
        )
    rows = {
        r["target"].region.code: (r["started"], r["in_service"])
        for r in selectors.targets_with_progress(user=district, year=year)
    }
    assert rows == {"440307001": (2, 0), "440307001001": (1, 0), "440307001002": (1, 0)}
    for region in ("A1", "A1a", "A1b"):
        single = selectors.progress_counts(region=world.regions[region], year=year)
        assert rows[world.regions[region].code] == (single["projects_started"], single["elevators_in_service"])
