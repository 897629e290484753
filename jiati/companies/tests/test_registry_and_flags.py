import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.companies import ranking, selectors, services
from jiati.companies.flags import company_flags
from jiati.companies.models import Colour, Licence, LicenceKind, LicenceStatus, ListEntry, RankingList, ScoreScheme
from jiati.core.tests.factories import CompanyFactory, make_user, valid_credit_code
from jiati.projects.models import Project
from jiati.projects.services import project_set_checklist

pytestmark = pytest.mark.django_db


def test_invalid_and_duplicate_credit_codes_are_refused_with_every_error_at_once(world):
    district = world.users["district"]
    with pytest.raises(ValidationError) as exc:
        services.company_create(actor=district, name="", credit_code="9144030012", contact_phone="12")
    errors = exc.value.error_dict
    assert set(errors) == {"name", "credit_code", "contact_phone", "kinds"}
    assert errors["credit_code"][0].code == "invalid_credit_code"
    code = world.companies["contractor"].credit_code
    with pytest.raises(ValidationError) as exc:
        services.company_create(actor=district, name="重复公司", credit_code=code.lower(), is_designer=True)
    assert exc.value.error_dict["credit_code"][0].code == "duplicate_credit_code"
    made = services.company_create(actor=district, name="设计院", credit_code=valid_credit_code(777), is_designer=True)
    assert made.kinds == ["designer"]
    with pytest.raises(PermissionDenied):
        services.company_create(
            actor=world.users["community"], name="x", credit_code=valid_credit_code(778), is_designer=True
        )


def test_licence_expiry_before_issue_is_refused_and_company_admin_renewal_needs_confirming(world):
    company = world.companies["maintainer"]
    with pytest.raises(ValidationError) as exc:
        services.licence_add(
            actor=world.users["district"], company=company, kind=LicenceKind.SPECIAL_EQUIPMENT, number="TS3144",
            issued_on=dt.date(2026, 5, 1), expires_on=dt.date(2026, 4, 30),
        )  # fmt: skip
    assert exc.value.error_dict["expires_on"][0].code == "expiry_before_issue"
    admin = make_user("maint-admin", Role.MAINTAINER, company=company)
    admin.is_unit_admin = True  # the accounts app's field; the check reads it with getattr
    licence = services.licence_add(
        actor=admin, company=company, kind=LicenceKind.SPECIAL_EQUIPMENT, number="TS3144-2",
        issued_on=dt.date(2026, 1, 1), expires_on=dt.date(2030, 1, 1),
    )  # fmt: skip
    assert licence.status == LicenceStatus.PENDING
    services.licence_confirm(actor=world.users["district"], licence=licence, approve=True)
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.CONFIRMED
    with pytest.raises(PermissionDenied):  # an ordinary maintainer user is not the company's administrator
        services.licence_add(
            actor=world.users["maintainer"], company=company, kind="other", number="x",
            issued_on=dt.date(2026, 1, 1), expires_on=dt.date(2027, 1, 1),
        )  # fmt: skip


def _expired_licence(world, company):
    return services.licence_add(
        actor=world.users["district"], company=company, kind=LicenceKind.SPECIAL_EQUIPMENT, number="TS-OLD",
        issued_on=dt.date(2020, 1, 1), expires_on=timezone.localdate() - dt.timedelta(days=3),
    )  # fmt: skip


def _project(world, key="a1a"):
    from jiati.elevators.tests.conftest import project_in_service

    project = project_in_service(world, key=key)
    project.contractor = None
    project.maintainer = None
    project.stage = "design"
    project.save()
    return project


def test_expired_licence_and_black_list_refuse_the_company_in_the_seven_ones(world):
    project = _project(world)
    maintainer = world.companies["maintainer"]
    _expired_licence(world, maintainer)
    with pytest.raises(ValidationError) as exc:
        project_set_checklist(project=project, actor=world.users["community"], maintainer=maintainer)
    error = exc.value.error_dict["maintainer"][0]
    assert error.code == "company_licence_expired"
    assert "维保公司" in error.message and "expired on" in error.message

    contractor = world.companies["contractor"]
    scheme = ScoreScheme.objects.create(
        version=1, name="t", valid_from=dt.date(2020, 1, 1), area_weights={"civilised_construction": 1},
        deductions={}, created_by=world.users["district"],
    )  # fmt: skip
    period = ranking.period_start(timezone.localdate() - dt.timedelta(days=40))
    the_list = RankingList.objects.create(period=period, kind="contractor", scheme=scheme, status="published")
    ListEntry.objects.create(
        ranking=the_list, company=contractor, rank=1, score=Decimal("50"), colour=Colour.BLACK, reason="低分"
    )
    with pytest.raises(ValidationError) as exc:
        project_set_checklist(project=project, actor=world.users["community"], contractor=contractor)
    error = exc.value.error_dict["contractor"][0]
    assert error.code == "company_black_list" and "until" in error.message
    assert {f["flag"] for f in company_flags(company_ids=[contractor.pk, maintainer.pk])} == {
        "black_list", "licence_expired",
    }  # fmt: skip
    # A clean company is accepted.
    clean = CompanyFactory(is_contractor=True)
    project_set_checklist(project=project, actor=world.users["community"], contractor=clean)


def test_licence_reminder_before_expiry_is_sent_once(world):
    company = world.companies["maintainer"]
    services.licence_add(
        actor=world.users["district"], company=company, kind=LicenceKind.SPECIAL_EQUIPMENT, number="TS-SOON",
        issued_on=dt.date(2020, 1, 1), expires_on=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    assert services.licence_reminders_send() >= 2  # the company's staff and the district office
    assert services.licence_reminders_send() == 0


def test_projects_running_with_a_flagged_company_are_flagged_on_the_project_and_the_lists(world, client_for):
    maintainer = world.companies["maintainer"]
    flagged = _project(world)
    flagged.maintainer = maintainer
    flagged.save()
    clean = _project(world, key="a1b")
    _expired_licence(world, maintainer)
    projects = Project.objects.filter(pk__in=[flagged.pk, clean.pk])
    found = selectors.project_flags(projects)
    assert list(found) == [flagged.pk]
    assert [(f["role"], f["flag"]) for f in found[flagged.pk]] == [("maintainer", "licence_expired")]
    assert list(selectors.flagged_projects(projects)) == [flagged]
    page = client_for(world.users["community"]).get(f"/projects/{flagged.pk}/").content.decode()
    assert "维保公司" in page and "expired on" in page
    listed = client_for(world.users["district"]).get("/companies/?flagged=true").content.decode()
    assert "维保公司" in listed and "加梯建设" not in listed


def test_the_project_list_filters_projects_running_with_a_flagged_company(world, client_for):
    maintainer = world.companies["maintainer"]
    flagged = _project(world)
    flagged.maintainer = maintainer
    flagged.save()
    clean = _project(world, key="a1b")
    client = client_for(world.users["district"])

    def codes(query):
        return {p.pk for p in Project.objects.filter(pk__in=[flagged.pk, clean.pk]) if p.code in query}

    before = client.get("/projects/?flagged=true").content.decode()
    assert codes(before) == set()  # nothing is flagged yet
    _expired_licence(world, maintainer)
    assert codes(client.get("/projects/?flagged=true").content.decode()) == {flagged.pk}
    assert codes(client.get("/projects/?flagged=false").content.decode()) == {clean.pk}
    assert codes(client.get("/projects/").content.decode()) == {flagged.pk, clean.pk}
    api = client.get("/api/projects/projects/?flagged=true").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [row["id"] for row in rows] == [flagged.pk]


def test_the_project_page_flags_its_companies_without_reading_them_again(world, client_for):
    """Issue 18: the page has read the project's companies; the flags panel names them without a Company read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    project = _project(world)
    maintainer = world.companies["maintainer"]
    _expired_licence(world, maintainer)
    Project.objects.filter(pk=project.pk).update(maintainer=maintainer)
    client = client_for(world.users["community"])
    url = reverse("projects:detail", args=[project.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert f"{maintainer.name}: its " in page and "expired on" in page
    company_reads = [q for q in captured.captured_queries if q["sql"].startswith('SELECT "companies_company"."id"')]
    assert company_reads == []
