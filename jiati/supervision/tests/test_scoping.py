"""Scoping of every page, API answer and figure: out of area answers 404, like missing, and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiati.supervision import selectors, services
from jiati.supervision.models import Rectification, SiteCheck
from jiati.supervision.tests.conftest import all_ok, jpeg


@pytest.fixture
def records(world, site, other_site):
    """A check with a finding on each site, a weekly review of A1 and a dispatch of district A."""
    check = services.site_check_record(
        actor=world.users["community"], project=site, results=all_ok(site, dust_noise=("issue", "扬尘"))
    )
    other = services.site_check_record(
        actor=world.users["subdistrict"], project=other_site, results=all_ok(other_site, shaft_plumb=("issue", "偏斜"))
    )
    review = services.weekly_review_generate(actor=world.users["subdistrict"], region=world.regions["A1"])
    dispatch = services.dispatch_generate(
        actor=world.users["district"], region=world.regions["A"], month=timezone.localdate().replace(day=1)
    )
    return {
        "check": check,
        "other_check": other,
        "rectification": check.rectifications.get(),
        "other_rectification": other.rectifications.get(),
        "review": review,
        "dispatch": dispatch,
    }


def test_today_sites_are_the_users_area(world, site, other_site, far_site):
    def codes(user):
        return {row["project"].code for row in selectors.sites_today(user=user)}

    assert codes(world.users["community"]) == {site.code}
    assert codes(world.users["subdistrict"]) == {site.code, other_site.code}
    assert codes(world.users["district"]) == {site.code, other_site.code}
    assert codes(world.users["other_district"]) == {far_site.code}
    assert codes(world.users["admin"]) == {site.code, other_site.code, far_site.code}


def test_flagged_company_sites_need_two_checks(world, site, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "collect",
        lambda module, function, **kw: [
            {"company_id": c, "flag": "black_list", "reason": "黑名单", "until": None} for c in kw["company_ids"]
        ],
    )
    findings = all_ok(site, lifting=("issue", "无警戒"), dust_noise=("issue", "扬尘"), reinforcement=("issue", "间距"))
    services.site_check_record(actor=world.users["community"], project=site, results=findings)
    row = selectors.sites_today(user=world.users["community"])[0]
    assert (row["needed"], row["done"], row["due"]) == (2, 1, True)  # three rectifications do not count as checks
    assert row["project"].open_rectifications == 3
    monkeypatch.undo()
    row = selectors.sites_today(user=world.users["community"])[0]
    assert (row["needed"], row["done"], row["due"]) == (1, 1, False)


@pytest.mark.parametrize(
    ("who", "key", "visible"),
    [
        ("community", "check", True),
        ("community", "other_check", False),
        ("other_community", "check", False),
        ("other_district", "check", False),
        ("contractor", "check", True),
        ("maintainer", "check", False),
        ("resident", "check", False),
        ("community", "rectification", True),
        ("community", "other_rectification", False),
        ("subdistrict", "other_rectification", True),
        ("other_district", "rectification", False),
        ("subdistrict", "review", True),
        ("district", "review", True),
        ("community", "review", False),
        ("other_district", "review", False),
        ("district", "dispatch", True),
        ("subdistrict", "dispatch", True),
        ("other_district", "dispatch", False),
        ("contractor", "dispatch", False),
    ],
)
def test_pages_and_api_answer_404_out_of_area(world, records, client_for, who, key, visible):
    obj = records[key]
    page = {
        "check": "/supervision/checks/{}/",
        "other_check": "/supervision/checks/{}/",
        "rectification": "/supervision/rectifications/{}/",
        "other_rectification": "/supervision/rectifications/{}/",
        "review": "/supervision/reviews/{}/",
        "dispatch": "/supervision/dispatches/{}/",
    }[key].format(obj.pk)
    api = {
        "check": "/api/supervision/checks/{}/",
        "other_check": "/api/supervision/checks/{}/",
        "rectification": "/api/supervision/rectifications/{}/",
        "other_rectification": "/api/supervision/rectifications/{}/",
        "review": "/api/supervision/weekly-reviews/{}/",
        "dispatch": "/api/supervision/dispatches/{}/",
    }[key].format(obj.pk)
    client = client_for(world.users[who])
    expected = 200 if visible else 404
    assert client.get(page).status_code == expected
    assert client.get(api).status_code == expected
    if key in ("review", "dispatch"):
        suffix = "review.pdf" if key == "review" else "dispatch.xlsx"
        assert client.get(page + suffix).status_code == expected


def test_check_page_of_a_site_out_of_area_is_404_and_nothing_saved(world, other_site, far_site, client_for):
    client = client_for(world.users["community"])
    for project in (other_site, far_site):
        assert client.get(f"/supervision/sites/{project.pk}/check/").status_code == 404
        data = {f"item_{code}": "ok" for code in all_ok(project)}
        assert client.post(f"/supervision/sites/{project.pk}/check/", data).status_code == 404
    response = client.post(
        "/api/supervision/checks/", {"project": far_site.pk, "items": []}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not SiteCheck.objects.exists()


def test_subdistrict_dispatch_page_and_api_show_only_its_own_numbers(world, records, client_for):
    client = client_for(world.users["subdistrict"])
    page = client.get(f"/supervision/dispatches/{records['dispatch'].pk}/").content.decode()
    assert "平湖街道" in page and "坂田街道" not in page
    data = client.get(f"/api/supervision/dispatches/{records['dispatch'].pk}/").json()
    assert [r["name"] for r in data["content"]["rows"]] == ["平湖街道"] and data["content"]["totals"] is None


def test_contractor_answers_through_the_api_and_cannot_recheck(world, records, client_for):
    rectification = records["rectification"]
    client = client_for(world.users["contractor"])
    url = f"/api/supervision/rectifications/{rectification.pk}/"
    response = client.post(url + "answer/", {"note": "已整改", "photos": [jpeg()]})
    assert response.status_code == 200 and response.json()["status"] == "answered"
    response = client.post(url + "recheck/", {"fixed": True, "note": "x"}, content_type="application/json")
    assert response.status_code == 403
    staff = client_for(world.users["community"])
    response = staff.post(url + "recheck/", {"fixed": True, "note": "ok"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["codes"]["photos"] == ["photo_required"]
    rectification.refresh_from_db()
    assert rectification.status == "answered"


def test_api_check_refuses_a_site_not_under_construction(world, site, client_for):
    from jiati.projects.models import Project, Stage

    Project.objects.filter(pk=site.pk).update(stage=Stage.INSPECTION)
    response = client_for(world.users["community"]).post(
        "/api/supervision/checks/", {"project": site.pk, "items": []}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["codes"] == ["not_under_construction"] or "not_under_construction" in str(response.json())


def test_week_review_of_another_subdistrict_cannot_be_generated(world, client_for):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.weekly_review_generate(actor=world.users["subdistrict"], region=world.regions["A2"])
    response = client_for(world.users["subdistrict"]).post(
        "/api/supervision/weekly-reviews/", {"region": world.regions["B1"].pk}, content_type="application/json"
    )
    assert response.status_code == 404


def test_overdue_list_is_scoped(world, records):
    Rectification.objects.update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert list(selectors.rectifications_overdue(user=world.users["community"])) == [records["rectification"]]
    assert len(selectors.rectifications_overdue(user=world.users["subdistrict"])) == 2
    assert not selectors.rectifications_overdue(user=world.users["other_district"]).exists()
