"""The owner's elevator matters on the portal: his own fault reports and running-cost shares, never a neighbour's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from jiati.core.formatting import format_money
from jiati.elevators import services
from jiati.elevators.models import RunningCostShare
from jiati.elevators.portal import portal_matters
from jiati.housing.models import Ownership
from jiati.residents.auth import SESSION_KEY


def test_owner_sees_his_fault_report_and_share_and_not_his_neighbours(world, elevator):
    mine, theirs = (o.owner for o in Ownership.objects.filter(dwelling__stairwell=elevator.stairwell)[:2])
    mine.phone, theirs.phone = "13800001111", "13800002222"
    mine.save(), theirs.save()
    fault = services.fault_report(elevator=elevator, kind="stopped", phone=mine.phone)
    services.fault_report(elevator=elevator, kind="noise", phone=theirs.phone)
    services.running_cost_share(
        actor=world.users["community"],
        elevator=elevator,
        year=2026,
        method="area",
        parameters={},
        maintenance=Decimal("1200.00"),
    )
    matters = portal_matters(request=None, owner=mine)
    faults = [m for m in matters if m["order"] == 30]
    assert [m["url"] for m in faults] == [reverse("elevators:follow", args=[fault.follow_token])]
    assert faults[0]["urgent"] and faults[0]["status"] == "Reported"
    shares = [m for m in matters if m["order"] == 35]
    room = mine.ownerships.get().dwelling.room
    assert len(shares) == 1 and room in shares[0]["title"] and shares[0]["status"].startswith("Still to pay")
    services.fault_acknowledge(actor=world.users["maintainer"], report=fault)
    services.fault_arrive(actor=world.users["maintainer"], report=fault)
    services.fault_close(actor=world.users["maintainer"], report=fault, cause="door", repair="fixed")
    assert not [m for m in portal_matters(request=None, owner=mine) if m.get("urgent")]


def _signed_in(owner) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = client.session
    session[SESSION_KEY] = owner.pk
    session.save()
    return client


def test_the_running_cost_share_page_shows_the_owners_own_share_only(world, elevator, client_for):
    mine, theirs = (o.owner for o in Ownership.objects.filter(dwelling__stairwell=elevator.stairwell)[:2])
    services.running_cost_share(
        actor=world.users["community"],
        elevator=elevator,
        year=2026,
        method="area",
        parameters={},
        maintenance=Decimal("1200.00"),
        electricity=Decimal("300.00"),
    )
    share = RunningCostShare.objects.get(dwelling__ownerships__owner=mine)
    services.running_cost_payment(
        actor=world.users["community"], share=share, amount=Decimal("10.00"), paid_on=dt.date(2026, 3, 2)
    )
    url = reverse("elevators:my-running-cost", args=[share.pk])
    [matter] = [m for m in portal_matters(request=None, owner=mine) if m["order"] == 35]
    assert matter["url"] == url  # my matters links here

    page = _signed_in(mine).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Elevator running costs 2026" in html and share.dwelling.room in html
    assert "¥1,500.00" in html and "¥1,200.00" in html and "¥300.00" in html  # total and its items
    assert format_money(share.amount) in html and "¥10.00" in html and "2026-03-02" in html
    assert "Still to pay" in html and "By exclusive area" in html and share.weight_text in html
    assert "bootstrap" not in html
    # In Chinese the owner has paid (已缴) his share; 已拨付 is the office disbursing a subsidy.
    zh = _signed_in(mine).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已缴" in zh and "已拨付" not in zh

    assert _signed_in(theirs).get(url).status_code == 404  # a neighbour's share
    assert Client().get(url).status_code == 302  # not signed in: to the sign-in
    assert client_for(world.users["community"]).get(url).status_code == 200  # staff of the area
    assert client_for(world.users["other_community"]).get(url).status_code == 404  # staff elsewhere
