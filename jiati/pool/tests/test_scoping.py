"""The scoping matrix: every role against the pool's pages and API; what is out of scope answers like missing, and
a refused write changes nothing."""

import pytest
from django.urls import reverse

from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.pool import services
from jiati.pool.models import Assessment, Survey, SurveyAnswer, Target
from jiati.projects import services as project_services

ROLES = [
    "admin",
    "district",
    "finance",
    "subdistrict",
    "community",
    "property",
    "contractor",
    "maintainer",
    "resident",
    "other_district",
    "other_community",
]
# Who sees the A1a stairwell in the pool (and its survey): its area's staff and the estate's property office.
SEES_A1A = {"admin", "district", "finance", "subdistrict", "community", "property"}
READERS = SEES_A1A | {"other_district", "other_community"}


@pytest.fixture
def scene(world):
    community = world.users["community"]
    stairwell = world.stairwells["a1a"]
    services.assessment_record(actor=community, stairwell=stairwell, result="feasible")
    survey = services.survey_open(actor=community, stairwell=stairwell)
    services.target_set(
        actor=world.users["district"],
        region=world.regions["A1a"],
        year=2026,
        projects_started=3,
        elevators_in_service=1,
    )
    a = project_services.project_open(actor=community, stairwell=stairwell)
    b = project_services.project_open(
        actor=community, stairwell=stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元")
    )
    cluster = services.cluster_open(
        actor=community, estate=world.estates["a1a"], name="连片", design="", projects=[a, b]
    )
    return {"stairwell": stairwell, "survey": survey, "cluster": cluster}


@pytest.mark.parametrize("role", ROLES)
def test_pages_matrix(world, scene, client_for, role):
    client = client_for(world.users[role])
    sees = role in SEES_A1A
    reads = role in READERS
    pages = {
        reverse("pool:list"): 200 if reads else 403,
        reverse("pool:surveys"): 200 if reads else 403,
        reverse("pool:coverage"): 200 if reads else 403,
        reverse("pool:targets"): 200 if reads else 403,
        reverse("pool:clusters"): 200 if reads else 403,
        reverse("pool:stairwell", args=[scene["stairwell"].pk]): 200 if sees else (404 if reads else 403),
        reverse("pool:survey", args=[scene["survey"].pk]): 200 if sees else (404 if reads else 403),
        reverse("pool:cluster", args=[scene["cluster"].pk]): 200 if sees else (404 if reads else 403),
    }
    got = {url: client.get(url).status_code for url in pages}
    assert got == pages
    if reads:
        rows = client.get(reverse("pool:list")).context["rows"]
        assert (scene["stairwell"] in rows) is sees


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(world, scene, client_for, role):
    client = client_for(world.users[role])
    sees = role in SEES_A1A
    listed = client.get("/api/pool/stairwells/")
    assert listed.status_code == (200 if role in READERS else 403)
    if listed.status_code == 200:
        ids = {row["id"] for row in listed.json()["results"]}
        assert (scene["stairwell"].pk in ids) is sees
    detail = client.get(f"/api/pool/surveys/{scene['survey'].pk}/")
    assert detail.status_code == (200 if sees else 404)
    assert client.get(f"/api/pool/clusters/{scene['cluster'].pk}/").status_code == (200 if sees else 404)
    targets = client.get("/api/pool/targets/")
    assert targets.status_code == 200
    seen_targets = {row["id"] for row in targets.json()["results"]}
    assert bool(seen_targets) is (role in {"admin", "district", "finance", "subdistrict", "community"})


WRITERS = {"admin", "district", "subdistrict", "community", "property"}


@pytest.mark.parametrize("role", ROLES)
def test_writes_matrix_changes_nothing_when_denied(world, scene, client_for, role):
    from jiati.housing.models import Dwelling

    client = client_for(world.users[role])
    dwelling = Dwelling.objects.filter(stairwell=scene["stairwell"]).first()
    before = (Assessment.objects.count(), SurveyAnswer.objects.count(), Target.objects.count())
    answer = client.post(
        f"/api/pool/surveys/{scene['survey'].pk}/answers/",
        {"dwelling": dwelling.pk, "answer": "willing", "channel": "paper_form"},
        content_type="application/json",
    )
    allowed = role in WRITERS
    assert answer.status_code == (201 if allowed else (403 if role in SEES_A1A else 404))
    assess = client.post(
        f"/api/pool/stairwells/{scene['stairwell'].pk}/assess/", {"result": "feasible"}, content_type="application/json"
    )
    assert assess.status_code == (
        201 if allowed and role != "property" else (403 if role in SEES_A1A else (404 if role in READERS else 403))
    )
    target = client.post(
        "/api/pool/targets/",
        {"region": world.regions["A1b"].pk, "year": 2026, "projects_started": 1, "elevators_in_service": 0},
        content_type="application/json",
    )
    assert target.status_code == (201 if role in {"admin", "district"} else (400 if role == "other_district" else 403))
    after = (Assessment.objects.count(), SurveyAnswer.objects.count(), Target.objects.count())
    expected = (
        before[0] + (1 if allowed and role != "property" else 0),
        before[1] + (1 if allowed else 0),
        before[2] + (1 if role in {"admin", "district"} else 0),
    )
    assert after == expected
    assert Survey.objects.count() == 1
