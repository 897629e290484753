"""Figures against hand-computed ones; scoping of every figure (page and API); the public page; query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiati.core.tests.browser import login
from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.projects import services as project_services
from jiati.projects.models import Project, Stage
from jiati.stats import selectors, services
from jiati.stats.models import StageCount


@pytest.fixture
def scene(world, no_guards, committed):
    """A1a: three projects (one in service, one overdue in design, one withdrawn); A2a: one; B1a: one."""
    admin = world.users["admin"]

    def open_in(estate_key, number, moves=0):
        stairwell = stairwell_with_dwellings(estate=world.estates[estate_key], number=number, storeys=6, per_floor=1)
        project = project_services.project_open(actor=admin, stairwell=stairwell)
        for _ in range(moves):
            project = project_services.project_advance(project=project, actor=admin)
        return project

    with committed():
        done = open_in("a1a", "S1", moves=15)
        late = open_in("a1a", "S2", moves=5)
        gone = open_in("a1a", "S3", moves=1)
        project_services.project_withdraw(project=gone, actor=admin, reason="业主撤回")
        open_in("a2a", "S4", moves=2)
        open_in("b1a", "S5")
    # Behind the services' back (the plan service saves the project with its due date): rebuild by hand.
    Project.objects.filter(pk=late.pk).update(stage_due=timezone.localdate() - dt.timedelta(days=3))
    services.community_refresh(community_id=late.community_id)
    return {"done": done, "late": late}


def test_figures_match_hand_counts(world, scene):
    district = world.users["district"]
    f = selectors.figures(user=district, region=world.regions["A1a"])
    assert scene["done"].stage == Stage.IN_SERVICE
    assert (f.total, f.in_service, f.under_way, f.withdrawn, f.overdue) == (2, 1, 1, 1, 1)
    assert f.by_stage[Stage.DESIGN] == 1 and f.by_stage[Stage.IN_SERVICE] == 1
    month = timezone.localdate().replace(day=1)
    assert f.started_by_month == {month: 3} and f.completed_by_month == {month: 1}
    a = selectors.figures(user=district, region=world.regions["A"])
    assert (a.total, a.under_way, a.withdrawn) == (3, 2, 1)
    assert a.by_stage[Stage.CONSULTATION] == 1
    assert selectors.figures(user=world.users["admin"], region=None).total == 4
    assert a == selectors.live_figures(region=world.regions["A"])
    assert a.subsidy_paid == Decimal("0.00")


def test_a_region_outside_the_area_is_404_on_page_and_api(world, scene, client_for):
    client = client_for(world.users["community"])
    page = reverse("stats:dashboard")
    api = reverse("stats-figures")
    for region in ("A", "A1", "A1b", "B1a", "999999"):
        assert (
            client.get(page, {"region": world.regions[region].pk if region in world.regions else region}).status_code
            == 404
        )
        assert (
            client.get(api, {"region": world.regions[region].pk if region in world.regions else region}).status_code
            == 404
        )
    own = client.get(api).json()
    assert own["region"] == world.regions["A1a"].pk and own["projects"] == 2 and own["overdue"] == 1
    body = client.get(page).content.decode()
    assert world.regions["A1a"].name in body and world.regions["A2a"].name not in body
    sub = client_for(world.users["subdistrict"]).get(api, {"region": world.regions["A2a"].pk})
    assert sub.status_code == 404


def test_companies_property_and_residents_get_no_figures(world, scene, client_for):
    for key in ("contractor", "property", "resident"):
        assert client_for(world.users[key]).get(reverse("stats-figures")).status_code in (403, 404)


def test_district_sees_children_and_drills_down(world, scene, client_for):
    client = client_for(world.users["district"])
    body = client.get(reverse("stats:dashboard")).content.decode()
    assert world.regions["A1"].name in body and world.regions["A2"].name in body
    assert world.regions["B1"].name not in body
    assert "vendor/echarts/echarts.min.js" in body and 'id="stats-data"' in body
    leaf = client.get(reverse("stats:dashboard"), {"region": world.regions["A1a"].pk}).content.decode()
    assert f"{reverse('projects:list')}?region={world.regions['A1a'].pk}" in leaf
    api = client.get(reverse("stats-figures"), {"region": world.regions["A"].pk}).json()
    assert api["projects"] == 3 and api["withdrawn"] == 1
    assert {row["stage"]: row["projects"] for row in api["by_stage"]}["in_service"] == 1


def test_dashboard_query_count_does_not_grow_with_regions(world, scene, client_for, django_assert_max_num_queries):
    client = client_for(world.users["district"])
    client.get(reverse("stats:dashboard"))
    with django_assert_max_num_queries(40):
        assert client.get(reverse("stats:dashboard")).status_code == 200


def test_public_page_needs_no_sign_in_and_shows_no_names(world, scene, client):
    response = client.get(reverse("stats:public"), {"district": world.regions["A"].pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert world.regions["A1"].name in body
    owner = scene["done"].stairwell.dwellings.first().ownerships.first().owner
    assert owner.name not in body
    assert 'data-key="in_service">1<' in body


def test_rebuild_all_repairs_a_lost_summary(world, scene):
    StageCount.objects.all().delete()
    # 3 communities, 3 subdistricts, 2 districts, 1 city, 1 province have projects: 10 regions with rows.
    assert services.rebuild_all() > 0
    assert StageCount.objects.values("region").distinct().count() == 10
    assert selectors.figures(user=world.users["admin"], region=None) == selectors.live_figures(region=None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_draws_its_charts_in_a_browser(world, scene, page, live_server, tmp_path):
    user = world.users["district"]
    user.set_password("pass-Word-2026")
    user.save()
    login(page, live_server, "district")
    page.goto(f"{live_server.url}{reverse('stats:dashboard')}")
    page.wait_for_selector("#chart-funnel svg")
    assert page.locator("#chart-children svg").count() == 1
    assert page.locator("#chart-completions svg").count() == 1
    assert page.locator("#chart-coverage svg").count() == 1
    assert page.locator("#coverage-table tbody tr").count() == 2
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "dashboard-phone.png", full_page=True)
    page.locator("#children-table a").first.click()
    page.wait_for_selector("#chart-funnel svg")
    assert f"region={world.regions['A1'].pk}" in page.url


def test_a_blocker_opened_and_resolved_moves_the_blocked_figure(world, scene, committed):
    """The open-blocker counter is written behind the project's save: the blocker's own save refreshes the summary."""
    admin, region = world.users["admin"], world.regions["A1a"]
    late = scene["late"]
    with committed():
        blocker = project_services.blocker_open(
            project=late, actor=admin, description="一楼业主反对", party="一楼业主", due_date=timezone.localdate()
        )
    assert selectors.figures(user=admin, region=region).blocked == 1
    assert selectors.figures(user=admin, region=None).blocked == 1 == selectors.live_figures(region=None).blocked
    with committed():
        project_services.blocker_resolve(blocker=blocker, actor=admin, resolution="已协调")
    assert selectors.figures(user=admin, region=region).blocked == 0


def test_rebuild_stats_command_reports_the_rows(world, scene):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rebuild_stats", stdout=out)
    assert "summary rows" in out.getvalue()
    assert selectors.figures(user=world.users["admin"], region=None) == selectors.live_figures(region=None)


@pytest.fixture
def rebuilt(monkeypatch):
    """The communities rebuilt after a commit, in order."""
    done: list[int] = []
    rebuild = services.community_refresh

    def counted(*, community_id):
        done.append(community_id)
        rebuild(community_id=community_id)

    monkeypatch.setattr(services, "community_refresh", counted)
    return done


def test_many_saves_in_a_transaction_rebuild_each_community_once_after_it(world, scene, committed, rebuilt):
    """Each save queued a rebuild of its community for the commit (the demo's seeding ran 1,255 of them after its
    one commit, over half its time): the communities are collected, and each is rebuilt once."""
    admin = world.users["admin"]
    with committed():
        for n in range(3):
            project_services.blocker_open(
                project=scene["late"], actor=admin, description=f"业主反对 {n}", party="一楼业主",
                due_date=timezone.localdate(),
            )  # fmt: skip
        stairwell = stairwell_with_dwellings(estate=world.estates["b1a"], number="S6", storeys=6, per_floor=1)
        project_services.project_advance(
            project=project_services.project_open(actor=admin, stairwell=stairwell), actor=admin
        )
    assert sorted(rebuilt) == sorted({scene["late"].community_id, stairwell.community_id})
    assert selectors.figures(user=admin, region=None) == selectors.live_figures(region=None)
    assert selectors.figures(user=admin, region=None).blocked == 1


def test_a_rebuild_of_everything_leaves_the_commit_nothing_to_redo(world, scene, committed, rebuilt):
    """A bulk load (the demo) saves through the services, then rebuilds every summary in its transaction."""
    admin = world.users["admin"]
    with committed():
        project_services.project_advance(project=scene["late"], actor=admin)
        services.rebuild_all()
    assert rebuilt == []
    assert selectors.figures(user=admin, region=None) == selectors.live_figures(region=None)
