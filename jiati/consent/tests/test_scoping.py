"""Role × endpoint matrix for consent: querysets, pages, exports and the API show a vote, notice, objection or
cost scheme only in the user's area, answer 404 (like missing) outside it, and a refused action changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiati.consent import services
from jiati.consent.models import Ballot, CostScheme, Objection, PublicNotice, RollVoter, Vote, VoteStatus
from jiati.consent.tests.conftest import SCAN, cast_online, in_stage, open_vote, voters
from jiati.projects import services as project_services
from jiati.projects.models import Stage

STAFF_VISIBLE = {
    "admin": {"a1a", "a1b", "a2a", "b1a"},
    "district": {"a1a", "a1b", "a2a"},
    "finance": {"a1a", "a1b", "a2a"},
    "subdistrict": {"a1a", "a1b"},
    "community": {"a1a"},
    "property": {"a1a"},
    "other_district": {"b1a"},
    "other_community": {"a1b"},
}
NON_STAFF = ["contractor", "maintainer", "resident"]
ROLES = sorted(STAFF_VISIBLE) + NON_STAFF


@pytest.fixture
def consent(world, rules):
    """On each estate: a project in the notice stage with a closed, passed vote, a posted notice, an objection
    and a cost scheme; and on a1a a second project with an open vote."""
    admin = world.users["admin"]
    made = {}
    for key in ("a1a", "a1b", "a2a", "b1a"):
        project = in_stage(project_services.project_open(actor=admin, stairwell=world.stairwells[key]), Stage.VOTE)
        vote = open_vote(project, admin)
        for voter in voters(vote):
            cast_online(vote, voter, "agree")
        services.vote_close(vote=vote, actor=admin)
        in_stage(project, Stage.PUBLIC_NOTICE)
        notice = services.notice_post(
            project=project, actor=admin, starts_on=timezone.localdate(), period_days=10, content="方案"
        )
        objection = services.objection_lodge(project=project, actor=admin, channel="window", name="甲", content="反对")
        scheme = services.cost_scheme_create(project=project, actor=admin, total_cost=Decimal("480000"))
        made[key] = {"project": project, "vote": vote, "notice": notice, "objection": objection, "scheme": scheme}
    return made


@pytest.mark.parametrize("role", ROLES)
def test_querysets_follow_the_area(world, consent, role):
    user = world.users[role]
    expected = STAFF_VISIBLE.get(role, set())
    for model, key in ((Vote, "vote"), (PublicNotice, "notice"), (Objection, "objection"), (CostScheme, "scheme")):
        if role == "resident":
            continue  # residents: their own roll, notices of their stairwell (below)
        visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
        assert visible == {consent[k][key].pk for k in expected}, (role, model.__name__)


def test_residents_see_the_votes_they_are_on_the_roll_of(world, consent):
    resident = world.users["resident"]
    assert set(Vote.objects.visible_to(resident)) == {consent["a1a"]["vote"]}
    assert set(PublicNotice.objects.visible_to(resident)) == {consent["a1a"]["notice"]}
    assert not Objection.objects.visible_to(resident).exists()  # none of them is his


def _pages(item) -> list[str]:
    vote, notice, objection, scheme = item["vote"], item["notice"], item["objection"], item["scheme"]
    voter = RollVoter.objects.filter(vote=vote).first()
    return [
        reverse("consent:vote-detail", args=[vote.pk]),
        reverse("consent:vote-result", args=[vote.pk]),
        reverse("consent:vote-roll", args=[vote.pk]),
        reverse("consent:ballot-record", args=[vote.pk, voter.pk]),
        reverse("consent:vote-result-pdf", args=[vote.pk]),
        reverse("consent:notice-detail", args=[notice.pk]),
        reverse("consent:objection-detail", args=[objection.pk]),
        reverse("consent:cost-detail", args=[scheme.pk]),
        reverse("consent:cost-pdf", args=[scheme.pk]),
        reverse("consent:vote-open", args=[item["project"].pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_404_outside_the_area(world, consent, client_for, role):
    client = client_for(world.users[role])
    for key, item in consent.items():
        for url in _pages(item):
            status = client.get(url).status_code
            if role in NON_STAFF:
                assert status == 403, (role, url)
            elif key in STAFF_VISIBLE[role]:
                expected = 403 if url.endswith("/votes/new/") and role in ("finance", "property") else 200
                assert status == expected, (role, url, status)
            else:
                assert status == 404, (role, url, status)


@pytest.mark.parametrize("role", sorted(STAFF_VISIBLE))
def test_lists_and_exports_show_only_the_area(world, consent, client_for, role):
    client = client_for(world.users[role])
    for url_name, model in (
        ("consent:vote-list", Vote),
        ("consent:notice-list", PublicNotice),
        ("consent:objection-list", Objection),
    ):
        page = client.get(reverse(url_name)).content.decode()
        for key, item in consent.items():
            assert (item["project"].code in page) == (key in STAFF_VISIBLE[role]), (role, url_name, key)
        export = client.get(reverse(url_name), {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active.values)
        assert len(rows) - 1 == model.objects.visible_to(world.users[role]).count() == len(STAFF_VISIBLE[role])


API = [
    ("consent-vote", "vote"),
    ("consent-notice", "notice"),
    ("consent-objection", "objection"),
    ("consent-costscheme", "scheme"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("basename", "key"), API, ids=[a[0] for a in API])
def test_api_lists_and_details_are_scoped(world, consent, client_for, role, basename, key):
    client = client_for(world.users[role])
    expected = {consent[k][key].pk for k in STAFF_VISIBLE.get(role, set())}
    if role == "resident" and key in ("notice", "scheme"):
        expected = {consent["a1a"][key].pk}  # the notice and costs of his own stairwell
    listed = {row["id"] for row in client.get(reverse(f"{basename}-list")).json()["results"]}
    assert listed == expected, (role, basename)
    for item in consent.values():
        pk = item[key].pk
        assert client.get(reverse(f"{basename}-detail", args=[pk])).status_code == (200 if pk in expected else 404)


@pytest.mark.parametrize("role", ["finance", "contractor", "resident", "other_district", "other_community"])
def test_refused_actions_change_nothing(world, consent, client_for, role):
    item = consent["a1a"]
    client = client_for(world.users[role])
    open_project = in_stage(
        project_services.project_open(actor=world.users["admin"], stairwell=_spare_stairwell(world)), Stage.VOTE
    )
    vote = open_vote(open_project, world.users["admin"])
    voter = voters(vote)[0]
    before = (Vote.objects.count(), Ballot.objects.count(), Objection.objects.count(), CostScheme.objects.count())
    responses = [
        client.post(reverse("consent:vote-close", args=[vote.pk])),
        client.post(reverse("consent:vote-cancel", args=[vote.pk]), {"reason": "x"}),
        client.post(
            reverse("consent:ballot-record", args=[vote.pk, voter.pk]),
            {"choice": "agree", "signed_form": SimpleUploadedFile("f.pdf", SCAN)},
        ),
        client.post(reverse("consent:objection-action", args=[item["objection"].pk, "answer"]), {"text": "x"}),
        client.post(reverse("consent:cost-new", args=[item["project"].pk]), {"method": "area", "total_cost": "1"}),
        client.post(reverse("consent-vote-close", args=[vote.pk])),
        client.post(reverse("consent-objection-answer", args=[item["objection"].pk]), {"text": "x"}),
    ]
    for response in responses:
        assert response.status_code in (403, 404), (role, response.status_code, response.request["PATH_INFO"])
    assert (
        Vote.objects.count(),
        Ballot.objects.count(),
        Objection.objects.count(),
        CostScheme.objects.count(),
    ) == before
    vote.refresh_from_db()
    assert vote.status == VoteStatus.OPEN
    assert Objection.objects.get(pk=item["objection"].pk).response == ""


def _spare_stairwell(world):
    from jiati.core.tests.factories import stairwell_with_dwellings

    return stairwell_with_dwellings(estate=world.estates["a1a"], number="5单元", storeys=2, per_floor=2)
