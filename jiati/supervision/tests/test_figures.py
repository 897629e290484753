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


def test_rectification_charts_by_hand_scoped_and_drilling_to_the_same_rows(world, site, other_site, client_for):
    """A1a: three findings (one overdue, one closed last month, one not yet due); A1b: one not yet due."""
    from jiati.supervision import services
    from jiati.supervision.checklist import items_for
    from jiati.supervision.figures import region_charts
    from jiati.supervision.models import RectificationStatus
    from jiati.supervision.tests.conftest import all_ok

    today = timezone.localdate()
    due = today + dt.timedelta(days=2)
    codes = [item.code for item in items_for(site.stage)][:3]
    check = services.site_check_record(
        actor=world.users["community"],
        project=site,
        results=all_ok(site, **dict.fromkeys(codes, ("issue", "问题"))),
        due_date=due,
    )
    services.site_check_record(
        actor=world.users["subdistrict"],
        project=other_site,
        results=all_ok(other_site, **{items_for(other_site.stage)[0].code: ("issue", "问题")}),
        due_date=due,
    )
    late, gone, _fresh = Rectification.objects.filter(project=site).order_by("id")
    Rectification.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    last_month = timezone.now().replace(day=1) - dt.timedelta(days=3)
    Rectification.objects.filter(pk=gone.pk).update(
        status=RectificationStatus.CLOSED,
        opened_at=last_month,
        closed_at=last_month,
        verified_by=world.users["community"],
        recheck=check,
    )
    sub = world.users["subdistrict"]
    kids = [world.regions["A1a"], world.regions["A1b"]]
    by_area, by_month = region_charts(user=sub, region=world.regions["A1"], children=kids)
    assert [r["values"] for r in by_area["rows"]] == [[1, 1], [1, 0]]  # not yet due, overdue
    assert by_area["total"]["values"] == [2, 1]
    months = {r["label"]: r["values"] for r in by_month["rows"]}
    assert len(months) == 6
    assert months[f"{today:%Y-%m}"] == [0, 2, 1]  # closed, not yet due, overdue (by month found)
    assert months[f"{last_month:%Y-%m}"] == [1, 0, 0]
    assert by_month["total"]["values"] == [1, 2, 1]
    client = client_for(sub)
    for chart in (by_area, by_month):
        for row in (*chart["rows"], chart["total"]):
            for value, url in zip(row["values"], row["urls"], strict=True):
                response = client.get(url)
                assert response.status_code == 200
                assert response.context["count"] == value == len(response.context["rows"]), url
    # Scoping: the community of A1a sees only its own; district B sees nothing; a region outside is 404.
    own, _months = region_charts(user=world.users["community"], region=None, children=kids)
    assert [r["values"] for r in own["rows"]] == [[1, 1], [0, 0]]
    other, _months = region_charts(user=world.users["other_district"], region=None, children=kids)
    assert other["total"]["values"] == [0, 0]
    outside = client_for(world.users["community"]).get(by_area["rows"][1]["urls"][0])
    assert outside.status_code == 404
    assert region_charts(user=world.users["contractor"], region=None, children=kids) == []
