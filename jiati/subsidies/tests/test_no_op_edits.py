"""An audit entry lists only real changes: a no-op edit of a subsidy file writes no entry and leaves `updated_at`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from jiati.audit.models import AuditAction, AuditEntry
from jiati.audit.services import audit_updated, changes_since, snapshot
from jiati.subsidies import services
from jiati.subsidies.models import SubsidyApplication
from jiati.subsidies.tests.conftest import complete, eligible_project

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _updates(application):
    return AuditEntry.objects.filter(object_id=str(application.pk), action=AuditAction.UPDATE)


def test_an_empty_patch_changes_nothing_and_writes_no_entry(world, policies, client_for):
    application = complete(eligible_project(world).subsidy_application, world.users["community"])
    stamp, entries = SubsidyApplication.objects.get(pk=application.pk).updated_at, _updates(application).count()
    url = reverse("subsidy-application-detail", args=[application.pk])
    client = client_for(world.users["community"])
    assert client.patch(url, {}, content_type="application/json").status_code == 200
    # The same values again, money typed differently: still nothing changed.
    same = {"estimated_cost": "550000", "payee_name": application.payee_name}
    assert client.patch(url, same, content_type="application/json").status_code == 200
    assert SubsidyApplication.objects.get(pk=application.pk).updated_at == stamp
    assert _updates(application).count() == entries
    # A real change is saved and listed alone.
    assert client.patch(url, {"payee_bank_name": "建设银行"}, content_type="application/json").status_code == 200
    entry = _updates(application).latest("id")
    assert list(entry.changes) == ["payee_bank_name"]
    assert SubsidyApplication.objects.get(pk=application.pk).updated_at > stamp


def test_the_same_instant_in_another_offset_and_the_same_amount_written_otherwise_are_no_change(world, policies):
    application = eligible_project(world).subsidy_application
    application.estimated_cost = Decimal("550000.00")
    before = snapshot(application)
    stamp = application.updated_at
    application.updated_at = stamp.astimezone(SHANGHAI)  # as a form in the district's zone gives it back
    application.estimated_cost = Decimal("550000")
    assert changes_since(before, application) == {}
    assert audit_updated(actor=world.users["community"], instance=application, before=before) is None


def test_a_change_hidden_by_the_mask_is_still_a_change(world, policies):
    application = eligible_project(world).subsidy_application
    services.application_update(application=application, actor=world.users["community"], applicant_phone="13800138000")
    application.refresh_from_db()
    before = snapshot(application)
    application.applicant_phone = "13800238000"  # masks alike: 138****8000
    changes = changes_since(before, application)
    assert list(changes) == ["applicant_phone"] and changes["applicant_phone"][0] == changes["applicant_phone"][1]


def test_the_file_edit_form_masks_the_phone_like_the_page_and_the_api(world, policies, client_for):
    """The district office sees phones masked on pages and in the API: its edit form does too, and saving the form
    as shown keeps the number on file."""
    application = complete(eligible_project(world).subsidy_application, world.users["community"])
    services.application_update(application=application, actor=world.users["community"], applicant_phone="13800138000")
    url = reverse("subsidies:application-edit", args=[application.pk])
    district = client_for(world.users["district"])
    html = district.get(url).content.decode()
    assert "13800138000" not in html and 'placeholder="138****8000"' in html
    api = district.get(reverse("subsidy-application-detail", args=[application.pk])).json()
    assert "13800138000" not in str(api)
    form = district.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["applicant_owner"] = application.applicant_owner_id
    district.post(url, data)
    assert SubsidyApplication.objects.get(pk=application.pk).applicant_phone == "13800138000"
    # A role that calls owners sees the number in full, as on its pages.
    community = client_for(world.users["community"])
    assert 'value="13800138000"' in community.get(url).content.decode()
