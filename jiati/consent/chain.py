"""Receipts and the ballot hash chain.

Every casting of a ballot (a first vote or a change of mind) is one `BallotEntry` whose hash covers the
previous entry's hash, so the chain's head — printed on the result notice — fixes every entry before it.
The chain starts from the roll's fingerprint, so the roll cannot be changed afterwards either.

An owner gets a receipt code when he votes; only its SHA-256 is stored. With the code, anyone can check
on a public page that the ballot is in the chain and whether it is the one that counts (a later change
of mind supersedes it) — without seeing any name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_LENGTH = 12


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_receipt() -> str:
    """A random receipt code, e.g. "K7QM-9XD3-FHPA" (60 bits)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _n in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch in RECEIPT_ALPHABET)


def receipt_digest(code: str) -> str:
    return sha256("jiati-receipt:" + normalise_receipt(code))


def roll_fingerprint(rows: Iterable[tuple]) -> str:
    """SHA-256 over the frozen roll: (voter key, owner id, area in 0.01 m², dwelling ids) per head, sorted."""
    lines = sorted("|".join(str(part) for part in row) for row in rows)
    return sha256("\n".join(lines))


def genesis(vote_id: int, roll_hash: str) -> str:
    return sha256(f"jiati-vote:{vote_id}:roll:{roll_hash}")


def timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    prev_hash: str,
    vote_id: int,
    sequence: int,
    voter_id: int,
    choice: str,
    channel: str,
    cast_at: dt.datetime,
    receipt: str,
    signed_form_sha256: str = "",
    authorisation_sha256: str = "",
) -> str:
    parts = [
        prev_hash,
        str(vote_id),
        str(sequence),
        str(voter_id),
        choice,
        channel,
        timestamp(cast_at),
        receipt,
        signed_form_sha256,
        authorisation_sha256,
    ]
    return sha256("|".join(parts))


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    length: int
    head: str
    broken_at: int | None = None  # the first entry whose hash does not follow


def verify_chain(vote) -> ChainCheck:
    """Recompute every link from the roll's fingerprint to the head stored on the vote."""
    prev = genesis(vote.pk, vote.roll_hash)
    length = 0
    for entry in vote.entries.order_by("sequence").iterator(chunk_size=2000):
        length += 1
        expected = entry_hash(
            prev_hash=prev,
            vote_id=vote.pk,
            sequence=entry.sequence,
            voter_id=entry.voter_id,
            choice=entry.choice,
            channel=entry.channel,
            cast_at=entry.cast_at,
            receipt=entry.receipt_digest,
            signed_form_sha256=entry.signed_form_sha256,
            authorisation_sha256=entry.authorisation_sha256,
        )
        if entry.sequence != length or entry.prev_hash != prev or entry.entry_hash != expected:
            return ChainCheck(ok=False, length=length, head=vote.chain_head, broken_at=entry.sequence)
        prev = expected
    ok = prev == (vote.chain_head or genesis(vote.pk, vote.roll_hash)) and length == vote.ballot_seq
    return ChainCheck(ok=ok, length=length, head=prev, broken_at=None if ok else length)
