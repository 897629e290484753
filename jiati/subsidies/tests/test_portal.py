"""The lead owner applies himself on the resident portal: he sees his project's file (bank account masked), fills
in the payee, uploads the documents and submits — through the same services. Nobody else's file."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiati.accounts.models import Role
from jiati.core.tests.factories import make_user
from jiati.housing.models import Ownership
from jiati.notifications.models import Notification
from jiati.projects.models import Project
from jiati.subsidies import services
from jiati.subsidies.models import ApplicantKind, ApplicationDocument, Status, SubsidyApplication
from jiati.subsidies.tests.conftest import OLD_TO, PDF, eligible_project, pdf

ACCOUNT = "6222020200012345678"
MASKED = "***************5678"
DOCUMENTS = ("application_form", "invoice", "bank_account")


@pytest.fixture
def led(world, policies):
    """A file on stairwell a1a whose project's lead owner is the world's resident."""
    resident = world.users["resident"]
    project = eligible_project(world, "a1a", filed_on=OLD_TO)
    Project.objects.filter(pk=project.pk).update(lead_owner=resident.owner)
    return SubsidyApplication.objects.get(project=project)


@pytest.fixture
def neighbour(world):
    """Another owner of the same stairwell, with a resident account: not the lead owner."""
    owner = (
        Ownership.objects.filter(dwelling__stairwell=world.stairwells["a1a"])
        .exclude(owner=world.users["resident"].owner)
        .first()
        .owner
    )
    return make_user("neighbour", Role.RESIDENT, owner=owner)


def fill(application, actor):
    services.application_update(
        application=application,
        actor=actor,
        payee_name="长江花园加梯业主共同账户",
        payee_bank_name="中国工商银行深圳龙岗支行",
        payee_bank_account=ACCOUNT,
    )
    for kind in DOCUMENTS:
        services.application_document_add(application=application, actor=actor, kind=kind, upload=pdf())


def test_the_lead_owner_fills_in_and_submits_his_file(world, led):
    resident = world.users["resident"]
    assert list(SubsidyApplication.objects.visible_to(resident)) == [led]
    fill(led, resident)
    submitted = services.application_submit(application=led, actor=resident, note="业主自行申报")
    assert submitted.status == Status.COMMUNITY
    assert submitted.applicant_kind == ApplicantKind.LEAD_OWNER and submitted.applicant_owner_id == resident.owner_id
    assert set(ApplicationDocument.objects.values_list("uploaded_by", flat=True)) == {resident.pk}
    event = led.project.events.filter(data__action="submitted").get()
    assert event.actor == resident
    # The community's window reviews it next.
    assert Notification.objects.filter(recipient=world.users["community"], title__contains="to review").exists()


def test_the_lead_owner_may_not_change_what_the_window_decides(world, led):
    resident = world.users["resident"]
    before = SubsidyApplication.objects.filter(pk=led.pk).values().get()
    for fields in ({"audited_cost": "1"}, {"applicant_kind": "implementing_body"}, {"extras": {}}, {"stops": 9}):
        with pytest.raises(PermissionDenied):
            services.application_update(application=led, actor=resident, **fields)
    assert SubsidyApplication.objects.filter(pk=led.pk).values().get() == before


def test_nobody_else_may_touch_the_file(world, led, neighbour):
    for user in (neighbour, world.users["contractor"]):
        assert not SubsidyApplication.objects.visible_to(user).exists()
        with pytest.raises(PermissionDenied):
            services.application_update(application=led, actor=user, payee_name="别人")
        with pytest.raises(PermissionDenied):
            services.application_document_add(application=led, actor=user, kind="invoice", upload=pdf())
        with pytest.raises(PermissionDenied):
            services.application_submit(application=led, actor=user)
    # Nor may the lead owner review or approve his own file.
    fill(led, world.users["resident"])
    services.application_submit(application=led, actor=world.users["resident"])
    with pytest.raises(PermissionDenied):
        services.application_review(
            application=led, actor=world.users["resident"], decision="forward", comment="自己审"
        )
    assert SubsidyApplication.objects.get(pk=led.pk).status == Status.COMMUNITY


def test_when_the_implementing_body_applies_the_window_submits(world, led):
    services.application_update(
        application=led, actor=world.users["community"], applicant_kind="implementing_body", applicant_name="加梯建设"
    )
    fill(led, world.users["resident"])
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=led, actor=world.users["resident"])
    assert [e.code for e in caught.value.error_list] == ["applicant_is_body"]
    assert SubsidyApplication.objects.get(pk=led.pk).status == Status.DRAFT


def test_a_returned_file_comes_back_to_the_lead_owner(world, led):
    resident = world.users["resident"]
    fill(led, resident)
    services.application_submit(application=led, actor=resident)
    services.application_review(
        application=led, actor=world.users["community"], decision="return", comment="发票不清晰"
    )
    note = Notification.objects.filter(recipient=resident).latest("id")
    assert "returned" in note.title and note.url == reverse("subsidies:portal-file", args=[led.pk])
    services.application_document_add(application=led, actor=resident, kind="invoice", upload=pdf("invoice-v2.pdf"))
    assert services.application_submit(application=led, actor=resident).status == Status.COMMUNITY


# --- the pages ---------------------------------------------------------------------------


def test_the_portal_shows_the_file_and_the_lead_owner_submits_it(world, led, client):
    client.force_login(world.users["resident"])
    home = client.get(reverse("portal:home")).content.decode()
    assert 'id="subsidy-section"' in home and reverse("subsidies:portal-file", args=[led.pk]) in home
    url = reverse("subsidies:portal-file", args=[led.pk])
    page = client.get(url).content.decode()
    assert 'id="portal-problems"' in page and "portal-submit-button" not in page
    response = client.post(
        reverse("subsidies:portal-payee", args=[led.pk]),
        {"payee_name": "业主共同账户", "payee_bank_name": "工商银行", "payee_bank_account": "6222 0202 0001 2345 678"},
    )
    assert response.status_code == 302
    assert SubsidyApplication.objects.get(pk=led.pk).payee_bank_account == ACCOUNT
    for kind in DOCUMENTS:
        response = client.post(
            reverse("subsidies:portal-document-add", args=[led.pk]),
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")},
        )
        assert response.status_code == 302
    page = client.get(url).content.decode()
    assert ACCOUNT not in page and MASKED in page  # masked, except the last digits
    assert "portal-submit-button" in page
    # Saving the payee with the account left empty keeps the account on file.
    client.post(
        reverse("subsidies:portal-payee", args=[led.pk]), {"payee_name": "业主共同账户", "payee_bank_name": "工行"}
    )
    assert SubsidyApplication.objects.get(pk=led.pk).payee_bank_account == ACCOUNT
    assert client.post(reverse("subsidies:portal-submit", args=[led.pk])).status_code == 302
    assert SubsidyApplication.objects.get(pk=led.pk).status == Status.COMMUNITY
    page = client.get(url).content.decode()
    assert 'id="portal-payee-form"' not in page and "portal-submit-button" not in page  # submitted: read only


def test_bad_input_on_the_portal_is_shown_and_changes_nothing(world, led, client):
    client.force_login(world.users["resident"])
    response = client.post(
        reverse("subsidies:portal-payee", args=[led.pk]),
        {"payee_name": "业主共同账户", "payee_bank_name": "工商银行", "payee_bank_account": "abc"},
    )
    assert response.status_code == 200 and "8 to 34 digits" in response.content.decode()
    assert SubsidyApplication.objects.get(pk=led.pk).payee_name == ""


def test_an_owner_signed_in_with_a_code_acts_through_his_resident_account(world, led, client):
    session = client.session
    session["portal_owner_id"] = world.users["resident"].owner_id
    session.save()
    assert client.get(reverse("subsidies:portal-file", args=[led.pk])).status_code == 200
    assert 'id="subsidy-section"' in client.get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize("who", ["neighbour", "community", "code_signed_neighbour"])
def test_the_portal_pages_answer_404_for_anyone_else(world, led, neighbour, client, who):
    if who == "code_signed_neighbour":
        session = client.session
        session["portal_owner_id"] = neighbour.owner_id
        session.save()
    else:
        client.force_login(neighbour if who == "neighbour" else world.users["community"])
    before = SubsidyApplication.objects.filter(pk=led.pk).values().get()
    if who != "community":  # staff have no owner record: the portal sends them to its sign-in
        assert client.get(reverse("subsidies:portal-file", args=[led.pk])).status_code == 404
        assert 'id="subsidy-section"' not in client.get(reverse("portal:home")).content.decode()
    for name, data in [
        ("subsidies:portal-payee", {"payee_name": "别人", "payee_bank_name": "x"}),
        ("subsidies:portal-submit", {}),
    ]:
        assert client.post(reverse(name, args=[led.pk]), data).status_code in (302, 404)
    assert SubsidyApplication.objects.filter(pk=led.pk).values().get() == before


def test_the_portal_page_is_chinese_by_default(world, led, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(world.users["resident"])
    page = client.get(reverse("subsidies:portal-file", args=[led.pk])).content.decode()
    assert "加梯补贴" in page and "补贴拨付账户" in page


def test_my_matters_list_the_lead_owners_file_and_nothing_for_his_neighbour(world, led, neighbour):
    from jiati.subsidies.portal import portal_matters

    matters = portal_matters(request=None, owner=world.users["resident"].owner)
    assert [m["url"] for m in matters] == [reverse("subsidies:portal-file", args=[led.pk])]
    assert matters[0]["status"] == led.get_status_display() and matters[0]["urgent"]
    assert portal_matters(request=None, owner=neighbour.owner) == []
