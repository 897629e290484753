"""Read once per page view: a page that only reads (the project page) lets the apps' panels and stage guards share
what one of them read about the same object, instead of each asking the database again (issue 18).

`enable(obj)` is called by such a page on the object it renders; `read_once(obj, key, compute)` then computes at
most once per key; `read_many(obj, keys, compute)` the same for several keys read together (the rule rounds of a
timeline's votes). Without `enable` (services, writes, tests of one function) it computes every time, so nothing
can go stale across a write."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")
ATTRIBUTE = "_jiati_read_once"


def enable(obj: T) -> T:
    setattr(obj, ATTRIBUTE, {})
    return obj


def enabled(obj) -> bool:
    """Whether `obj` is rendered by a page that reads once (a reader may then prefer one wider shared read)."""
    return getattr(obj, ATTRIBUTE, None) is not None


def read_once(obj, key: Hashable, compute: Callable[[], T]) -> T:
    memo = getattr(obj, ATTRIBUTE, None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def read_many(obj, keys: Iterable[Hashable], compute: Callable[[list], dict]) -> dict:
    """`read_once` for several keys read in one go: `compute(missing)` is called at most once, with the keys not
    read yet on this page (all of them without `enable`), and returns their values; a key it leaves out is None."""
    keys = list(dict.fromkeys(keys))
    memo = getattr(obj, ATTRIBUTE, None)
    if memo is None:
        computed = compute(keys) if keys else {}
        return {key: computed.get(key) for key in keys}
    missing = [key for key in keys if key not in memo]
    if missing:
        computed = compute(missing)
        for key in missing:
            memo[key] = computed.get(key)
    return {key: memo[key] for key in keys}
