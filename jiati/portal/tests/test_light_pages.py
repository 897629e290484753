"""Every resident-facing page, signed in and not, is built on the light portal base: never the staff side's full
Bootstrap CSS and JS bundle, its icon font or htmx (issue 17: each portal page under 150 KB on first load)."""

from __future__ import annotations

import pytest
from django.test import Client

from jiati.portal.tests.scene import build_scene
from jiati.residents.auth import SESSION_KEY

# What the staff base (core/templates/base.html) loads and the portal base (portal/templates/portal/base.html) not.
HEAVY = ("bootstrap.min.css", "bootstrap-icons", "bootstrap.bundle", "htmx.min.js")


@pytest.mark.django_db
def test_no_resident_page_loads_the_staff_bundles():
    scene = build_scene()
    stranger = Client()
    owner = Client()
    session = owner.session
    session[SESSION_KEY] = scene.owner.pk
    session.save()
    pages = [(stranger, name, url) for name, url in scene.public.items()]
    pages += [(owner, name, url) for name, url in scene.signed_in.items()]
    for client, name, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        html = response.content.decode()
        assert "portal/portal.css" in html, name  # the light base, not another
        assert not [heavy for heavy in HEAVY if heavy in html], (name, url)
