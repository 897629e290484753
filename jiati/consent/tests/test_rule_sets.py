"""Rule sets as data the district office maintains: a new version (thresholds as fractions, scope, rounds) on a
staff page or through the API, never an edit of a version already created; and a closed vote's verdict read
from what was stored when it closed, whatever changes afterwards."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jiati.audit.models import AuditEntry
from jiati.consent import selectors, services
from jiati.consent.models import Ballot, RuleRound, RuleSet, RuleTest, Vote
from jiati.consent.rules import find_spec
from jiati.consent.tests.conftest import cast_online, open_vote, voters

STRICTER = [
    {
        "scope": "stairwell",
        "allowed_scopes": ["stairwell", "building"],
        "tests": [
            {"measure": "area", "numerator": "participating", "denominator": "total", "threshold": "2/3"},
            {"measure": "owners", "numerator": "participating", "denominator": "total", "threshold": "2/3"},
            {"measure": "area", "numerator": "agreeing", "denominator": "participating", "threshold": "4/5"},
            {"measure": "owners", "numerator": "agreeing", "denominator": "participating", "threshold": "4/5"},
        ],
    }
]


def snapshot(rule_set: RuleSet) -> list:
    return list(
        RuleTest.objects.filter(round__rule_set=rule_set)
        .order_by("round__number", "position")
        .values_list("round__number", "name", "threshold_numerator", "threshold_denominator")
    )


def test_a_new_version_leaves_the_old_one_and_its_votes_alone(project, world, rules):
    civil = rules["civil-code-278"]
    before = snapshot(civil)
    vote = open_vote(project, world.users["community"])
    for voter in voters(vote)[:10]:
        cast_online(vote, voter, "agree")  # 10/10 agree among participants … 10/12 took part
    v2 = services.rule_set_create(
        actor=world.users["district"],
        code="civil-code-278",
        name="民法典第278条（本区从严）",
        rounds=STRICTER,
        make_default=True,
        retire_older=True,
    )
    assert (v2.version, v2.is_default, v2.is_active, v2.created_by) == (2, True, True, world.users["district"])
    civil.refresh_from_db()
    assert snapshot(civil) == before and not civil.is_default and not civil.is_active
    assert [t.threshold for t in RuleTest.objects.filter(round__rule_set=v2, measure="owners")] == [
        Fraction(2, 3),
        Fraction(4, 5),
    ]
    assert RuleRound.objects.get(rule_set=v2).scopes() == ["stairwell", "building"]
    assert Vote.objects.get(pk=vote.pk).rule_set == civil  # the open vote keeps its version
    assert selectors.vote_verdict(vote).spec.label == "civil-code-278@1"
    assert find_spec("civil-code-278").label == "civil-code-278@2" and find_spec("civil-code-278@1").version == 1
    assert AuditEntry.objects.filter(object_id=str(v2.pk), action="create").exists()


@pytest.mark.parametrize(
    ("rounds", "code"),
    [
        ([], "no_rounds"),
        ([{"scope": "stairwell", "tests": []}], "no_tests"),
        (
            [{"tests": [{"measure": "owners", "numerator": "agreeing", "denominator": "total", "threshold": "3/2"}]}],
            "invalid_threshold",
        ),
        (
            [{"tests": [{"measure": "owners", "numerator": "agreeing", "denominator": "total", "threshold": "0"}]}],
            "invalid_threshold",
        ),
        (
            [{"tests": [{"measure": "owners", "numerator": "total", "denominator": "agreeing", "threshold": "1/2"}]}],
            "invalid_test",
        ),
        ([{"scope": "town", "tests": STRICTER[0]["tests"]}], "invalid_scope"),
        ([STRICTER[0]] * 4, "too_many_rounds"),
    ],
)
def test_bad_rule_sets_are_refused_and_nothing_is_created(world, rules, rounds, code):
    count = RuleSet.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.rule_set_create(actor=world.users["district"], code="x-rule", name="x", rounds=rounds)
    codes = {e.code for errors in exc.value.error_dict.values() for e in errors}
    assert code in codes
    assert RuleSet.objects.count() == count


@pytest.mark.parametrize("role", ["community", "subdistrict", "finance", "resident"])
def test_only_the_district_office_creates_rule_sets(world, rules, role):
    with pytest.raises(PermissionDenied):
        services.rule_set_create(actor=world.users[role], code="civil-code-278", name="x", rounds=STRICTER)
    assert not RuleSet.objects.filter(version=2).exists()


def test_the_staff_page_creates_a_new_version_from_an_old_one(world, rules, client_for):
    client = client_for(world.users["district"])
    shanghai = rules["shanghai-two-rounds"]
    listing = client.get(reverse("consent:rules")).content.decode()
    assert 'id="new-rule-set"' in listing and f"?from={shanghai.pk}" in listing
    url = reverse("consent:rule-set-new")
    form = client.get(url, {"from": shanghai.pk}).content.decode()
    assert 'value="shanghai-two-rounds"' in form and 'value="3/4"' in form and 'id="round-2"' in form
    data = {
        "code": "shanghai-two-rounds",
        "name": "上海 两轮表决（2027）",
        "r1_scope": "estate",
        "r1_allowed_scopes": ["estate"],
        "r1_others_scope": "building",
        "r1_participating_area": "2/3",
        "r1_participating_owners": "2/3",
        "r1_agreeing_area": "3/4",
        "r1_agreeing_owners": "3/4",
        "r2_enabled": "on",
        "r2_scope": "building",
        "r2_allowed_scopes": ["building"],
        "r2_others_scope": "building",
        "r2_agreeing_owners_of_total": "2/3",
        "r2_agreeing_area_of_total": "0.75",
        "r3_scope": "stairwell",
        "r3_others_scope": "building",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    v2 = RuleSet.objects.get(code="shanghai-two-rounds", version=2)
    assert response["Location"].endswith("#rule-shanghai-two-rounds-2")
    assert [r.scope for r in v2.rounds.order_by("number")] == ["estate", "building"]
    second = {t.name: t.threshold for t in RuleTest.objects.filter(round__rule_set=v2, round__number=2)}
    assert second == {"agreeing_area_of_total": Fraction(3, 4), "agreeing_owners_of_total": Fraction(2, 3)}
    assert 'id="rule-shanghai-two-rounds-2"' in client.get(reverse("consent:rules")).content.decode()
    # A bad threshold is named on the page and creates nothing.
    page = client.post(url, data | {"r1_agreeing_owners": "5/4"}).content.decode()
    assert "5/4" in page and "is not a threshold" in page
    assert RuleSet.objects.filter(code="shanghai-two-rounds").count() == 2


def test_the_page_is_for_the_district_office_only(world, rules, client_for):
    assert client_for(world.users["community"]).get(reverse("consent:rule-set-new")).status_code == 403


def test_the_api_creates_a_version(world, rules, client_for):
    client = client_for(world.users["district"])
    response = client.post(
        reverse("consent-ruleset-list"),
        {"code": "beijing-stairwell", "name": "北京（新）", "rounds": STRICTER},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "beijing-stairwell@2" and response.json()["votes"] == 0
    refused = client_for(world.users["community"]).post(
        reverse("consent-ruleset-list"),
        {"code": "beijing-stairwell", "name": "x", "rounds": STRICTER},
        content_type="application/json",
    )
    assert refused.status_code == 403 and RuleSet.objects.filter(code="beijing-stairwell").count() == 2


def test_a_closed_votes_verdict_is_what_was_stored_at_close(project, world, rules, client_for):
    community = world.users["community"]
    vote = open_vote(project, community)
    for voter, choice in zip(voters(vote), ["agree"] * 9 + ["disagree"] * 3, strict=True):
        cast_online(vote, voter, choice)
    closed = services.vote_close(vote=vote, actor=community)
    assert closed.passed and closed.result["spec"]["tests"][3]["threshold"] == "3/4"
    # Rows that decided it change behind the services' back: thresholds, and ballots.
    RuleTest.objects.filter(round__rule_set=rules["civil-code-278"]).update(
        threshold_numerator=9, threshold_denominator=10
    )
    Ballot.objects.filter(vote=vote).update(choice="disagree")
    verdict = selectors.vote_verdict(Vote.objects.get(pk=vote.pk))
    assert verdict.passed
    assert [(t.spec.name, t.ratio_text, t.threshold_text, t.passed) for t in verdict.tests][2:] == [
        ("agreeing_area", "3/4", "3/4", True),
        ("agreeing_owners", "3/4", "3/4", True),
    ]
    page = client_for(community).get(reverse("consent:vote-detail", args=[vote.pk])).content.decode()
    assert 'data-passed="1"' in page and "9/10" not in page


def test_a_rule_set_names_every_wrong_field_at_once(world, rules):
    """Issue 13: a missing code hid a missing name and each wrong round."""
    count = RuleSet.objects.count()
    bad_round = {"scope": "town", "tests": STRICTER[0]["tests"]}
    with pytest.raises(ValidationError) as exc:
        services.rule_set_create(
            actor=world.users["district"], code="--", name=" ", rounds=[bad_round, STRICTER[0], bad_round]
        )
    assert set(exc.value.error_dict) == {"code", "name", "round_1", "round_3"}
    assert RuleSet.objects.count() == count
