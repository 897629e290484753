"""AuditBatch: an import's many entries stored at once (COPY on PostgreSQL), each as complete as a single one."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from jiati.audit.models import AuditEntry
from jiati.audit.services import AuditBatch
from jiati.core.tests.factories import EstateFactory, OwnerFactory
from jiati.housing.models import Estate, Owner


def test_a_batch_stores_every_entry_with_actor_message_and_changes(world):
    user = world.users["community"]
    estate, owner = EstateFactory(), OwnerFactory()
    batch = AuditBatch(actor=user, message="import #7")
    batch.add(estate, "import", label="新建花园 (NEW-1)")
    changes = {"phone": ["138****8000", "139****9000"], "name": ["王五", "王六"]}
    batch.add(owner, "update", label="王五", changes=changes)
    assert len(batch) == 2 and AuditEntry.objects.count() == 0
    batch.save()
    assert len(batch) == 0
    entries = {e.object_repr: e for e in AuditEntry.objects.all()}
    assert set(entries) == {"新建花园 (NEW-1)", "王五"}
    created, changed = entries["新建花园 (NEW-1)"], entries["王五"]
    assert (created.actor, created.action, created.message) == (user, "import", "import #7")
    assert created.content_type == ContentType.objects.get_for_model(Estate)
    assert created.object_id == str(estate.pk) and created.changes == {}
    assert changed.content_type == ContentType.objects.get_for_model(Owner)
    assert changed.changes == changes
    assert created.timestamp is not None


def test_a_discarded_batch_stores_nothing(world):
    batch = AuditBatch(actor=world.users["community"])
    batch.add(EstateFactory(), "import", label="x")
    batch.discard()
    batch.save()
    assert not AuditEntry.objects.exists()
