"""An API call is resolved without trying every page's URL conf first (the API comes before the pages in
`jiati/urls.py`): 23 URL confs were tried for a project detail call, a fiftieth of its time."""

from __future__ import annotations

from unittest import mock

from django.urls import get_resolver, resolvers


def test_an_api_call_tries_no_page_url_conf():
    with mock.patch.object(
        resolvers.URLResolver, "resolve", autospec=True, side_effect=resolvers.URLResolver.resolve
    ) as tried:
        match = get_resolver().resolve("/api/projects/projects/1/")
    assert match.url_name == "project-detail"
    names = {
        getattr(call.args[0].urlconf_name, "__name__", str(call.args[0].urlconf_name)) for call in tried.mock_calls
    }
    pages = {name for name in names if name.endswith(".urls") and ".api." not in name and name != "jiati.api_urls"}
    assert pages <= {"jiati.urls", "jiati.core.urls", "jiati.ops.urls"}, pages


def test_the_pages_and_the_api_schema_still_resolve():
    resolver = get_resolver()
    assert resolver.resolve("/healthz").url_name == "healthz"
    assert resolver.resolve("/api/schema/").url_name == "api-schema"
    assert resolver.resolve("/api/docs/").url_name == "api-docs"
    assert resolver.resolve("/projects/").route
