"""The supervision tabs offer each user only pages that open for them: finance saw "Today's sites" and
"Monthly dispatch" on the rectification list and landed on 403 Forbidden."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

TAB_LINK = re.compile(r'<ul class="nav nav-pills[^"]*" aria-label="[^"]*">(.*?)</ul>', re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "community", "property", "subdistrict", "district", "admin"])
def test_every_supervision_tab_opens_for_the_user_it_is_shown_to(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("supervision:rectification-list"))
    assert page.status_code == 200
    tabs = TAB_LINK.search(page.content.decode())
    assert tabs, "the supervision tabs are shown"
    links = re.findall(r'href="([^"]+)"', tabs.group(1))
    assert reverse("supervision:rectification-list") in links
    refused = [link for link in links if client.get(link).status_code == 403]
    assert not refused, f"{role} is offered tabs that refuse them: {refused}"


@pytest.mark.django_db
def test_finance_is_not_offered_site_checks_or_the_dispatch(client, world):
    client.force_login(world.users["finance"])
    html = client.get(reverse("supervision:rectification-list")).content.decode()
    assert f'href="{reverse("supervision:home")}"' not in html
    assert f'href="{reverse("supervision:dispatch-list")}"' not in html
