"""Votes under load, on SQLite and PostgreSQL: 64 owners casting at the same instant are all counted; one owner
casting 64 times at once counts once (the database constraint); the chain stays whole; no request fails."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiati.consent import chain, services
from jiati.consent.models import Ballot, BallotEntry, Vote
from jiati.consent.resident_views import GRANTS
from jiati.consent.services.votes import _identity_token
from jiati.consent.tests.conftest import ensure_rule_sets, voters
from jiati.core.tests.factories import build_world, stairwell_with_dwellings
from jiati.projects import services as project_services

pytestmark = pytest.mark.django_db(transaction=True)
N = 64


@pytest.fixture
def big_vote():
    """A stairwell of 64 dwellings, each with its own owner, and an open vote on it."""
    ensure_rule_sets()
    world = build_world()
    stairwell = stairwell_with_dwellings(estate=world.estates["a1a"], number="9单元", storeys=16, per_floor=4)
    community = world.users["community"]
    project = project_services.project_open(actor=community, stairwell=stairwell)
    vote = services.vote_open(
        project=project,
        actor=community,
        closes_at=timezone.now() + dt.timedelta(days=7),
        plan="加装电梯方案",
    )
    assert vote.owners_total == N
    return vote


def run_at_once(count: int, work) -> list:
    """Start `count` threads at the same instant; each closes its own database connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = ("ok", work(index))
        except ValidationError as exc:
            results[index] = ("refused", exc)
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def cast(vote, voter, choice="agree"):
    return services.ballot_cast(
        vote=vote, voter=voter, choice=choice, channel="online", identity=_identity_token(vote=vote, phone=voter.phone)
    )


def test_64_owners_voting_at_the_same_instant_are_all_counted(big_vote):
    roll = voters(big_vote)
    results = run_at_once(N, lambda i: cast(big_vote, roll[i], "agree" if i % 4 else "disagree"))
    assert Counter(kind for kind, _value in results) == {"ok": N}, [r for r in results if r[0] != "ok"][:3]
    assert Ballot.objects.filter(vote=big_vote).count() == N
    vote = Vote.objects.get(pk=big_vote.pk)
    assert vote.ballot_seq == N
    assert sorted(BallotEntry.objects.filter(vote=vote).values_list("sequence", flat=True)) == list(range(1, N + 1))
    assert chain.verify_chain(vote).ok
    closed = services.vote_close(vote=vote, actor=vote.opened_by)
    assert (closed.owners_participating, closed.owners_agreeing) == (N, 48)


def test_one_owner_casting_64_times_at_once_counts_once(big_vote):
    voter = voters(big_vote)[0]
    results = run_at_once(N, lambda i: cast(big_vote, voter))
    kinds = Counter(kind for kind, _value in results)
    assert kinds == {"ok": 1, "refused": N - 1}, [r for r in results if r[0] == "error"][:3]
    assert all("already_voted" in {e.code for e in value.error_list} for kind, value in results if kind == "refused")
    assert Ballot.objects.filter(vote=big_vote).count() == 1
    assert BallotEntry.objects.filter(vote=big_vote).count() == 1
    assert chain.verify_chain(Vote.objects.get(pk=big_vote.pk)).ok


def _client_with_grant(vote, voter) -> Client:
    client = Client()
    session = client.session
    session[GRANTS] = {
        str(vote.pk): {
            "phone": voter.phone,
            "token": _identity_token(vote=vote, phone=voter.phone),
            "until": (timezone.now() + dt.timedelta(minutes=15)).isoformat(),
            "cast": [],
        }
    }
    session.save()
    return client


def test_64_phones_posting_at_once_get_no_server_errors(big_vote):
    roll = voters(big_vote)
    clients = [_client_with_grant(big_vote, voter) for voter in roll]
    url = reverse("consent:online-ballot", args=[big_vote.public_token])
    results = run_at_once(N, lambda i: clients[i].post(url, {"voter": roll[i].pk, "choice": "agree"}).status_code)
    assert Counter(value for _kind, value in results) == {302: N}, results[:3]
    assert Ballot.objects.filter(vote=big_vote).count() == N


def test_one_phone_posting_64_times_at_once_counts_once_without_errors(big_vote):
    voter = voters(big_vote)[0]
    client = _client_with_grant(big_vote, voter)
    cookie = client.cookies
    clients = []
    for _n in range(N):
        other = Client()
        other.cookies = cookie  # the same session, as from one phone tapping again and again
        clients.append(other)
    url = reverse("consent:online-ballot", args=[big_vote.public_token])
    results = run_at_once(N, lambda i: clients[i].post(url, {"voter": voter.pk, "choice": "agree"}).status_code)
    statuses = Counter(value for kind, value in results if kind == "ok")
    assert sum(statuses.values()) == N and set(statuses) <= {200, 302}, results[:3]
    assert statuses[302] >= 1
    assert Ballot.objects.filter(vote=big_vote).count() == 1
    assert BallotEntry.objects.filter(vote=big_vote).count() == 1
