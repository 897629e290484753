"""Consent fixtures: the built-in rule sets, a project in the vote stage, an open vote and ways to cast."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiati.consent import services
from jiati.consent.models import RollVoter, RuleRound, RuleSet, RuleTest
from jiati.consent.rules import install_builtin_rule_sets
from jiati.consent.services.votes import _identity_token
from jiati.projects import services as project_services
from jiati.projects.models import Project, Stage

SCAN = b"%PDF-1.4 signed ballot form"


def scan(name: str = "form.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SCAN, content_type="application/pdf")


def ensure_rule_sets() -> None:
    """The data migration loads them; transactional tests flush the tables, so put them back."""
    install_builtin_rule_sets(RuleSet, RuleRound, RuleTest)


@pytest.fixture
def rules(request):
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("db")
    ensure_rule_sets()
    return {rs.code: rs for rs in RuleSet.objects.all()}


def in_stage(project: Project, stage: str) -> Project:
    Project.objects.filter(pk=project.pk).update(stage=stage)
    project.refresh_from_db()
    return project


@pytest.fixture
def project(world, rules):
    """A live project on the community's stairwell (12 dwellings of 80 m², 12 owners), in the vote stage."""
    project = project_services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    return in_stage(project, Stage.VOTE)


def open_vote(project, actor, *, rule_set=None, round_number=1, scope=None, days=7, cost_scheme=None):
    return services.vote_open(
        project=project,
        actor=actor,
        rule_set=rule_set,
        round_number=round_number,
        scope=scope,
        closes_at=timezone.now() + dt.timedelta(days=days),
        title="加装电梯表决",
        plan="在楼梯间北侧加装一部电梯，平层入户。",
        cost_scheme=cost_scheme,
    )


@pytest.fixture
def vote(project, world):
    return open_vote(project, world.users["community"])


def voters(vote) -> list[RollVoter]:
    return list(RollVoter.objects.filter(vote=vote).order_by("lowest_floor", "rooms", "id"))


def cast_online(vote, voter, choice, *, change=False):
    """An owner's online ballot, as the page casts it once the one-time code is confirmed."""
    return services.ballot_cast(
        vote=vote,
        voter=voter,
        choice=choice,
        channel="online",
        identity=_identity_token(vote=vote, phone=voter.phone),
        change=change,
    )


def cast_paper(vote, voter, choice, actor, **kwargs):
    return services.ballot_cast(
        vote=vote, voter=voter, choice=choice, channel="paper", actor=actor, signed_form=scan(), **kwargs
    )
