"""The navigation each user sees, collected from every app's `navigation.py` (pages still check permissions)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from jiati.core.hooks import collect

# How many entries the desktop top bar shows on its one line; the others sit under "More". Eight of the longest
# English labels, the language switch and "Sign out" fit in 1200 px (Bootstrap's xl, where the bar expands).
NAV_INLINE = 8


@lru_cache(maxsize=512)
def _entry_url(url_name: str, prefix: str, urlconf: str) -> str | None:
    """A section's address, reversed once per process for each script prefix and URL conf (a `reverse` per entry
    was most of the top bar's cost on every page, issue 18); None for a section not installed."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_more_active": False}
    items = []
    for entry in collect("navigation", "nav_items", user=user):
        url = _entry_url(entry["url_name"], get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if url is None:  # a section not installed yet is simply not shown
            continue
        items.append(
            {
                "label": entry["label"],
                "url": url,
                "icon": entry["icon"],
                "active": request.path.startswith(url) and url != "/",
            }
        )
    return {
        "nav_items": items,
        "nav_inline": NAV_INLINE,
        "nav_more": items[NAV_INLINE:] if len(items) > NAV_INLINE + 1 else [],
        "nav_more_active": any(item["active"] for item in items[NAV_INLINE:]),
    }
