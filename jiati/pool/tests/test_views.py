"""The pool's pages: what they show, and refused forms coming back open with every value and every error."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiati.housing.models import Dwelling, Ownership
from jiati.pool import services
from jiati.pool.models import Assessment, SurveyAnswer
from jiati.pool.tests.conftest import answer_all


def test_stairwell_page_explains_the_score_term_by_term(world, stairwell, survey, community, client_for):
    answer_all(survey, community, ["willing"] * 8)
    page = client_for(community).get(reverse("pool:stairwell", args=[stairwell.pk]))
    assert page.status_code == 200
    score = page.context["score"]
    html = page.content.decode()
    assert html.count('class="priority-term"') == 6
    for term in score.terms:
        assert str(term.points) in html
    assert sum(t.points for t in score.terms) == score.total
    assert "never a substitute for the owners' legal vote" in html
    assert 'id="open-project"' in html  # willing, not judged unfeasible
    # No list of ages anywhere: only the share.
    assert "aged" not in html.lower() or "of" in html


def test_a_refused_assessment_comes_back_with_everything_typed(stairwell, community, client_for):
    response = client_for(community).post(
        reverse("pool:assess", args=[stairwell.pk]),
        {"result": "not_feasible", "note": "狭窄的小巷", "assessed_on": "2026-01-05"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "obstacles" in form.errors
    assert form["note"].value() == "狭窄的小巷"
    assert not Assessment.objects.exists()


def test_an_assessment_with_a_photo_through_the_page(stairwell, community, client_for):
    photo = SimpleUploadedFile("site.jpg", b"\xff\xd8\xff" + b"1" * 50, content_type="image/jpeg")
    response = client_for(community).post(
        reverse("pool:assess", args=[stairwell.pk]),
        {
            "result": "conditional",
            "obstacles": ["pipes"],
            "conditions": "迁移燃气管",
            "assessed_on": "2026-01-05",
            "site_photos": [photo],
        },
    )
    assert response.status_code == 302
    evidence = Assessment.objects.get().evidence.get()
    assert client_for(community).get(reverse("pool:evidence", args=[evidence.pk])).status_code == 200


def test_survey_page_records_and_imports_answers(tmp_path, survey, community, client_for):
    client = client_for(community)
    dwelling = Dwelling.objects.filter(stairwell_id=survey.stairwell_id).order_by("floor", "room").first()
    response = client.post(
        reverse("pool:survey", args=[survey.pk]),
        {"action": "answer", "dwelling": dwelling.pk, "answer": "willing", "channel": "paper_form"},
    )
    assert response.status_code == 302
    bad = SimpleUploadedFile("a.csv", "房号,意愿\n101,愿意\nX9,愿意\n".encode())
    response = client.post(reverse("pool:survey", args=[survey.pk]), {"action": "import", "file": bad})
    assert response.status_code == 200
    assert [e["row"] for e in response.context["import_errors"]] == [3]
    assert "Row 3, column 房号" in response.content.decode()
    assert SurveyAnswer.objects.count() == 1


def test_coverage_page_and_its_export(world, client_for):
    client = client_for(world.users["district"])
    page = client.get(reverse("pool:coverage"))
    assert page.status_code == 200
    assert [f["key"] for f in page.context["figures"]] == [
        "pool",
        "feasible",
        "willing_feasible",
        "started",
        "in_service",
    ]
    assert [child.name for child, *_rest in page.context["children"]] == ["平湖街道", "坂田街道"]
    export = client.get(reverse("pool:coverage") + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_pool_list_export(world, client_for):
    response = client_for(world.users["district"]).get(reverse("pool:list") + "?export=xlsx")
    assert response.status_code == 200


def test_targets_page_refuses_a_negative_target_keeping_the_values(world, client_for):
    client = client_for(world.users["district"])
    response = client.post(
        reverse("pool:targets"),
        {"region": world.regions["A1"].pk, "year": 2026, "projects_started": -2, "elevators_in_service": 4},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "projects_started" in form.errors and form["elevators_in_service"].value() == "4"
    ok = client.post(
        reverse("pool:targets"),
        {"region": world.regions["A1"].pk, "year": 2026, "projects_started": 2, "elevators_in_service": 4},
    )
    assert ok.status_code == 302
    assert "平湖街道" in client.get(reverse("pool:targets") + "?year=2026").content.decode()


def test_settings_page_refuses_all_zero_weights(world, client_for):
    client = client_for(world.users["district"])
    data = {"min_storeys": 4, "willing_numerator": 2, "willing_denominator": 3}
    data |= dict.fromkeys(services.rules.WEIGHT_FIELDS, 0)
    response = client.post(reverse("pool:settings"), data)
    assert response.status_code == 200 and "weight_elderly" in response.context["form"].errors
    assert client_for(world.users["community"]).get(reverse("pool:settings")).status_code == 403


def test_cluster_page_shows_members_and_the_allocation(world, client_for):
    from jiati.core.tests.factories import stairwell_with_dwellings
    from jiati.projects import services as project_services

    community = world.users["community"]
    projects = [
        project_services.project_open(actor=community, stairwell=s)
        for s in (world.stairwells["a1a"], stairwell_with_dwellings(estate=world.estates["a1a"], number="2单元"))
    ]
    cluster = services.cluster_open(
        actor=community, estate=world.estates["a1a"], name="长江花园连片", design="楼下花园", projects=projects
    )
    client = client_for(community)
    response = client.post(
        reverse("pool:cluster", args=[cluster.pk]),
        {"action": "work", "description": "花园", "cost": "0.03", "rule": "equal"},
    )
    assert response.status_code == 302
    page = client.get(reverse("pool:cluster", args=[cluster.pk]))
    parts = [amount for _p, amount in page.context["allocations"][0]["parts"]]
    assert sorted(parts) == [Decimal("0.01"), Decimal("0.02")]
    for project in projects:
        assert project.code in page.content.decode()


@pytest.fixture
def owner_ownership(stairwell):
    return Ownership.objects.filter(dwelling__stairwell=stairwell).select_related("owner", "dwelling").first()


def test_owner_answers_on_the_portal(world, survey, owner_ownership, client):
    from jiati.pool.portal import portal_matters, portal_sections

    owner = owner_ownership.owner
    session = client.session
    session["portal_owner_id"] = owner.pk
    session.save()
    sections = portal_sections(request=None, owner=owner)
    assert sections and sections[0]["surveys"][0]["answered"] is False
    page = client.get(reverse("pool:portal-survey", args=[survey.pk]))
    assert page.status_code == 200 and "not the owners' vote" in page.content.decode()
    done = client.post(
        reverse("pool:portal-survey", args=[survey.pk]), {"dwelling": owner_ownership.dwelling_id, "answer": "willing"}
    )
    assert done.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.channel, answer.owner, answer.recorded_by) == ("portal", owner, None)
    matters = portal_matters(request=None, owner=owner)
    assert matters[0]["status"] == "Answered; you can change it"
    assert set(matters[0]) == {"title", "status", "url", "updated_at", "order", "urgent"} and not matters[0]["urgent"]
    # His answer is his: a neighbour in the same stairwell is still asked for his own.
    neighbour = Ownership.objects.filter(dwelling__stairwell=survey.stairwell).exclude(owner=owner).first().owner
    theirs = portal_matters(request=None, owner=neighbour)
    assert theirs[0]["status"] == "Waiting for your answer" and theirs[0]["urgent"]


def test_portal_survey_of_someone_elses_stairwell_is_not_found(world, owner_ownership, client):
    other = services.survey_open(actor=world.users["other_community"], stairwell=world.stairwells["a1b"])
    session = client.session
    session["portal_owner_id"] = owner_ownership.owner_id
    session.save()
    assert client.get(reverse("pool:portal-survey", args=[other.pk])).status_code == 404


def test_housing_stairwell_page_links_to_the_pool(stairwell, community, client_for):
    page = client_for(community).get(reverse("housing:stairwell-detail", args=[stairwell.pk]))
    assert reverse("pool:stairwell", args=[stairwell.pk]) in page.content.decode()


def test_project_opens_from_the_pool_page(stairwell, survey, community, client_for):
    answer_all(survey, community, ["willing"] * 8)
    response = client_for(community).post(reverse("pool:project-open", args=[stairwell.pk]))
    assert response.status_code == 302 and "/projects/" in response["Location"]
    listed = client_for(community).get(reverse("pool:list") + "?has_project=true")
    assert [row.project_stage for row in listed.context["rows"]] == ["intention"]


def test_pool_list_queries_do_not_grow_with_its_rows(world, community, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiati.core.tests.factories import stairwell_with_dwellings

    client = client_for(community)
    client.get(reverse("pool:list"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pool:list")).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        stairwell = stairwell_with_dwellings(estate=world.estates["a1a"], number=f"Q{n}", storeys=5, per_floor=1)
        services.assessment_record(actor=community, stairwell=stairwell, result="feasible")
    assert count() == before


def test_start_page_and_portal_home_show_the_pool(world, survey, owner_ownership, client_for, client):
    home = client_for(world.users["district"]).get("/")
    assert home.status_code == 200 and "Retrofit pool" in home.content.decode()
    client.logout()
    session = client.session
    session["portal_owner_id"] = owner_ownership.owner_id
    session.save()
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 200
    assert reverse("pool:portal-survey", args=[survey.pk]) in portal.content.decode()
