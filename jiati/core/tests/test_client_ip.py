"""The staff lockout behind the documented reverse proxy: keyed on the client's address that the trusted proxy
reports, never on a header a client sends itself (issue 19)."""

from __future__ import annotations

from django.urls import reverse

PROXY, ATTACKER, STAFF = "10.0.0.2", "203.0.113.5", "198.51.100.7"


def sign_in(client, password, *, via=PROXY, forwarded=None):
    headers = {"REMOTE_ADDR": via}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("accounts:login"), {"username": "community", "password": password}, **headers)


def test_behind_the_trusted_proxy_a_guesser_locks_only_himself(client, world, settings):
    settings.JIATI_TRUSTED_PROXIES = [PROXY]
    user = world.users["community"]
    user.set_password("correct-Horse-9")
    user.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong", forwarded=f"{STAFF}, {ATTACKER}")  # the leftmost hop is the client's to forge
    assert sign_in(client, "correct-Horse-9", forwarded=ATTACKER).status_code == 429
    assert sign_in(client, "correct-Horse-9", forwarded=STAFF).status_code == 302  # the staff member gets in


def test_without_a_trusted_proxy_the_header_is_never_believed(client, world, settings):
    assert settings.JIATI_TRUSTED_PROXIES == []  # the default
    user = world.users["community"]
    user.set_password("correct-Horse-9")
    user.save()
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong", via=ATTACKER, forwarded=f"192.0.2.{number}")  # a new "address" every time
    assert sign_in(client, "correct-Horse-9", via=ATTACKER, forwarded="192.0.2.99").status_code == 429
