"""The API: a site check through JSON, refusals with stable codes, and a valid schema listing the endpoints."""

from __future__ import annotations

from jiati.supervision.models import Rectification, SiteCheck
from jiati.supervision.tests.conftest import all_ok


def test_site_check_through_the_api(world, site, client_for):
    client = client_for(world.users["community"])
    items = [{"code": c, "result": r, "note": n} for c, (r, n) in all_ok(site, lifting=("issue", "无警戒区")).items()]
    response = client.post(
        "/api/supervision/checks/", {"project": site.pk, "items": items}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["findings"] == 1 and len(response.json()["items"]) == 8
    assert Rectification.objects.get().code == "lifting"
    today = client.get("/api/supervision/sites/today/").json()
    assert today == [
        {
            "project": site.pk,
            "code": site.code,
            "stage": "foundation",
            "estate": site.estate.name,
            "needed": 1,
            "done": 1,
            "due": False,
            "flagged": False,
        }
    ]


def test_refusal_names_the_points(world, site, client_for):
    client = client_for(world.users["community"])
    response = client.post(
        "/api/supervision/checks/",
        {"project": site.pk, "items": [{"code": "lifting", "result": "issue", "note": ""}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    codes = response.json()["codes"]
    assert codes["note_lifting"] == ["finding_note"] and codes["item_dust_noise"] == ["item_required"]
    assert not SiteCheck.objects.exists()


def test_the_schema_is_valid_and_lists_the_supervision_endpoints(world):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for path in (
        "/api/supervision/checks/",
        "/api/supervision/sites/today/",
        "/api/supervision/rectifications/{id}/answer/",
        "/api/supervision/rectifications/{id}/recheck/",
        "/api/supervision/my-tasks/",
        "/api/supervision/weekly-reviews/{id}/decisions/",
        "/api/supervision/dispatches/",
    ):
        assert path in schema["paths"]


def test_daily_sweep_reminds_once(world, site):
    import datetime as dt

    from django.utils import timezone

    from jiati.supervision import services
    from jiati.supervision.daily import run_daily

    services.site_check_record(
        actor=world.users["community"], project=site, results=all_ok(site, lifting=("issue", "x"))
    )
    Rectification.objects.update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert run_daily() == {"rectifications overdue reminded": 2}
    assert run_daily() == {"rectifications overdue reminded": 0}


def test_start_page_shows_the_card(world, site, client_for):
    page = client_for(world.users["community"]).get("/").content.decode()
    assert "Site checks today" in page and "Still to check" in page
    assert "Site checks today" not in client_for(world.users["finance"]).get("/").content.decode()
