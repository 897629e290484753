"""Two staff moving the same project at once: one move happens, the others are told it already moved."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from jiati.core.tests.factories import build_world
from jiati.housing.models import Ownership
from jiati.projects import services
from jiati.projects.models import EventKind, Project, Stage

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_advances_move_once():
    world = build_world()
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    owner = Ownership.objects.filter(dwelling__stairwell=world.stairwells["a1a"]).first().owner
    services.project_set_lead_owner(project=project, actor=community, owner=owner)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def press():
        try:
            barrier.wait()
            services.project_advance(project=Project(pk=project.pk), actor=community, expected_stage=Stage.INTENTION)
            outcomes.append("moved")
        except ValidationError as exc:
            outcomes.append(exc.error_list[0].code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    project.refresh_from_db()
    assert outcomes.count("moved") == 1
    assert outcomes.count("stage_changed") == 7
    assert project.stage == Stage.ORGANISED
    assert project.events.filter(kind=EventKind.STAGE).count() == 1


def test_simultaneous_openings_make_one_project():
    world = build_world()
    community = world.users["community"]
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def open_it():
        try:
            barrier.wait()
            services.project_open(actor=community, stairwell=world.stairwells["a1a"])
            outcomes.append("opened")
        except ValidationError as exc:
            outcomes.append(exc.error_dict["stairwell"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("opened") == 1
    assert outcomes.count("duplicate_project") == 5
    assert Project.objects.count() == 1


def test_simultaneous_api_advances_move_once():
    """Through the API, callers who all read "intention" at once: one move, the others told `stage_changed`."""
    from django.test import Client
    from django.urls import reverse

    world = build_world()
    community = world.users["community"]
    project = services.project_open(actor=community, stairwell=world.stairwells["a1a"])
    owner = Ownership.objects.filter(dwelling__stairwell=world.stairwells["a1a"]).first().owner
    services.project_set_lead_owner(project=project, actor=community, owner=owner)
    clients = []
    for _ in range(4):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(community)
        clients.append(client)
    connection.close()
    outcomes: list[object] = []
    barrier = threading.Barrier(len(clients))

    def press(client):
        try:
            barrier.wait()
            response = client.post(
                reverse("project-advance", args=[project.pk]),
                {"expected_stage": Stage.INTENTION},
                content_type="application/json",
            )
            outcomes.append("moved" if response.status_code == 200 else response.json()["codes"]["non_field_errors"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    project.refresh_from_db()
    assert sorted(outcomes) == ["moved"] + ["stage_changed"] * (len(clients) - 1)
    assert project.stage == Stage.ORGANISED
    assert project.events.filter(kind=EventKind.STAGE).count() == 1
