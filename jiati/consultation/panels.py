"""The consultation card on a project's page: its meetings (一梯一会), open resolutions and petitions."""

from __future__ import annotations

from jiati.consultation import permissions, selectors


def project_panels(*, request, project) -> list[dict]:
    summary = selectors.project_meetings(project=project)
    return [
        {
            "order": 20,
            "template": "consultation/_project_panel.html",
            "project": project,
            "summary": summary,
            "needs_meeting": project.stage in selectors.NEEDS_MEETING_STAGES,
            "actions": selectors.open_actions(project=project),
            "petitions": selectors.project_petitions(user=request.user, project=project),
            "can_organise": permissions.can_organise_meetings(request.user),
        }
    ]
