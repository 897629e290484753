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


def _chart(user, region, children) -> dict:
    from jiati.consultation.figures import region_charts

    (chart,) = region_charts(user=user, region=region, children=children)
    return chart


def test_petition_deadlines_chart_per_child_by_hand_and_drills_to_the_same_rows(world, groups, client_for):
    """Open petitions by deadline bucket per community of A1; each figure's link lists exactly those petitions."""
    from django.urls import reverse

    from jiati.consultation.models import PetitionStatus

    today = timezone.localdate()
    a1a = [submit(world) for _ in range(5)]
    a1b = submit(world, actor=world.users["other_community"], estate=world.estates["a1b"])
    for petition, days in zip(a1a, (-2, 0, 3, 4, 20), strict=True):
        Petition.objects.filter(pk=petition.pk).update(due_date=today + dt.timedelta(days=days))
    Petition.objects.filter(pk=a1b.pk).update(due_date=today + dt.timedelta(days=7))
    closed = submit(world)  # closed: counts nowhere, whatever its deadline
    Petition.objects.filter(pk=closed.pk).update(
        status=PetitionStatus.CLOSED, closed_at=timezone.now(), due_date=today - dt.timedelta(days=9)
    )
    sub = world.users["subdistrict"]
    kids = [world.regions["A1a"], world.regions["A1b"]]
    chart = _chart(sub, world.regions["A1"], kids)
    assert [s["key"] for s in chart["series"]] == ["overdue", "3", "7", "later"]
    assert [(r["label"], r["values"]) for r in chart["rows"]] == [
        (world.regions["A1a"].name, [1, 2, 1, 1]),
        (world.regions["A1b"].name, [0, 0, 1, 0]),
    ]
    assert chart["total"]["values"] == [1, 2, 2, 1]
    client = client_for(sub)
    for row in (*chart["rows"], chart["total"]):
        for value, url in zip(row["values"], row["urls"], strict=True):
            response = client.get(url)
            assert response.status_code == 200
            assert len(response.context["rows"]) == value, url
    assert reverse("consultation:petition-list") in chart["total"]["urls"][0]


def test_petition_deadlines_chart_is_scoped(world, groups):
    submit(world)
    submit(world, actor=world.users["other_community"], estate=world.estates["a1b"])
    # The community user asked for the whole subdistrict sees only its own community's petitions.
    own = _chart(world.users["community"], None, [world.regions["A1a"], world.regions["A1b"]])
    assert sum(own["total"]["values"]) == 1
    assert [r["values"] for r in own["rows"]] == [[0, 0, 0, 1], [0, 0, 0, 0]]
    # District B sees nothing of district A; a contractor gets no chart at all.
    other = _chart(world.users["other_district"], None, [world.regions["A"], world.regions["B"]])
    assert sum(other["total"]["values"]) == 0
    from jiati.consultation.figures import region_charts

    assert region_charts(user=world.users["contractor"], region=None, children=[]) == []
