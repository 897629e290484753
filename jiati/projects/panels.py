"""Pieces the projects app adds to other pages: a stairwell's project (or the button to open one)."""

from jiati.projects import permissions
from jiati.projects.models import Project


def project_panels(*, request, project) -> list[dict]:
    return []


def stairwell_panels(*, request, stairwell) -> list[dict]:
    projects = list(Project.objects.visible_to(request.user).filter(stairwell=stairwell).order_by("-id")[:5])
    return [
        {
            "order": 10,
            "template": "projects/_stairwell_panel.html",
            "projects": projects,
            "can_open": permissions.can_open(request.user)
            and not stairwell.has_elevator
            and not any(p.status != "withdrawn" for p in projects),
            "stairwell": stairwell,
        }
    ]
