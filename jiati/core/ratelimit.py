"""Counters in the shared cache for rate limits (one-time codes, fault reports).

`cache.add` + `cache.incr` are atomic on Redis/Memcached and on the file cache of one machine; the local-memory
cache is per process and the database cache is not atomic, so both undercount with several workers (field notes).
With Redis unreachable (django-redis ignores its errors) nothing can be counted: the limit lets the hit through and
logs an error, so residents can still sign in during the outage; /readyz reports the cache down.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from jiati.core.errors import refuse

logger = logging.getLogger(__name__)


def count_hit(key: str, *, window_seconds: int = 3600) -> int | None:
    """Add one to the counter `key` (which lives `window_seconds` from its first hit); return the new count, or None
    when the cache cannot be reached."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def limit_hit(key: str, limit: int, *, field: str, message, window_seconds: int = 3600) -> None:
    """Count one hit on `key`; refuse (ValidationError, code "rate_limited") beyond `limit` in the window."""
    count = count_hit(key, window_seconds=window_seconds)
    if count is None:
        logger.error("rate limit %s not counted: the cache is unreachable", key)
        return
    if count > limit:
        raise refuse(message, code="rate_limited", field=field)
