"""A project that enters service becomes an elevator record (hook called by projects.services)."""

from __future__ import annotations


def project_entered_stage(*, project, stage, actor) -> list:
    if stage == "in_service":
        from jiati.elevators.services import elevator_create_for_project

        elevator_create_for_project(project=project, actor=actor)
    return []
