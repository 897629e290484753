"""Who looked at what (PIPL): a full ID number or bank account shown on a page, in an export or through the API
leaves one record per subject and response; a masked display leaves none; the history is scoped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template import Context, Template
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiati.administration.records import records_purge
from jiati.audit.models import Disclosure
from jiati.housing.models import Owner


def _owner(world, key="a1a"):
    return world.stairwells[key].dwellings.order_by("id").first().ownerships.get().owner


@pytest.fixture
def policies(world):
    """The subsidy policies of district A (the subsidies app's fixture)."""
    from jiati.subsidies.tests import conftest

    return conftest.policies.__wrapped__(world)


def _inserts(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith('INSERT INTO "audit_disclosure"'))


def test_the_owner_page_records_who_was_shown_the_full_id_number_and_shows_it_to_those_who_may(world, client_for):
    owner = _owner(world)
    url = reverse("housing:owner-detail", args=[owner.pk])
    client = client_for(world.users["community"])
    assert owner.id_number in client.get(url).content.decode()
    seen = Disclosure.objects.get()
    assert (seen.viewer, seen.kind, seen.channel, seen.object_id, seen.object_repr) == (
        world.users["community"],
        "id_number",
        "page",
        str(owner.pk),
        owner.name,
    )
    assert seen.path == url and seen.request_id
    page = client.get(url).content.decode()
    assert 'id="disclosures"' in page and world.users["community"].display_name in page
    assert Disclosure.objects.count() == 2  # each display is one record


@pytest.mark.parametrize("role", ["district", "subdistrict", "property"])
def test_a_masked_display_leaves_no_record_and_the_history_is_not_shown(world, client_for, role):
    owner = _owner(world)
    page = client_for(world.users[role]).get(reverse("housing:owner-detail", args=[owner.pk])).content.decode()
    assert owner.id_number not in page and 'id="disclosures"' not in page
    assert not Disclosure.objects.exists()


def test_the_edit_page_showing_the_number_in_its_input_is_recorded(world, client_for):
    owner = _owner(world)
    client_for(world.users["community"]).get(reverse("housing:edit", args=["owner", owner.pk]))
    assert Disclosure.objects.get().object_id == str(owner.pk)


def test_an_export_records_each_owner_once_in_one_insert_and_only_with_personal_data(world, client_for):
    client = client_for(world.users["community"])
    client.get(reverse("housing:owner-list"), {"export": "xlsx"})
    assert not Disclosure.objects.exists()  # masked export
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("housing:owner-list"), {"export": "xlsx", "personal": "1"})
    assert response.status_code == 200
    visible = Owner.objects.visible_to(world.users["community"])
    records = Disclosure.objects.filter(channel="export", kind="id_number")
    assert records.count() == visible.count() > 1
    assert set(records.values_list("object_id", flat=True)) == {str(pk) for pk in visible.values_list("pk", flat=True)}
    assert _inserts(queries.captured_queries) == 1


def test_the_api_records_full_numbers_and_not_masked_ones(world, client_for):
    owner = _owner(world)
    client = client_for(world.users["district"])
    assert client.get(f"/api/housing/owners/{owner.pk}/").json()["id_number"] != owner.id_number
    assert not Disclosure.objects.exists()
    client = client_for(world.users["community"])
    with CaptureQueriesContext(connection) as queries:
        listing = client.get("/api/housing/owners/").json()
    assert owner.id_number in [o["id_number"] for o in listing["results"]]
    records = Disclosure.objects.filter(channel="api")
    assert records.count() == len(listing["results"]) and str(owner.pk) in records.values_list("object_id", flat=True)
    assert _inserts(queries.captured_queries) == 1


def test_phone_numbers_are_not_recorded(world, client_for):
    owner = _owner(world)
    page = client_for(world.users["subdistrict"]).get(reverse("housing:owner-detail", args=[owner.pk]))
    assert owner.phone in page.content.decode() and not Disclosure.objects.exists()


def test_a_full_number_cannot_be_shown_without_whose_it_is(world):
    request = RequestFactory().get("/")
    request.user = world.users["community"]
    template = Template('{% load jiati %}{% personal value "id_number" %}')
    with pytest.raises(ValueError):
        template.render(Context({"request": request, "value": "110101199003071234"}))


def _seen_by(world, role):
    owner = _owner(world, "a1a" if role != "other_community" else "a1b")
    return Disclosure.objects.create(
        timestamp=timezone.now(),
        viewer=world.users[role],
        kind="id_number",
        channel="page",
        content_type=ContentType.objects.get_for_model(Owner),
        object_id=str(owner.pk),
        object_repr=owner.name,
    )


def test_administrators_list_the_displays_to_the_logins_they_administer(world, client_for):
    mine = _seen_by(world, "community")
    theirs = Disclosure.objects.create(
        timestamp=timezone.now(), viewer=world.users["other_district"], kind="bank_account", channel="export",
        content_type=mine.content_type, object_id="1", object_repr="other",
    )  # fmt: skip
    url = reverse("administration:disclosures")

    def listed(role):
        return {d.pk for d in client_for(world.users[role]).get(url).context["rows"]}

    assert listed("admin") >= {mine.pk, theirs.pk}
    assert listed("district") == {mine.pk}
    assert listed("subdistrict") == {mine.pk}
    assert listed("other_district") == {theirs.pk}  # its own district's logins, not district A's staff
    assert client_for(world.users["community"]).get(url).status_code == 403
    page = client_for(world.users["district"]).get(url, {"kind": "bank_account"})
    assert list(page.context["rows"]) == []


def test_the_purge_keeps_six_months_of_disclosures(world):
    old, kept = _seen_by(world, "community"), _seen_by(world, "community")
    Disclosure._base_manager.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=200))
    Disclosure._base_manager.filter(pk=kept.pk).update(timestamp=timezone.now() - timedelta(days=180))
    counts = records_purge(actor=world.users["admin"])
    assert counts["disclosures"] == 1
    assert list(Disclosure.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_list_answers_its_filters_in_place(world, client_for):
    _seen_by(world, "community")
    page = client_for(world.users["district"]).get(reverse("administration:disclosures"), HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "<html" not in page.content.decode()


@pytest.mark.usefixtures("policies")
def test_a_bank_account_shown_to_finance_is_recorded_against_the_application(world, client_for):
    from jiati.subsidies.tests.conftest import OLD_TO, complete, eligible_project

    application = eligible_project(world, filed_on=OLD_TO).subsidy_application
    complete(application, world.users["community"])
    url = reverse("subsidies:application-detail", args=[application.pk])
    assert "6222020200012345678" not in client_for(world.users["community"]).get(url).content.decode()
    assert not Disclosure.objects.exists()
    assert "6222020200012345678" in client_for(world.users["finance"]).get(url).content.decode()
    seen = Disclosure.objects.get()
    assert (seen.kind, seen.object_id, seen.viewer) == ("bank_account", str(application.pk), world.users["finance"])
