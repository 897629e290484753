"""The administration demo: a company administrator, a deactivated login kept with its name, sign-in history with
failed and locked sign-ins, and who was shown full ID numbers."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from jiati.accounts.models import User
from jiati.administration.records import failed_sign_ins_visible_to, locked_now_visible_to
from jiati.audit.models import AuditEntry, Disclosure
from jiati.demo import administration as administration_demo
from jiati.demo.bulk import BulkSink
from jiati.demo.housing import generate
from jiati.demo.people import build_people


@pytest.fixture
def demo(transactional_db):
    generated = generate(dwellings=300, sink=BulkSink(batch_rows=50_000))
    context = {"generated": generated, "people": build_people(generated=generated)}
    administration_demo.seed(context)
    return context


def test_the_administration_pages_have_something_to_show(demo):
    people = demo["people"]
    leaver = User.objects.get(username="zhao_left")
    assert not leaver.is_active and AuditEntry.objects.filter(object_id=str(leaver.pk)).count() >= 2
    assert User.objects.get(pk=people["contractor"].pk).is_unit_admin
    assert AccessLog.objects.filter(username=people["district"].username).count() == 7
    admin = people["admin"]
    assert {f.username for f in failed_sign_ins_visible_to(actor=admin)} >= {"administrator", "community"}
    assert [a.username for a in locked_now_visible_to(actor=admin)] == ["administrator"]
    assert AccessAttempt.objects.count() == 1 and AccessFailureLog.objects.filter(locked_out=True).exists()
    assert Disclosure.objects.filter(viewer=people["community"]).count() == 6
