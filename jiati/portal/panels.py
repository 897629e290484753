"""The residents' page of a stairwell and its A4 QR poster, linked from the staff's project and stairwell pages."""

from __future__ import annotations

from jiati.portal import selectors


def _panel(request, stairwell) -> list[dict]:
    user = request.user
    if not (user.is_authenticated and user.is_staff_member):
        return []
    return [{"order": 90, "template": "portal/_staff_panel.html", "token": selectors.stairwell_token(stairwell)}]


def project_panels(*, request, project) -> list[dict]:
    return _panel(request, project.stairwell)


def stairwell_panels(*, request, stairwell) -> list[dict]:
    return _panel(request, stairwell)
