"""What every write on a project ends with: an entry on the timeline (rows are locked with `jiati.core.services`).

Shared by the projects services and the schedule (and, for the timeline, by other apps).
"""

from __future__ import annotations

from django.urls import reverse

from jiati.projects.models import Project, ProjectEvent


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def project_event_add(
    *,
    project: Project,
    actor,
    kind: str,
    message: str = "",
    data: dict | None = None,
    from_stage: str = "",
    to_stage: str = "",
) -> ProjectEvent:
    """Append one entry to the project's timeline (also used by consent, consultation and subsidies)."""
    return ProjectEvent.objects.create(
        project=project,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        data=data or {},
        from_stage=from_stage,
        to_stage=to_stage,
    )
