"""Pages: what a user sees and does on a project, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jiati.housing.models import Ownership
from jiati.projects import services
from jiati.projects.models import Project, Stage


def test_open_from_the_stairwell_page(world, client_for):
    client = client_for(world.users["community"])
    stairwell = world.stairwells["a1a"]
    page = client.get(reverse("housing:stairwell-detail", args=[stairwell.pk])).content.decode()
    assert reverse("projects:open", args=[stairwell.pk]) in page
    target = (timezone.localdate() + dt.timedelta(days=300)).isoformat()
    response = client.post(reverse("projects:open", args=[stairwell.pk]), {"target_date": target, "note": "意向强"})
    project = Project.objects.get()
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.plans.count() == 1
    # A second opening attempt is refused with the reason, nothing created.
    page = client.get(reverse("projects:open", args=[stairwell.pk])).content.decode()
    assert project.code in page
    client.post(reverse("projects:open", args=[stairwell.pk]), {})
    assert Project.objects.count() == 1


def test_past_target_date_is_refused_on_the_form(world, client_for):
    client = client_for(world.users["community"])
    stairwell = world.stairwells["a1a"]
    response = client.post(reverse("projects:open", args=[stairwell.pk]), {"target_date": "2020-01-01"})
    assert response.status_code == 200
    assert "future" in response.content.decode()
    assert not Project.objects.exists()


def test_detail_shows_what_is_missing_and_moves_on_when_met(world, client_for):
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    client = client_for(community)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "No lead owner" in page and "advance-button" not in page
    owner = Ownership.objects.filter(dwelling__stairwell=world.stairwells["a1a"]).first().owner
    client.post(reverse("projects:checklist", args=[project.pk, "lead_owner"]), {"lead_owner": owner.pk})
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "advance-button" in page
    client.post(reverse("projects:advance", args=[project.pk]), {"note": "成立小组"})
    project.refresh_from_db()
    assert project.stage == Stage.ORGANISED
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "成立小组" in page  # the timeline shows the move with its note


def test_blocker_plan_and_status_through_the_page(world, client_for):
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    client = client_for(community)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    client.post(
        reverse("projects:checklist", args=[project.pk, "blocker"]),
        {"description": "一楼反对", "party": "101", "due_date": due},
    )
    project.refresh_from_db()
    assert project.open_blockers == 1
    blocker = project.blockers.get()
    client.post(reverse("projects:blocker-resolve", args=[project.pk, blocker.pk]), {"resolution": "已协商"})
    project.refresh_from_db()
    assert project.open_blockers == 0
    client.post(
        reverse("projects:checklist", args=[project.pk, "plan"]),
        {"target_date": (timezone.localdate() + dt.timedelta(days=365)).isoformat(), "reason": "首排"},
    )
    assert project.plans.count() == 1
    client.post(reverse("projects:status", args=[project.pk, "suspend"]), {"reason": "诉讼"})
    project.refresh_from_db()
    assert project.status == "suspended"


def test_list_filters(world, client_for):
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    Project.objects.filter(pk=project.pk).update(
        stage_due=timezone.localdate() - dt.timedelta(days=1),
        stage_at_risk_from=timezone.localdate() - dt.timedelta(days=4),
    )
    client = client_for(community)
    for query, present in [
        ({"schedule": "overdue"}, True),
        ({"schedule": "on_track"}, False),
        ({"stage": "intention"}, True),
        ({"stage": "vote"}, False),
        ({"missing_seven": "true"}, True),
        ({"blocked": "true"}, False),
        ({"mine": "true"}, True),
        ({"q": project.code}, True),
    ]:
        html = client.get(reverse("projects:list"), query).content.decode()
        assert (project.code in html) == present, query


@pytest.mark.parametrize("count", [3, 30])
def test_list_and_detail_query_counts_do_not_grow(world, client_for, django_assert_max_num_queries, count):
    from jiati.core.tests.factories import EstateFactory, stairwell_with_dwellings

    community = world.users["community"]
    for n in range(count):
        stairwell = stairwell_with_dwellings(
            estate=EstateFactory(community=world.regions["A1a"]), storeys=2, per_floor=1, number=f"{n}单元"
        )
        services.project_open(actor=community, stairwell=stairwell)
    client = client_for(community)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("project-list")).status_code == 200
    project = Project.objects.first()
    with django_assert_max_num_queries(60):
        assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200


def test_settings_page_sets_durations_and_calendar(world, client_for):
    from jiati.projects.schedule import stage_durations
    from jiati.workdays.models import CalendarDay

    assert client_for(world.users["community"]).get(reverse("projects:settings")).status_code == 403
    client = client_for(world.users["district"])
    data = {s.value: 10 for s in Stage if s != Stage.IN_SERVICE}
    client.post(reverse("projects:settings"), {**data, "intention": 5, "durations": "1"})
    assert stage_durations()["intention"] == 5
    client.post(
        reverse("projects:settings"), {"calendar": "1", "date": "2027-01-01", "is_working_day": "0", "name": "元旦"}
    )
    assert CalendarDay.objects.get(date="2027-01-01").is_working_day is False


def test_estate_page_lists_projects_and_offers_a_cluster(world, client_for):
    from jiati.core.tests.factories import stairwell_with_dwellings

    community = world.users["community"]
    estate = world.estates["a1a"]
    first = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    second = services.project_open(actor=community, stairwell=stairwell_with_dwellings(estate=estate, number="2单元"))
    client = client_for(community)
    page = client.get(reverse("housing:estate-detail", args=[estate.pk])).content.decode()
    assert first.code in page and second.code in page
    assert reverse("projects:cluster-create", args=[estate.pk]) in page
    client.post(
        reverse("projects:cluster-create", args=[estate.pk]),
        {"name": "长江花园连片", "design": "统一设计", "projects": [first.pk, second.pk]},
    )
    first.refresh_from_db()
    assert first.cluster.name == "长江花园连片" and first.cluster == Project.objects.get(pk=second.pk).cluster


# The project page's queries, pinned (issue 18: it ran 49, several reading the same rows twice). The page gathers
# panels from every app, so a new panel or a forgotten select_related shows here first: lower the pin when a
# change saves queries, and raise it only for a panel that brings new information.
# Issue 18, the page's CPU: 39 -> 33 (the parties in a plain second statement, the checklist's members and
# reviews prefetched once, owners and staff read once for their two forms each, the consent rounds read once).
# Round 2: 33 -> 25, the forms that offer owners, staff and companies load when their panel opens, the current
# vote in one query and the consent rounds read once (core.read_once), the subsidy policy date in one query.
# Round 3: 25 -> 22, the events read once for the schedule, consultation's vote date and the subsidy policy's
# dates (projects.selectors.event_summary); a project with companies also saves the companies panel's Company read.
PROJECT_PAGE_QUERIES = {"community": 22, "district": 22}


@pytest.mark.parametrize("role", sorted(PROJECT_PAGE_QUERIES))
def test_project_page_query_count_is_pinned(world, client_for, project, role, django_assert_max_num_queries):
    client = client_for(world.users[role])
    url = reverse("projects:detail", args=[project.pk])
    assert client.get(url).status_code == 200  # sessions and caches settle
    with django_assert_max_num_queries(PROJECT_PAGE_QUERIES[role]):
        assert client.get(url).status_code == 200


LAZY = ("lead_owner", "working_group", "service_team", "checklist", "blocker", "assign", "review", "plan", "document")


def _picker_queries(captured):
    sqls = [q["sql"] for q in captured.captured_queries]
    return [
        s
        for s in sqls
        if (s.startswith('SELECT "housing_owner"."id"') and 'FROM "housing_owner"' in s)
        or ('FROM "accounts_user"' in s and '"accounts_user"."role" IN' in s)
        or ('FROM "projects_company"' in s)
    ]


def test_project_page_loads_the_pickers_only_when_their_panel_opens(world, client_for, project):
    """Issue 18: the stairwell's owners, the area's staff and the companies are not read on a view of the page;
    each form comes when its panel opens (htmx), or on a page of its own without JavaScript."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users["district"])
    url = reverse("projects:detail", args=[project.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert _picker_queries(captured) == []
    for part in LAZY:
        form_url = reverse("projects:checklist-form", args=[project.pk, part])
        assert f'hx-get="{form_url}"' in html and f'<a href="{form_url}">' in html, part
        assert f'/checklist/{part}/"' not in html  # no form posting there until it is loaded
    assert reverse("projects:document-add", args=[project.pk]) not in html
    for part, action, button in [
        ("review", reverse("projects:checklist", args=[project.pk, "review"]), "Save"),
        ("plan", reverse("projects:checklist", args=[project.pk, "plan"]), "Plan"),
        ("document", reverse("projects:document-add", args=[project.pk]), "Upload"),
    ]:
        form_url = reverse("projects:checklist-form", args=[project.pk, part])
        fragment = client.get(form_url, headers={"HX-Request": "true"}).content.decode()
        assert f'action="{action}"' in fragment and f">{button}</button>" in fragment, part
    owner = Ownership.objects.filter(dwelling__stairwell=project.stairwell).select_related("owner").first().owner
    community = world.users["community"]
    for part, value in [("lead_owner", owner.pk), ("working_group", owner.pk), ("service_team", community.pk)]:
        form_url = reverse("projects:checklist-form", args=[project.pk, part])
        fragment = client.get(form_url, headers={"HX-Request": "true"}).content.decode()
        assert fragment.lstrip().startswith("<form") and "<html" not in fragment
        assert f'action="{reverse("projects:checklist", args=[project.pk, part])}"' in fragment
        assert f'value="{value}"' in fragment and "csrfmiddlewaretoken" in fragment
        page = client.get(form_url).content.decode()  # without JavaScript: a page with the form
        assert "<html" in page and f'value="{value}"' in page
    assign = client.get(reverse("projects:checklist-form", args=[project.pk, "assign"])).content.decode()
    assert f'value="{community.pk}"' in assign
    assert client.get(reverse("projects:checklist-form", args=[project.pk, "nothing"])).status_code == 404


@pytest.mark.parametrize("role", ["finance", "property", "contractor", "resident", "other_community"])
def test_a_lazy_form_is_not_offered_to_those_who_may_not_manage(world, client_for, project, role):
    response = client_for(world.users[role]).get(reverse("projects:checklist-form", args=[project.pk, "service_team"]))
    assert response.status_code in (403, 404)


def test_a_refused_lazy_form_comes_back_built_open_and_as_typed(world, client_for, project):
    """Issue 13 kept for the lazily loaded forms: the refused one is built on the page with what was typed."""
    client = client_for(world.users["district"])
    client.post(
        reverse("projects:checklist", args=[project.pk, "assign"]),
        {"responsible": "999999", "_form_slot": "1"},
    )
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert html.count("data-refused") == 1
    assert f'action="{reverse("projects:checklist", args=[project.pk, "assign"])}"' in html
    assert 'class="invalid-feedback d-block"' in html
    assert 'data-lazy-form="assign"' not in html and 'data-lazy-form="service_team"' in html
    # Shown once: the next view loads it lazily again.
    assert 'data-lazy-form="assign"' in client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def _timeline_entries(html: str) -> int:
    start = html.index('id="timeline-entries"')
    return html[start:].count('<li class="border-bottom py-1">')


def test_the_timeline_shows_its_latest_entries_and_the_rest_on_show_all(world, client_for, project):
    """Issue 18: the page renders the latest entries of the timeline; "show all N" loads the rest (htmx), or
    opens a page of its own without JavaScript."""
    community = world.users["community"]
    for n in range(25):
        services.comment_add(project=project, actor=community, text=f"第{n}条意见")
    total = project.events.count()
    assert total == 26  # the opening and the comments
    client = client_for(community)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert _timeline_entries(html) == 20
    assert "第24条意见" in html and "第5条意见" in html and "第4条意见" not in html  # the latest
    url = reverse("projects:timeline", args=[project.pk])
    assert f'href="{url}" hx-get="{url}"' in html and "Show all 26 entries" in html
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="timeline-entries">') and "<html" not in fragment
    assert _timeline_entries(fragment) == total and "第0条意见" in fragment and 'id="timeline-show-all"' not in fragment
    page = client.get(url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in page and _timeline_entries(page) == total


def test_a_short_timeline_has_no_show_all(world, client_for, project):
    html = client_for(world.users["community"]).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert _timeline_entries(html) == 1 and 'id="timeline-show-all"' not in html


@pytest.mark.parametrize(("role", "status"), [("other_community", 404), ("other_district", 404), ("contractor", 404)])
def test_the_whole_timeline_is_scoped(world, client_for, project, role, status):
    response = client_for(world.users[role]).get(reverse("projects:timeline", args=[project.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("part", "data", "typed"),
    [
        ("plan", {"target_date": "2020-01-01", "reason": "春节前"}, 'value="春节前"'),
        ("review", {"result": "", "reviewed_on": "2026/13/45"}, 'value="2026/13/45"'),
        ("document", {"kind": "other", "note": "缺少文件"}, 'value="缺少文件"'),
    ],
)
def test_a_refused_folded_form_comes_back_built_open_and_as_typed(world, client_for, project, part, data, typed):
    """The forms folded since issue 18 (contract review, plan, document upload) still come back when refused:
    built on the page, with what was typed and the error, not left to load."""
    client = client_for(world.users["community"])
    action = (
        reverse("projects:document-add", args=[project.pk])
        if part == "document"
        else reverse("projects:checklist", args=[project.pk, part])
    )
    assert client.post(action, {**data, "_form_slot": "1"}).status_code == 302
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert html.count("data-refused") == 1 and f'action="{action}"' in html and typed in html
    assert 'class="invalid-feedback d-block"' in html
    assert f'data-lazy-form="{part}"' not in html
    assert f'data-lazy-form="{part}"' in client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_the_project_page_reads_the_events_twice(world, client_for, project):
    """Issue 18: the schedule's dates, the timeline's count, consultation's vote date and the subsidy policy's
    dates come from one grouped read of the events (selectors.event_summary); the other read is the timeline's
    latest entries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users["community"])
    url = reverse("projects:detail", args=[project.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "projects_projectevent"' in q["sql"]]
    assert len(reads) == 2, reads


def test_the_events_summary_gives_the_dates_the_events_give(world, project):
    from jiati.consultation.selectors import vote_opened_at
    from jiati.projects.models import EventKind, ProjectEvent
    from jiati.projects.selectors import event_summary

    at = timezone.now() - dt.timedelta(days=30)
    rows = [
        (EventKind.STAGE, Stage.INTENTION, Stage.ORGANISED, 1),
        (EventKind.STAGE, Stage.ORGANISED, Stage.CONSULTATION, 2),
        (EventKind.STAGE, Stage.CONSULTATION, Stage.VOTE, 3),
        (EventKind.STAGE, Stage.VOTE, Stage.CONSULTATION, 4),  # back, then to the vote again
        (EventKind.STAGE, Stage.CONSULTATION, Stage.VOTE, 5),
    ]
    ProjectEvent.objects.bulk_create(
        ProjectEvent(project=project, kind=kind, from_stage=a, to_stage=b, at=at + dt.timedelta(days=d))
        for kind, a, b, d in rows
    )
    summary = event_summary(project)
    assert summary.total == project.events.count() == 6
    assert summary.entered[Stage.VOTE] == at + dt.timedelta(days=3)  # the first time
    assert summary.left[Stage.CONSULTATION] == at + dt.timedelta(days=5)  # the last time
    assert summary.first_left[Stage.CONSULTATION] == at + dt.timedelta(days=3)
    assert vote_opened_at(project) == at + dt.timedelta(days=3)


def test_the_project_page_reads_its_parties_with_a_statement_compiled_once(
    world, rf, project, monkeypatch, prepared_compiles
):
    """Issue 18: the parties' statement is compiled once per set of parties (core.prepared), not on every view, and
    answers the same people as the queryset it was built from."""
    from jiati.projects import views

    owner = Ownership.objects.filter(dwelling__stairwell=project.stairwell).first().owner
    services.project_set_lead_owner(project=project, actor=world.users["community"], owner=owner)
    prepared_compiles.clear()  # counted from here
    compiled = prepared_compiles
    monkeypatch.setattr(views, "_PARTIES_STATEMENTS", {})
    request = rf.get("/")
    request.user = world.users["community"]
    for _ in range(3):
        found = views._project_or_404(request, project.pk)
        assert (found.responsible, found.lead_owner) == (world.users["community"], owner)
        assert found.responsible.username == "community" and found.lead_owner.name == owner.name
    assert list(views._PARTIES_STATEMENTS) == [("responsible", "lead_owner")]
    assert len(compiled) == 1


@pytest.mark.parametrize(
    ("language", "first", "again"),
    [("en", "Plan backwards from a target date", "Re-plan"), ("zh-hans", "按目标日期倒排工期", "调整排期")],
)
def test_the_plan_forms_own_page_is_titled_re_plan_once_the_project_has_a_plan(
    world, client_for, project, language, first, again
):
    """Without JavaScript the plan form opens on a page of its own: titled as the fold-out on the project page,
    "Re-plan" once the project has a schedule, in the reader's language."""
    client = client_for(world.users["community"])
    url = reverse("projects:checklist-form", args=[project.pk, "plan"])
    headers = {"Accept-Language": language}
    assert project.target_date is None
    page = client.get(url, headers=headers).content.decode()
    assert f'<h1 class="h4">{first} · ' in page and f"<title>{first} · " in page
    target = (timezone.localdate() + dt.timedelta(days=300)).isoformat()
    client.post(reverse("projects:checklist", args=[project.pk, "plan"]), {"target_date": target})
    project.refresh_from_db()
    assert project.target_date is not None
    page = client.get(url, headers=headers).content.decode()
    assert f'<h1 class="h4">{again} · ' in page and f"<title>{again} · " in page and first not in page
    detail = client.get(reverse("projects:detail", args=[project.pk]), headers=headers).content.decode()
    assert f"<summary>{again}</summary>" in detail  # as the page's fold-out reads


def test_the_page_reads_its_timeline_plans_and_milestones_with_statements_compiled_once(
    world, client_for, project, monkeypatch, prepared_compiles
):
    """Issue 18: the staff's timeline, the plans and the current plan's milestones differ only by the project's key:
    compiled once per process (core.prepared), not on every view; what the page shows is read the same."""
    from jiati.core.prepared import PreparedQuery
    from jiati.projects import schedule, selectors

    prepared_compiles.clear()  # counted from here
    compiled = prepared_compiles
    monkeypatch.setattr(selectors, "_TIMELINE_STATEMENTS", {})
    monkeypatch.setattr(
        selectors, "_PLANS", PreparedQuery(selectors._PLANS.model, selectors._PLANS._build, kinds=(int,))
    )
    milestones = schedule._CURRENT_MILESTONES
    monkeypatch.setattr(
        schedule, "_CURRENT_MILESTONES", PreparedQuery(milestones.model, milestones._build, kinds=(int,))
    )
    community = world.users["community"]
    client = client_for(community)
    target = (timezone.localdate() + dt.timedelta(days=300)).isoformat()
    client.post(reverse("projects:checklist", args=[project.pk, "plan"]), {"target_date": target})
    services.comment_add(project=project, actor=community, text="第一条意见")
    url = reverse("projects:detail", args=[project.pk])
    for _ in range(3):
        html = client.get(url).content.decode()
        assert "第一条意见" in html and f"v1 ({target}, current)" in html
        assert html.count('<td class="text-nowrap">') > html.count("<tr class=") > 0
    ours = [selectors._TIMELINE_STATEMENTS[20], selectors._PLANS, schedule._CURRENT_MILESTONES]
    assert [compiled.count(statement) for statement in ours] == [1, 1, 1]
    rows = schedule.plan_vs_actual(project)
    assert sum(row["due"] is not None for row in rows) == project.plans.get().milestones.count() > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_pages_statements_compiled_once_are_also_planned_once_on_postgresql(world, client_for, project):
    """Issue 18: PostgreSQL planned each of the page's statements on every view, for some as long as it ran them.
    The statements compiled once per process (`core.prepared`) are prepared on the connection too: the session's
    user, the parties, the timeline, the plans, the milestones, the votes, the consent panel's counts, the meetings;
    the scoped fetch of the project, its blockers, documents, people and event summary, and its document kinds."""
    community = world.users["community"]
    client = client_for(community)
    target = (timezone.localdate() + dt.timedelta(days=300)).isoformat()
    client.post(reverse("projects:checklist", args=[project.pk, "plan"]), {"target_date": target})
    url = reverse("projects:detail", args=[project.pk])
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()
    for _ in range(2):
        assert client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = " ".join(row[0] for row in cursor.fetchall())
    for table in (
        "accounts_user",
        "projects_projectevent",
        "projects_scheduleplan",
        "projects_milestone",
        "consent_vote",
        "consultation_meetingproject",
        "consultation_meetingaction",
        "projects_blocker",
        "projects_projectdocument",
        "projects_workinggroupmember",
        "projects_serviceteammember",
        "projects_contractreview",
    ):
        assert f'"{table}"' in statements, table
    assert '"jiati_scope_region"' in statements  # the project fetched through its scope
