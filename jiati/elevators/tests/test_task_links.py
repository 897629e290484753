"""A task in "My tasks" opens a page: the periodic-inspection task linked to the form's POST-only address and the
maintainer met a blank 405 page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiati.core.hooks import collect
from jiati.elevators.models import Elevator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "anchor"), [("maintainer", "#inspections"), ("district", "#record-inspection")])
def test_the_inspection_task_opens_the_elevators_page_at_its_inspections(client, world, elevator, role, anchor):
    Elevator.objects.filter(pk=elevator.pk).update(next_inspection_due=timezone.localdate() - dt.timedelta(days=2))
    user = world.users[role]
    tasks = [t for t in collect("mytasks", "user_tasks", user=user) if str(t["kind"]) == "Periodic inspection"]
    assert tasks, "the overdue inspection is a task"
    url = tasks[0]["url"]
    assert url == f"/elevators/{elevator.pk}/{anchor}"
    client.force_login(user)
    page = client.get(url.split("#")[0])
    assert page.status_code == 200
    assert f'id="{anchor[1:]}"' in page.content.decode()
