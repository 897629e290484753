"""The rectification flow: found → sent to the company → answered with photos → closed only by a staff
re-check (a failed re-check reopens it with a new date); and the evidence it gives the companies' scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiati.notifications.models import Notification
from jiati.supervision import scoring, services
from jiati.supervision.models import CheckKind, Rectification, RectificationStatus, SiteCheck
from jiati.supervision.tests.conftest import all_ok, jpeg


@pytest.fixture
def contractor_user(world):
    return world.users["contractor"]


@pytest.fixture
def finding(world, site):
    services.site_check_record(
        actor=world.users["community"],
        project=site,
        results=all_ok(site, dust_noise=("issue", "渣土未覆盖")),
        due_date=timezone.localdate() + dt.timedelta(days=2),
    )
    return Rectification.objects.get()


def test_finding_is_sent_to_the_construction_company(world, finding, contractor_user):
    assert finding.status == RectificationStatus.OPEN
    assert finding.due_date == timezone.localdate() + dt.timedelta(days=2)
    note = Notification.objects.get(recipient=contractor_user)
    assert "1 rectifications" in note.title
    assert list(Rectification.objects.visible_to(contractor_user)) == [finding]


def test_company_answers_with_photos_and_it_stays_open_until_rechecked(world, finding, contractor_user):
    with pytest.raises(ValidationError) as exc:
        services.rectification_answer(actor=contractor_user, rectification=finding, note="", photos=[])
    assert set(exc.value.message_dict) == {"note", "photos"}
    services.rectification_answer(actor=contractor_user, rectification=finding, note="已覆盖", photos=[jpeg()])
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.ANSWERED and finding.closed_at is None
    assert Notification.objects.filter(recipient=world.users["community"], title__contains="re-check").exists()
    # The company cannot close it itself.
    with pytest.raises(PermissionDenied):
        services.rectification_recheck(actor=contractor_user, rectification=finding, fixed=True, note="ok")


def test_only_the_company_it_was_sent_to_answers(world, finding):
    with pytest.raises(PermissionDenied):
        services.rectification_answer(actor=world.users["community"], rectification=finding, note="x", photos=[jpeg()])


def test_closing_needs_a_recheck_with_a_photo(world, finding):
    staff = world.users["community"]
    with pytest.raises(ValidationError) as exc:
        services.rectification_recheck(actor=staff, rectification=finding, fixed=True, note="", photos=[])
    assert set(exc.value.message_dict) == {"note", "photos"}
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.OPEN
    # Nor can the row be closed behind the services' back: the database refuses a close without a re-check.
    with pytest.raises(IntegrityError), transaction.atomic():
        Rectification.objects.filter(pk=finding.pk).update(status="closed", closed_at=timezone.now())


def test_failed_recheck_reopens_with_a_new_date_then_a_passed_one_closes(world, finding, contractor_user):
    staff = world.users["community"]
    services.rectification_answer(actor=contractor_user, rectification=finding, note="已覆盖", photos=[jpeg()])
    new_due = timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        services.rectification_recheck(actor=staff, rectification=finding, fixed=False, note="仍有裸土")
    assert "due_date" in exc.value.message_dict
    services.rectification_recheck(actor=staff, rectification=finding, fixed=False, note="仍有裸土", due_date=new_due)
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.OPEN and finding.due_date == new_due
    services.rectification_recheck(actor=staff, rectification=finding, fixed=True, note="已整改到位", photos=[jpeg()])
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.CLOSED
    assert finding.verified_by == staff and finding.recheck.kind == CheckKind.RECHECK
    assert [e.kind for e in finding.events.all()] == ["opened", "answered", "recheck_failed", "recheck_passed"]
    with pytest.raises(ValidationError) as exc:
        services.rectification_recheck(actor=staff, rectification=finding, fixed=True, note="x", photos=[jpeg()])
    assert exc.value.error_list[0].code == "already_closed"
    # Re-checks are visits but not the day's routine checks.
    assert SiteCheck.objects.filter(kind=CheckKind.ROUTINE).count() == 1


def test_staff_outside_the_area_cannot_touch_it(world, finding):
    with pytest.raises(PermissionDenied):
        services.rectification_recheck(
            actor=world.users["other_community"], rectification=finding, fixed=True, note="x", photos=[jpeg()]
        )


def test_score_events(world, finding):
    staff, company = world.users["community"], world.companies["contractor"]
    opened = timezone.now() - dt.timedelta(days=4)
    Rectification.objects.filter(pk=finding.pk).update(
        opened_at=opened, due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    finding.refresh_from_db()
    services.rectification_recheck(actor=staff, rectification=finding, fixed=True, note="ok", photos=[jpeg()])
    finding.refresh_from_db()
    start, end = timezone.now() - dt.timedelta(days=10), timezone.now() + dt.timedelta(minutes=1)
    events = scoring.company_score_events(start=start, end=end, company_ids=[company.pk])
    by_kind = {e["kind"]: e for e in events}
    assert set(by_kind) == {
        "site_check_finding",
        "rectification_hours",
        "rectification_closed_late",
        "rectification_overdue",
    }
    assert by_kind["site_check_finding"]["area"] == "civilised_construction"
    hours = Decimal((finding.closed_at - opened).total_seconds()) / Decimal(3600)
    assert by_kind["rectification_hours"]["value"] == hours.quantize(Decimal("0.01"))
    assert all(
        e["source"] == f"supervision.Rectification:{finding.pk}" and e["company_id"] == company.pk for e in events
    )
    assert scoring.company_score_events(start=start, end=end, company_ids=[company.pk + 999]) == []


def test_overdue_reminder_once_per_due_date(world, finding, contractor_user):
    Rectification.objects.filter(pk=finding.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert services.rectifications_remind() == 2  # the company's staff and the responsible person
    assert services.rectifications_remind() == 0
