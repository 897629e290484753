"""Responses that carry personal data are not stored by a browser's or a proxy's cache (issue 19)."""

from __future__ import annotations

from django.urls import reverse


def test_owner_lists_exports_and_the_api_say_no_store(world, client_for):
    client = client_for(world.users["community"])
    for response in (
        client.get(reverse("housing:owner-list")),
        client.get(reverse("housing:owner-list"), {"export": "xlsx", "personal": "1"}),
        client.get("/api/housing/owners/"),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_token_client_gets_no_store_too(world, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["district"])
    response = client.get("/api/housing/owners/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_anonymous_public_pages_stay_cacheable(db, client):
    response = client.get(reverse("consent:receipt-check"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_api_schema_and_docs_need_a_sign_in_unless_the_deployment_opens_them(db, client, settings):
    assert settings.JIATI_API_DOCS_PUBLIC is False  # production's default (DEBUG off)
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    assert client.get(reverse("api-docs")).status_code in (401, 403)
