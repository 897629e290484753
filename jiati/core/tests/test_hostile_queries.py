"""What a fuzzer sends to every list: integers past 64 bits in each filter and crafted page cursors. The answer is
an empty list or a refusal, never a server error, on the API and on the pages (and their exports)."""

from __future__ import annotations

import base64

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jiati.web.lists import ScopedListView

HUGE = str(2**64)


def _api_lists():
    """(url, filter names) of every API list with a FilterSet."""
    from rest_framework.routers import SimpleRouter  # noqa: F401 - the routes are registered on import

    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None) or {}
                if view is None or actions.get("get") != "list" or "<" in str(pattern.pattern):
                    continue
                filterset = getattr(view, "filterset_class", None)
                if filterset is None or not (prefix + str(pattern.pattern)).startswith("api/"):
                    continue
                url = "/" + (prefix + str(pattern.pattern)).replace("^", "").replace("$", "").replace("\\.", ".")
                if "(?P" in url:
                    continue
                found.append((url, list(filterset.base_filters)))

    walk(get_resolver().url_patterns)
    return found


def _page_lists():
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
                view = getattr(pattern.callback, "view_class", None)
                if view and issubclass(view, ScopedListView) and view.filterset_class is not None:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found.append((name, list(view.filterset_class.base_filters)))

    walk(get_resolver().url_patterns)
    return found


@pytest.mark.django_db
def test_integers_past_64_bits_in_any_filter_give_no_server_error(world, client_for):
    client = client_for(world.users["admin"])
    client.raise_request_exception = False
    lists = _api_lists()
    assert len(lists) >= 10
    failures = []
    for url, filters in lists:
        for name in [*filters, "id", "ids"]:
            for value in (HUGE, f"1,{HUGE}", f"-{HUGE}"):
                status = client.get(url, {name: value}).status_code
                if status >= 500:
                    failures.append((url, name, value, status))
    pages = _page_lists()
    assert len(pages) >= 10
    for name, filters in pages:
        url = reverse(name)
        for filter_name in filters:
            for params in ({filter_name: HUGE}, {filter_name: HUGE, "export": "xlsx"}, {"after": HUGE}):
                status = client.get(url, params).status_code
                if status >= 500:
                    failures.append((url, filter_name, params, status))
    assert failures == []


@pytest.mark.django_db
def test_a_crafted_cursor_is_refused_not_a_server_error(world, client_for):
    client = client_for(world.users["admin"])
    client.raise_request_exception = False
    failures = []
    for url, _filters in _api_lists():
        for position in ("abc", HUGE, "-1", "1.5"):
            cursor = base64.b64encode(f"p={position}".encode()).decode()
            status = client.get(url, {"cursor": cursor}).status_code
            if status != 404:
                failures.append((url, position, status))
    assert failures == []
    first = client.get("/api/housing/dwellings/").json()
    assert "results" in first  # a genuine cursor still pages
