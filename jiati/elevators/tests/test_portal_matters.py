"""The owner's elevator matters on the portal: his own fault reports and running-cost shares, never a neighbour's."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from jiati.elevators import services
from jiati.elevators.portal import portal_matters
from jiati.housing.models import Ownership


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
