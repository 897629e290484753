from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from jiati.administration.records import records_purge
from jiati.audit.models import AuditEntry


def aged(model, days: int, **fields):
    row = model.objects.create(**fields)
    model._base_manager.filter(pk=row.pk).update(  # backdate: the append-only manager refuses updates
        **{"timestamp" if model is AuditEntry else "attempt_time": timezone.now() - timedelta(days=days)}
    )
    return row


def test_the_purge_removes_only_what_is_older_than_six_months_and_is_audited(world):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(AuditEntry)
    old = aged(AuditEntry, 200, action="event", content_type=ct, object_id="1", object_repr="old")
    kept = aged(AuditEntry, 180, action="event", content_type=ct, object_id="2", object_repr="kept")
    old_login = aged(AccessLog, 200, username="district", user_agent="x", http_accept="x", path_info="/")
    new_login = aged(AccessLog, 10, username="district", user_agent="x", http_accept="x", path_info="/")
    aged(AccessFailureLog, 400, username="district", user_agent="x", http_accept="x", path_info="/")
    out = StringIO()
    call_command("purge_records", stdout=out)
    assert "audit_entries: 1, sign_ins: 1, failed_sign_ins: 1" in out.getvalue()
    assert not AuditEntry.objects.filter(pk=old.pk).exists() and AuditEntry.objects.filter(pk=kept.pk).exists()
    assert not AccessLog.objects.filter(pk=old_login.pk).exists() and AccessLog.objects.filter(pk=new_login.pk).exists()
    purge = AuditEntry.objects.get(action="delete", message__contains="purged")
    assert purge.changes["audit_entries"] == [1, 0] and "purged" in purge.message


def test_retention_is_never_shorter_than_six_months(world, settings):
    with pytest.raises(ValidationError):
        records_purge(actor=world.users["admin"], days=30)
    settings.JIATI_RETENTION_DAYS = 365
    with pytest.raises(ValidationError):
        records_purge(actor=world.users["admin"], days=200)


def test_users_see_their_own_sign_ins_and_administrators_failed_ones_in_their_reach(world, client):
    client.post("/accounts/login/", {"username": "community", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "other_district", "password": "wrong-password"})
    AccessLog.objects.create(
        username="community", user_agent="Firefox", ip_address="10.0.0.1", http_accept="x", path_info="/accounts/login/"
    )
    client.force_login(world.users["community"])
    page = client.get("/administration/sign-ins/")
    mine = page.context["mine"]
    assert "Firefox" in [s.user_agent for s in mine] and {s.username for s in mine} == {"community"}
    assert "failures" not in page.context
    client.force_login(world.users["subdistrict"])
    page = client.get("/administration/sign-ins/")
    assert [f.username for f in page.context["failures"]] == ["community"]  # not the other district's
    client.force_login(world.users["admin"])
    assert {f.username for f in client.get("/administration/sign-ins/").context["failures"]} == {
        "community",
        "other_district",
    }


def test_an_idle_session_ends(world, client, settings):
    settings.JIATI_IDLE_MINUTES = 30
    client.force_login(world.users["community"])
    assert client.get("/").status_code == 200
    session = client.session
    session["jiati_last_seen"] -= 31 * 60
    session.save()
    response = client.get("/projects/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
