"""The companies API's writes: each through the same service as the pages, scoped, refusals in the one body."""

import datetime as dt

import pytest
from django.utils import timezone

from jiati.accounts.models import Role
from jiati.companies import ranking
from jiati.companies.models import Appeal, Company, CompanyContact, Licence, ListStatus, RankingList
from jiati.core.tests.factories import make_user, valid_credit_code

pytestmark = pytest.mark.django_db
API = "/api/companies"


@pytest.fixture
def maintainer_admin(world):
    user = make_user("maint-admin", Role.MAINTAINER, company=world.companies["maintainer"])
    user.is_unit_admin = True
    user.save()
    return user


def test_district_registers_and_edits_a_company_and_others_may_not(world, client_for):
    district = client_for(world.users["district"])
    made = district.post(
        f"{API}/companies/", {"name": "设计院", "credit_code": valid_credit_code(901), "is_designer": True}
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    changed = district.patch(f"{API}/companies/{pk}/", {"hotline": "0755-12345678"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["hotline"] == "0755-12345678"
    duplicate = district.patch(
        f"{API}/companies/{pk}/",
        {"credit_code": world.companies["contractor"].credit_code},
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and duplicate.json()["codes"]["credit_code"] == ["duplicate_credit_code"]
    maintainer = client_for(world.users["maintainer"])
    own = world.companies["maintainer"].pk
    refused = maintainer.patch(f"{API}/companies/{own}/", {"name": "改名"}, content_type="application/json")
    assert refused.status_code == 403
    assert maintainer.patch(f"{API}/companies/{pk}/", {"name": "x"}, content_type="application/json").status_code == 404
    assert Company.objects.get(pk=own).name == "维保公司"


def test_company_admin_uploads_a_renewal_and_the_district_confirms_it(world, client_for, maintainer_admin):
    company = world.companies["maintainer"]
    admin = client_for(maintainer_admin)
    bad = admin.post(
        f"{API}/companies/{company.pk}/licences/",
        {"kind": "special_equipment", "number": "TS1", "issued_on": "2026-05-01", "expires_on": "2026-04-30"},
    )
    assert bad.status_code == 400 and bad.json()["codes"]["expires_on"] == ["expiry_before_issue"]
    sent = admin.post(
        f"{API}/companies/{company.pk}/licences/",
        {"kind": "special_equipment", "number": "TS2", "issued_on": "2026-01-01", "expires_on": "2030-01-01"},
    )
    assert sent.status_code == 201 and sent.json()["status"] == "pending"
    pk = sent.json()["id"]
    assert admin.post(f"{API}/licences/{pk}/decide/", {"approve": True}).status_code == 403
    district = client_for(world.users["district"])
    no_reason = district.post(f"{API}/licences/{pk}/decide/", {"approve": False})
    assert no_reason.status_code == 400 and no_reason.json()["codes"]["note"] == ["reason_required"]
    assert Licence.objects.get(pk=pk).status == "pending"
    done = district.post(f"{API}/licences/{pk}/decide/", {"approve": True})
    assert done.status_code == 200 and done.json()["status"] == "confirmed"


def test_company_admin_keeps_its_contacts_only(world, client_for, maintainer_admin):
    company, other = world.companies["maintainer"], world.companies["contractor"]
    admin = client_for(maintainer_admin)
    bad = admin.post(f"{API}/contacts/", {"company": company.pk, "name": "王经理", "phone": "12"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"phone"}
    made = admin.post(f"{API}/contacts/", {"company": company.pk, "name": "王经理", "phone": "13800138000"})
    assert made.status_code == 201
    pk = made.json()["id"]
    changed = admin.patch(f"{API}/contacts/{pk}/", {"position": "24小时值班"}, content_type="application/json")
    assert changed.status_code == 200 and CompanyContact.objects.get(pk=pk).position == "24小时值班"
    foreign = admin.post(f"{API}/contacts/", {"company": other.pk, "name": "李", "phone": "13800138001"})
    assert foreign.status_code == 400 and foreign.json()["codes"]["company"] == ["does_not_exist"]
    theirs = CompanyContact.objects.create(company=other, name="李", phone="13800138001")
    assert admin.delete(f"{API}/contacts/{theirs.pk}/").status_code == 404
    assert client_for(world.users["maintainer"]).delete(f"{API}/contacts/{pk}/").status_code == 403
    assert client_for(maintainer_admin).delete(f"{API}/contacts/{pk}/").status_code == 204
    assert CompanyContact.objects.filter(pk__in=[pk, theirs.pk]).count() == 1


def test_lists_drawn_up_reviewed_published_and_appealed_through_the_api(world, client_for, maintainer_admin):
    district_user = world.users["district"]
    ranking.scheme_create(
        actor=district_user, name="x", valid_from=dt.date(2020, 1, 1),
        area_weights={"operation_maintenance": "1"}, deductions={"fault": "1"},
    )  # fmt: skip
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).isoformat()
    assert (
        client_for(maintainer_admin).post(f"{API}/lists/", {"period": last_month, "kind": "maintainer"}).status_code
        == 403
    )
    drawn = client_for(district_user).post(f"{API}/lists/", {"period": last_month, "kind": "maintainer"})
    assert drawn.status_code == 201
    pk = drawn.json()["id"]
    company = world.companies["maintainer"]
    no_evidence = client_for(district_user).post(
        f"{API}/lists/{pk}/violations/", {"company": company.pk, "kind": "fraud", "description": "虚报"}
    )
    assert no_evidence.status_code == 400 and "evidence_note" in no_evidence.json()["errors"]
    added = client_for(district_user).post(
        f"{API}/lists/{pk}/violations/",
        {"company": company.pk, "kind": "fraud", "description": "虚报", "evidence_note": "通报第3号"},
    )
    assert added.status_code == 201 and added.json()["entries"][0]["colour"] == "black"
    assert client_for(district_user).post(f"{API}/lists/{pk}/publish/").json()["status"] == ListStatus.PUBLISHED
    again = client_for(district_user).post(f"{API}/lists/{pk}/publish/")
    assert again.status_code == 400 and again.json()["codes"]["non_field_errors"] == ["list_frozen"]
    entry = added.json()["entries"][0]["id"]
    assert (
        client_for(world.users["maintainer"]).post(f"{API}/appeals/", {"entry": entry, "grounds": "有误"}).status_code
        == 403
    )  # not the company's administrator
    filed = client_for(maintainer_admin).post(f"{API}/appeals/", {"entry": entry, "grounds": "通报已撤销"})
    assert filed.status_code == 201
    appeal = filed.json()["id"]
    assert (
        client_for(maintainer_admin)
        .post(f"{API}/appeals/{appeal}/decide/", {"upheld": True, "reason": "x"})
        .status_code
        == 403
    )
    decided = client_for(district_user).post(
        f"{API}/appeals/{appeal}/decide/", {"upheld": True, "reason": "通报已撤销", "corrected_colour": "none"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert Appeal.objects.get(pk=appeal).decision_reason == "通报已撤销"
    corrected = RankingList.objects.get(corrects_id=pk)
    assert corrected.entries.get(company=company).colour == "none"
