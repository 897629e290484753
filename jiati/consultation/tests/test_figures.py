"""The petition deadlines the dashboard shows (hook `figures.region_figures`): counted by hand, scoped."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiati.consultation.figures import region_figures
from jiati.consultation.models import Petition
from jiati.consultation.tests.test_services_petitions import submit


def _values(user, region=None) -> dict:
    return {f["key"]: f["value"] for f in region_figures(user=user, region=region)}


def test_petitions_due_soon_and_overdue_by_hand_and_scoped(world, groups):
    today = timezone.localdate()
    soon, late, later = submit(world), submit(world), submit(world)
    Petition.objects.filter(pk=soon.pk).update(due_date=today + dt.timedelta(days=7))
    Petition.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    Petition.objects.filter(pk=later.pk).update(due_date=today + dt.timedelta(days=8))
    district = world.users["district"]
    assert _values(district, world.regions["A1a"]) == {"petitions_due_soon": 1, "petitions_overdue": 1}
    assert _values(district, world.regions["A2"]) == {"petitions_due_soon": 0, "petitions_overdue": 0}
    assert _values(world.users["other_district"]) == {"petitions_due_soon": 0, "petitions_overdue": 0}
    assert _values(world.users["contractor"]) == {}
