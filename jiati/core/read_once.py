"""Read once per page view: a page that only reads (the project page) lets the apps' panels and stage guards share
what one of them read about the same object, instead of each asking the database again (issue 18).

`enable(obj)` is called by such a page on the object it renders; `read_once(obj, key, compute)` then computes at
most once per key. Without `enable` (services, writes, tests of one function) it computes every time, so nothing
can go stale across a write."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
ATTRIBUTE = "_jiati_read_once"


def enable(obj: T) -> T:
    setattr(obj, ATTRIBUTE, {})
    return obj


def read_once(obj, key: str, compute: Callable[[], T]) -> T:
    memo = getattr(obj, ATTRIBUTE, None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
