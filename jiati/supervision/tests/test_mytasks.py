"""My tasks: gathered from every app through the hook, most urgent first."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiati.consultation.models import Petition
from jiati.core.hooks import collect
from jiati.projects import services as project_services
from jiati.projects.models import Project
from jiati.supervision import services
from jiati.supervision.tests.conftest import all_ok, jpeg


def test_tasks_from_every_app_most_urgent_first(world, site, client_for):
    community, today = world.users["community"], timezone.localdate()
    Project.objects.filter(pk=site.pk).update(stage_due=today - dt.timedelta(days=2))
    project_services.blocker_open(
        project=site,
        actor=community,
        description="电缆迁改",
        party="供电局",
        due_date=today + dt.timedelta(days=4),
        assignee=community,
    )
    Petition.objects.create(
        reference="XF-9",
        channel="phone",
        petitioner_name="李四",
        petitioner_phone="13900000001",
        reply_method="phone",
        estate=world.estates["a1a"],
        community=world.regions["A1a"],
        subject="施工噪音",
        content="…",
        received_on=today,
        accept_due=today + dt.timedelta(days=1),
        due_date=today + dt.timedelta(days=1),
        handler=community,
        created_by=community,
    )
    tasks = collect("mytasks", "user_tasks", user=community)
    kinds = {str(t["kind"]) for t in tasks}
    assert {"Milestone", "Blocker", "Petition", "Site check"} <= kinds
    response = client_for(community).get("/supervision/my-tasks/")
    page = response.content.decode()
    order = [page.index(text) for text in ("Construction: foundation", "施工噪音", "电缆迁改")]
    assert order == sorted(order)  # the overdue milestone, then by due date
    api = client_for(community).get("/api/supervision/my-tasks/").json()
    assert api[0]["overdue"] is True and api[0]["kind"] == "Milestone"


def test_rectifications_and_rechecks_are_tasks(world, site):
    community, contractor = world.users["community"], world.users["contractor"]
    services.site_check_record(actor=community, project=site, results=all_ok(site, lifting=("issue", "无警戒")))
    assert [t["kind"] for t in collect("mytasks", "user_tasks", user=contractor)] == ["Rectification"]
    rectification = site.rectifications.get()
    services.rectification_answer(actor=contractor, rectification=rectification, note="ok", photos=[jpeg()])
    assert collect("mytasks", "user_tasks", user=contractor) == []
    assert "Re-check" in [t["kind"] for t in collect("mytasks", "user_tasks", user=community)]
    # The site was checked today: no check is due any more.
    assert "Site check" not in [t["kind"] for t in collect("mytasks", "user_tasks", user=community)]
