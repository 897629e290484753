"""Pieces the projects app adds to other pages: a stairwell's project (or the button to open one)."""

from jiati.projects import permissions
from jiati.projects.models import Project


def project_panels(*, request, project) -> list[dict]:
    return []


def estate_panels(*, request, estate) -> list[dict]:
    """The estate's projects, and grouping them under one design (连片)."""
    projects = list(
        Project.objects.visible_to(request.user)
        .filter(estate=estate)
        .select_related("stairwell__building", "cluster")
        .order_by("stairwell__building__number", "stairwell__number")
    )
    live = [p for p in projects if p.status != "withdrawn"]
    return [
        {
            "order": 10,
            "template": "projects/_estate_panel.html",
            "projects": projects,
            "estate": estate,
            "can_cluster": permissions.can_manage(request.user) and len(live) >= 2,
        }
    ]


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
