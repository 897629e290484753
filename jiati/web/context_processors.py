"""The navigation each user sees, collected from every app's `navigation.py` (pages still check permissions)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from jiati.core.hooks import collect


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
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
    return {"nav_items": items}
