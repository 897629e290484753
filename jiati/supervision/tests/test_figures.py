"""The site-check findings the dashboard shows (hook `figures.region_figures`): counted by hand, scoped."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from jiati.supervision.figures import region_figures
from jiati.supervision.models import Rectification
from jiati.supervision.tests.test_rectifications import finding  # noqa: F401 - fixture reused


def _values(user, region=None) -> dict:
    return {f["key"]: f["value"] for f in region_figures(user=user, region=region)}


def test_open_and_overdue_rectifications_by_hand_and_scoped(world, finding, client_for):  # noqa: F811
    community = world.users["community"]
    assert _values(community) == {"rectifications_open": 1, "rectifications_overdue": 0}
    Rectification.objects.filter(pk=finding.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert _values(world.users["district"], world.regions["A1a"]) == {
        "rectifications_open": 1,
        "rectifications_overdue": 1,
    }
    assert _values(world.users["district"], world.regions["A2"])["rectifications_open"] == 0
    assert _values(world.users["other_community"]) == {"rectifications_open": 0, "rectifications_overdue": 0}
    assert _values(world.users["contractor"]) == {}
    body = client_for(community).get(reverse("stats:dashboard")).content.decode()
    assert 'data-key="rectifications_overdue"' in body
