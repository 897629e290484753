"""Work that saves ask for, done once after the commit however many saves asked.

A derived row (a stairwell's stored priority, a community's summary figures) is recomputed from the live rows after
the transaction that changed them commits. Many saves in one transaction touch the same keys: each save adds its keys
to a set kept on the connection under a name of its own, and one `on_commit` callback hands the whole set to the
refresh. (A callback per save, as the statistics had, ran the same community's rebuild once per save: the demo's
seeding queued tens of thousands.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

# The pending sets live on the connection (one per database connection, so per thread) under these attribute names.
_PREFIX = "_jiati_after_commit_"


def refresh_once(name: str, keys: Iterable, refresh: Callable[[set], None]) -> None:
    """Call `refresh(keys)` once after the current transaction commits, with every key marked under `name` since
    (at once outside a transaction)."""
    keys = {key for key in keys if key}
    if not keys:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        refresh(keys)
        return
    attribute = _PREFIX + name
    pending = connection.__dict__.get(attribute)
    # Ours is still queued unless a rolled-back savepoint (or transaction) dropped it: then start a new set. Entries
    # are only ever appended or dropped from the end, so it is found where it was queued (no scan per save).
    if pending is None or not _queued(connection.run_on_commit, pending):

        def flush() -> None:
            refresh(take(name))

        pending = connection.__dict__[attribute] = _Pending(set(), flush, len(connection.run_on_commit))
        transaction.on_commit(flush)
    pending.keys |= keys


class _Pending:
    __slots__ = ("flush", "keys", "position")

    def __init__(self, keys: set, flush: Callable[[], None], position: int):
        self.keys, self.flush, self.position = keys, flush, position


def _queued(callbacks: list, pending: _Pending) -> bool:
    return pending.position < len(callbacks) and callbacks[pending.position][1] is pending.flush


def take(name: str) -> set:
    """The keys marked under `name` and not yet refreshed, forgotten: a caller that has just refreshed everything
    (a full rebuild) takes them so the commit does not redo them; a test takes them as if its setup had committed."""
    pending = transaction.get_connection().__dict__.pop(_PREFIX + name, None)
    return pending.keys if pending is not None else set()
