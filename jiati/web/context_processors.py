"""The navigation each user sees, collected from every app's `navigation.py` (pages still check permissions)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from jiati.core.hooks import collect

# How many entries the desktop top bar shows on its one line; the others sit under "More". Eight of the longest
# English labels, the language switch and "Sign out" fit in 1200 px (Bootstrap's xl, where the bar expands).
NAV_INLINE = 8


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_more_active": False}
    items = []
    for entry in collect("navigation", "nav_items", user=user):
        try:
            url = reverse(entry["url_name"])
        except NoReverseMatch:  # a section not installed yet is simply not shown
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
