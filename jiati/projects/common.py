"""What every write on a project ends with: an entry on the timeline (rows are locked with `jiati.core.services`).

Shared by the projects services and the schedule (and, for the timeline, by other apps).
"""

from __future__ import annotations

from django.urls import reverse

from jiati.core.stored_text import Message, as_stored
from jiati.projects.models import Project, ProjectEvent


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def project_event_add(
    *,
    project: Project,
    actor,
    kind: str,
    message: str | Message = "",
    data: dict | None = None,
    from_stage: str = "",
    to_stage: str = "",
) -> ProjectEvent:
    """Append one entry to the project's timeline (also used by consent, consultation and subsidies).

    `message` is a `core.stored_text.Message` for a sentence the system writes (stored as msgid + values and
    shown in the reader's language), or plain text a person typed (a note, a reason), shown as typed.
    """
    text, stored = as_stored(message)
    return ProjectEvent.objects.create(
        project=project,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=text,
        data={**(data or {}), **({"text": stored} if stored else {})},
        from_stage=from_stage,
        to_stage=to_stage,
    )
