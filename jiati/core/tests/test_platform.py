"""Cross-cutting behaviour: deny by default, login lockout, security headers, the API schema and docs,
token auth, language switching, masking, and the daily sweep command."""

from __future__ import annotations

import importlib.util
import logging
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from jiati.core.personal_data import mask_id_number, mask_phone, redact_text

PAGES = [
    "core:home",
    "housing:estate-list",
    "housing:owner-list",
    "organisation:region-list",
    "projects:list",
    "housing:import",
    "audit:list",
    "notifications:inbox",
    "companies:list",
]


@pytest.mark.parametrize("url_name", PAGES)
def test_pages_require_sign_in(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_public_pages_stay_public(client, db):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("core:health")).json() == {"status": "ok"}
    assert client.get(reverse("portal:login")).status_code == 200


def test_login_locks_after_repeated_failures(client, world, settings):
    user = world.users["community"]
    user.set_password("correct-Horse-9")
    user.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "community", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "community", "password": "correct-Horse-9"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_security_headers_and_csp_without_inline_script(client, world):
    client.force_login(world.users["community"])
    response = client.get(reverse("core:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html
    assert "cdn" not in html.lower()


def test_openapi_schema_and_docs_are_served_locally(client, world):
    client.force_login(world.users["district"])
    schema = client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/housing/estates/" in paths and "/api/projects/projects/{id}/advance/" in paths
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs.lower() and "//cdn" not in docs and "unpkg" not in docs


def test_token_auth_sees_the_same_scope(client, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["community"])
    response = client.get(reverse("estate-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == {world.estates["a1a"].code}
    assert client.get(reverse("estate-list"), HTTP_AUTHORIZATION="Token nope").status_code == 401


def test_api_errors_carry_stable_codes(client, world):
    client.force_login(world.users["community"])
    stairwell = world.stairwells["a1a"]
    first = client.post(reverse("project-list"), {"stairwell": stairwell.pk}, content_type="application/json")
    assert first.status_code == 201
    second = client.post(reverse("project-list"), {"stairwell": stairwell.pk}, content_type="application/json")
    assert second.status_code == 400
    assert second.json()["codes"] == {"stairwell": ["duplicate_project"]}
    url = reverse("project-advance", args=[first.json()["id"]])
    bare = client.post(url, {}, content_type="application/json")
    assert bare.status_code == 400 and bare.json()["codes"] == {"expected_stage": ["required"]}
    advance = client.post(url, {"expected_stage": first.json()["stage"]}, content_type="application/json")
    assert advance.status_code == 400
    assert "stage_guard" in str(advance.json()["codes"])


def test_language_switch(client, world):
    client.force_login(world.users["community"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-CN">' in client.get("/").content.decode()


def test_masks_and_log_redaction(caplog):
    assert mask_id_number("11010519491231002X") == "110*************2X"
    assert mask_phone("13800138000") == "138****8000"
    assert redact_text("身份证 11010519491231002X 电话 13800138000") == "身份证 110*************2X 电话 138****8000"
    logger = logging.getLogger("jiati.test")
    from jiati.core.personal_data import RedactingLogFilter

    record = logger.makeRecord("jiati.test", logging.INFO, __file__, 1, "call %s", ("13800138000",), None)
    RedactingLogFilter().filter(record)
    assert record.getMessage() == "call 138****8000"


def test_personal_data_masked_unless_role_needs_it(client, world):
    owner = world.stairwells["a1a"].dwellings.first().ownerships.first().owner
    url = reverse("housing:owner-detail", args=[owner.pk])
    client.force_login(world.users["district"])
    html = client.get(url).content.decode()
    assert owner.id_number not in html and owner.phone not in html
    client.force_login(world.users["community"])
    html = client.get(url).content.decode()
    assert owner.id_number in html and owner.phone in html
    api = client.get(reverse("owner-detail", args=[owner.pk])).json()
    assert api["id_number"] == owner.id_number
    client.force_login(world.users["subdistrict"])
    api = client.get(reverse("owner-detail", args=[owner.pk])).json()
    assert api["id_number"] == mask_id_number(owner.id_number) and api["phone"] == owner.phone


def test_exports_mask_personal_data_unless_asked_by_a_role_that_may(client, world):
    import io

    from openpyxl import load_workbook

    from jiati.audit.models import AuditEntry

    def cells(user, **params):
        client.force_login(user)
        response = client.get(reverse("housing:owner-list"), {"export": "xlsx", **params})
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
        return {row[2] for row in rows[1:]}

    numbers = set(world.stairwells["a1a"].dwellings.values_list("ownerships__owner__id_number", flat=True))
    assert cells(world.users["community"]).isdisjoint(numbers)  # masked by default
    assert cells(world.users["community"], personal="1") == numbers  # asked, and the role may
    assert cells(world.users["district"], personal="1").isdisjoint(numbers)  # asked, but the role may not
    assert AuditEntry.objects.filter(action="export").count() == 3


def test_run_daily_calls_each_app(db):
    """Every app with a `daily.py` is swept and reports each of its counts (nothing is due in an empty database)."""
    out = StringIO()
    call_command("run_daily", stdout=out)
    lines = set(out.getvalue().splitlines())
    with_daily = {
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("jiati.") and importlib.util.find_spec(f"{config.name}.daily")
    }
    assert with_daily >= {"projects", "consultation", "subsidies", "notifications"}
    for label in with_daily:  # an app's sweep that stopped running would leave no line of its own
        assert any(line.startswith(f"{label}.") for line in lines), label
    assert lines >= {
        "projects.overdue_notified: 0",
        "consultation.petitions_escalated: 0",
        "consultation.petition_reminders: 0",
        "consultation.booking_reminders: 0",
        "consultation.resolution_reminders: 0",
        "consultation.follow_up_reminders: 0",
        "notifications.deliveries_retried: 0",
        "subsidies.subsidy_applications_drafted: 0",
        "subsidies.subsidy_policies_reevaluated: 0",
        "subsidies.subsidy_reminders_sent: 0",
    }


def test_chinese_is_the_default_language(world):
    from django.test import Client

    browser = Client()  # no Accept-Language header, as on most phones' first visit
    browser.force_login(world.users["community"])
    html = browser.get(reverse("projects:list")).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "加梯项目" in html  # the page title, translated


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ("11010519491231002", True),  # the standard's example
        ("44030019500101001", True),
        ("44030719500101001", False),  # 龙岗区's code did not exist in 1950
        ("11010519491332002", False),  # no 32nd of December
        ("99999919800101001", False),  # no such area
    ],
)
def test_resident_id_validation_matches_stdnum(body, valid):
    from django.core.exceptions import ValidationError
    from stdnum.cn import ric

    from jiati.core.personal_data import validate_resident_id

    number = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(number) is valid
    if valid:
        assert validate_resident_id(number) == number
    else:
        with pytest.raises(ValidationError):
            validate_resident_id(number)
    with pytest.raises(ValidationError):  # one wrong digit breaks the checksum
        validate_resident_id(number[:-1] + ("1" if number[-1] != "1" else "2"))


def test_the_navigation_links_only_to_pages_the_role_may_open(client, world):
    from jiati.accounts.permissions import can_import_housing

    for role in ("district", "finance", "community", "property"):
        client.force_login(world.users[role])
        page = client.get("/").content.decode()
        linked = f'href="{reverse("housing:import")}"' in page
        assert linked == can_import_housing(world.users[role]), role
        if not linked:
            assert client.get(reverse("housing:import")).status_code == 403
